import Foundation
import LogCoT

/// Peak resident memory with many open windows and under a line storm.
///
/// Each scenario runs in a child process (`logcot bench --child ...`), so that its peak resident set
/// (`VmHWM` of the child's `/proc/self/status`) belongs to that scenario alone. The child prints one
/// JSON object that the parent turns into figures.
struct BenchMemory {
    let options: BenchOptions

    /// The result a child prints.
    struct ChildResult: Codable {
        /// VmHWM before the scenario's hosts or lines were added.
        var baselinePeakBytes: Int
        var peakBytes: Int
        var hosts: Int
        var lines: Int
        var seconds: Double
        var cpuSeconds: Double
        var bytes: Int
        var windowsClosed: Int
    }

    func run() throws -> [BenchFigure] {
        var figures: [BenchFigure] = []
        let scenarios: [(name: String, hosts: Int, linesPerHost: Int)] = [
            ("1 host", 1, options.linesPerHost),
            ("\(options.memoryHosts) hosts", options.memoryHosts, options.linesPerHost),
            ("1 host at the line caps", 1, 25_000),
        ]
        for scenario in scenarios {
            let result = try runChild(["--child", "hosts", "--hosts", String(scenario.hosts), "--lines-per-host", String(scenario.linesPerHost)])
            let perHost = Double(result.peakBytes - result.baselinePeakBytes) / Double(result.hosts)
            let note = "\(scenario.linesPerHost) lines per host, each host with one open window; VmHWM of a child process"
            figures.append(BenchFigure(item: "memory", name: "\(scenario.name) peak RSS", value: Double(result.peakBytes) / 1_048_576, unit: "MiB", note: note))
            figures.append(BenchFigure(item: "memory", name: "\(scenario.name) per host", value: perHost / 1024, unit: "KiB", note: "(peak - peak before the hosts) / hosts"))
        }
        return figures
    }

    /// Runs the storm in a child process and returns its throughput and peak memory figures.
    func runStorm() throws -> [BenchFigure] {
        let result = try runChild(["--child", "storm", "--storm-lines", String(options.stormLines), "--storm-hosts", String(options.stormHosts)])
        let note = "\(result.lines) synthetic SEL lines from \(result.hosts) hosts, trigger rules on, \(result.windowsClosed) windows"
        let elapsed = Elapsed(wall: result.seconds, cpu: result.cpuSeconds)
        return BenchThroughput.rateFigures(name: "sel storm pipeline", lines: Double(result.lines), bytes: Double(result.bytes), elapsed: elapsed, isSEL: true, note: note) + [
            BenchFigure(item: "memory", name: "storm peak RSS", value: Double(result.peakBytes) / 1_048_576, unit: "MiB", note: "VmHWM of a child process; " + note),
        ]
    }

    private func runChild(_ arguments: [String]) throws -> ChildResult {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let output = try BenchProcess.run(executable, ["bench"] + arguments + ["--data", options.dataDirectory.path])
        guard let line = output.split(separator: "\n").last, let result = try? JSONDecoder().decode(ChildResult.self, from: Data(line.utf8)) else {
            throw UsageError("the memory child '\(arguments.joined(separator: " "))' printed no result")
        }
        return result
    }
}

/// The scenarios that run inside a child process of `BenchMemory`.
enum BenchChild {
    static func run(_ scenario: String, options: BenchOptions) async throws -> BenchMemory.ChildResult {
        switch scenario {
        case "hosts":
            return try await openWindows(hosts: options.memoryHosts, linesPerHost: options.linesPerHost)
        case "storm":
            return try await storm(lines: options.stormLines, hosts: options.stormHosts)
        default:
            throw UsageError("invalid --child '\(scenario)'; use hosts or storm")
        }
    }

    /// Opens one window per host with a ticket, then feeds `linesPerHost` lines to each, all inside it.
    static func openWindows(hosts: Int, linesPerHost: Int) async throws -> BenchMemory.ChildResult {
        let pipeline = try BenchSupport.makePipeline(sink: try BenchSupport.discardingSink(), triggers: false)
        let parser = SELCSVParser(resolver: TimestampResolver(zone: .gmt))
        let lineCount = hosts * linesPerHost
        let secondsPerLine = 0.001
        var generator = SyntheticSEL(hostCount: hosts, secondsPerLine: secondsPerLine, faultShare: 0)
        let baseline = ProcessMemory.peakResidentBytes() ?? 0

        let stopwatch = Stopwatch()
        var bytes = 0
        // The fault lies after the last line, so every line falls inside its host's window.
        let faultTime = generator.start.addingTimeInterval(Double(lineCount) * secondsPerLine)
        for host in 0..<hosts {
            try await pipeline.addFault(FaultEvent(host: SyntheticSEL.serial(host), time: faultTime, origin: .ticket, detail: "bench"))
        }
        var position = 0
        while position < lineCount {
            let batch = generator.next(min(100_000, lineCount - position))
            for text in batch {
                position += 1
                bytes += text.utf8.count + 1
                try await pipeline.ingest(RawLine(text: text, origin: "storm", position: position), parser: parser)
            }
        }
        let peak = ProcessMemory.peakResidentBytes() ?? 0
        let elapsed = stopwatch.elapsed
        return .init(baselinePeakBytes: baseline, peakBytes: peak, hosts: hosts, lines: lineCount, seconds: elapsed.wall, cpuSeconds: elapsed.cpu, bytes: bytes, windowsClosed: pipeline.statistics.windowsClosed)
    }

    /// Feeds a synthetic SEL storm with the trigger rules on; times only the pipeline, not the generator.
    static func storm(lines: Int, hosts: Int) async throws -> BenchMemory.ChildResult {
        let pipeline = try BenchSupport.makePipeline(sink: try BenchSupport.discardingSink(), triggers: true)
        let parser = SELCSVParser(resolver: TimestampResolver(zone: .gmt))
        var generator = SyntheticSEL(hostCount: hosts)
        let baseline = ProcessMemory.peakResidentBytes() ?? 0
        var elapsed = Elapsed()
        var position = 0
        var bytes = 0
        while position < lines {
            let batch = generator.next(min(100_000, lines - position))
            bytes += batch.reduce(0) { $0 + $1.utf8.count + 1 }
            let stopwatch = Stopwatch()
            for text in batch {
                position += 1
                try await pipeline.ingest(RawLine(text: text, origin: "storm", position: position), parser: parser)
            }
            elapsed += stopwatch.elapsed
        }
        let stopwatch = Stopwatch()
        try await pipeline.finish()
        elapsed += stopwatch.elapsed
        let peak = ProcessMemory.peakResidentBytes() ?? 0
        return .init(baselinePeakBytes: baseline, peakBytes: peak, hosts: hosts, lines: lines, seconds: elapsed.wall, cpuSeconds: elapsed.cpu, bytes: bytes, windowsClosed: pipeline.statistics.windowsClosed)
    }
}
