import Foundation
import Synchronization
import LogCoT

/// Shared pieces of the benchmark runners: pipelines without side effects, input loading, timing.
enum BenchSupport {
    static let logger = Logger(label: "bench", minimumLevel: .warning)

    /// Builds a pipeline with an in-memory state store, the built-in example pool and `diagnoser`.
    static func makePipeline(config: LogCoTConfig = LogCoTConfig(), sink: any ReportSink, diagnoser: any Diagnoser = TFIDFDiagnoser(), triggers: Bool) throws -> Pipeline {
        var config = config
        config.state.path = ":memory:"
        config.masking.secret = "logcot-bench-key"
        let factory = PipelineFactory(config: config, logger: logger)
        return try factory.makePipeline(
            modelStore: try ModelStore(database: SQLiteDatabase(path: ":memory:")),
            sink: sink,
            rejects: nil,
            diagnoser: diagnoser,
            triggersEnabled: triggers
        )
    }

    /// Returns a sink that encodes every report as the file sink does and discards it.
    static func discardingSink() throws -> any ReportSink {
        try JSONLinesReportSink(path: "/dev/null")
    }

    /// Reads every line of a file into memory, so that timing leaves out disk reads.
    static func readLines(_ url: URL, hostHint: String? = nil) throws -> [RawLine] {
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw UsageError("missing or unreadable file '\(url.path)'; pass --data with the folder that contains the benchmark logs")
        }
        var lines: [RawLine] = []
        try FileLineSource(url: url, maxLineBytes: 65_536, hostHint: hostHint).forEachLine { lines.append($0) }
        return lines
    }

    static func byteCount(_ lines: [RawLine]) -> Int {
        lines.reduce(0) { $0 + $1.text.utf8.count + 1 }
    }

    /// Runs `body` until it has run for `minSeconds` and at least `minPasses` times; returns the passes
    /// and the time that `body` itself reported as timed.
    static func repeatTimed(minSeconds: Double, minPasses: Int = 3, _ body: () async throws -> Elapsed) async rethrows -> (passes: Int, elapsed: Elapsed) {
        var passes = 0
        var total = Elapsed()
        while passes < minPasses || total.wall < minSeconds {
            total += try await body()
            passes += 1
        }
        return (passes, total)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Returns the 1, 5 and 15 minute load averages from `/proc/loadavg`, or an empty list where it is missing.
    static func loadAverage() -> [Double] {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else {
            return []
        }
        return text.split(separator: " ").prefix(3).compactMap { Double($0) }
    }

    /// Returns the CPU model name from `/proc/cpuinfo`, or `unknown`.
    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return "unknown"
        }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        }
        return "unknown"
    }
}

/// Wall-clock and process CPU seconds of a timed section.
///
/// On a machine shared with other work the wall clock counts time spent waiting for a core, so the
/// CPU seconds (all threads, from `CLOCK_PROCESS_CPUTIME_ID`) are the per-core measure.
struct Elapsed {
    var wall = 0.0
    var cpu = 0.0

    static func += (total: inout Elapsed, part: Elapsed) {
        total.wall += part.wall
        total.cpu += part.cpu
    }
}

/// Measures `Elapsed` from its creation.
struct Stopwatch {
    private let clock = ContinuousClock()
    private let startWall: ContinuousClock.Instant
    private let startCPU: Double

    init() {
        startWall = clock.now
        startCPU = Self.processCPUSeconds()
    }

    var elapsed: Elapsed {
        Elapsed(wall: BenchSupport.seconds(clock.now - startWall), cpu: Self.processCPUSeconds() - startCPU)
    }

    /// Returns the CPU time of all the process's threads, in seconds with nanosecond resolution.
    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// A diagnoser that labels by the TF-IDF model, as `--llm none` does, and keeps each window's analysis.
final class RecordingDiagnoser: Diagnoser {
    struct Entry: Sendable {
        var window: FaultWindow
        var analysis: WindowAnalysis
    }

    var name: String { "none" }
    private let entries = Mutex<[Entry]>([])

    func diagnose(_ window: FaultWindow, analysis: WindowAnalysis) async -> Diagnosis {
        entries.withLock { $0.append(Entry(window: window, analysis: analysis)) }
        return Diagnosis(label: analysis.label, labelSource: .tfidf)
    }

    var recorded: [Entry] {
        entries.withLock { $0 }
    }
}
