import Foundation
import LogCoT

/// Pre-LLM pipeline throughput on the real logs, and per-stage throughput on SEL lines.
///
/// Lines are read into memory first and each pass runs a fresh pipeline with the TF-IDF diagnoser
/// and a sink that encodes reports and discards them. The timed part is `ingest` of every line plus
/// `finish`; building the pipeline and loading tickets are not timed.
struct BenchThroughput {
    let options: BenchOptions

    /// One input set: lines of one format, with tickets or with the trigger rules opening windows.
    struct Dataset {
        var name: String
        var lines: [RawLine]
        var format: LogFormat
        var tickets: [FaultEvent]
        var referenceTime: Date
    }

    static let selTarget = BenchTarget(.atLeast, 1_000_000)

    func run() async throws -> [BenchFigure] {
        var figures: [BenchFigure] = []
        for dataset in try datasets() {
            figures += try await measure(dataset)
        }
        figures += try stageFigures()
        return figures
    }

    func datasets() throws -> [Dataset] {
        let tianchi = options.dataFile("tianchi-sel")
        let selResolver = TimestampResolver(zone: .gmt)
        let (tickets, _) = try TicketLoader(resolver: selResolver).load(from: tianchi.appendingPathComponent("preliminary_submit_dataset_a.csv"))
        var result = [Dataset(
            name: "sel tianchi",
            lines: try BenchSupport.readLines(tianchi.appendingPathComponent("preliminary_sel_log_dataset_a.csv")),
            format: .selCSV,
            tickets: tickets,
            referenceTime: Date()
        )]

        // The loghub and switch samples carry no year; placing them near these dates keeps them in order.
        let loghub = options.dataFile("loghub")
        for name in ["BGL_2k.log", "HDFS_2k.log", "Linux_2k.log", "OpenSSH_2k.log", "Thunderbird_2k.log"] {
            let lines = try BenchSupport.readLines(loghub.appendingPathComponent(name))
            let format = ParserFactory.detect(sampleLines: lines.prefix(20).map(\.text))
            result.append(Dataset(name: "loghub \(name)", lines: lines, format: format, tickets: [], referenceTime: Date()))
        }

        var switchLines: [RawLine] = []
        let switchDirectory = options.dataFile("switch")
        for folder in try FileManager.default.contentsOfDirectory(atPath: switchDirectory.path).sorted() {
            let folderURL = switchDirectory.appendingPathComponent(folder)
            for file in try FileManager.default.contentsOfDirectory(atPath: folderURL.path).sorted() {
                switchLines += try BenchSupport.readLines(folderURL.appendingPathComponent(file))
            }
        }
        result.append(Dataset(name: "switch iosxr", lines: switchLines, format: .syslog, tickets: [], referenceTime: Date(timeIntervalSince1970: 1_504_224_000)))
        return result
    }

    /// Times full passes of the pipeline over one dataset.
    func measure(_ dataset: Dataset) async throws -> [BenchFigure] {
        let resolver = TimestampResolver(zone: .gmt, referenceTime: dataset.referenceTime)
        let parser = ParserFactory.make(dataset.format, resolver: resolver)
        var statistics = PipelineStatistics()
        let (passes, elapsed) = try await BenchSupport.repeatTimed(minSeconds: options.minSeconds) {
            let pipeline = try BenchSupport.makePipeline(sink: try BenchSupport.discardingSink(), triggers: dataset.tickets.isEmpty)
            for ticket in dataset.tickets {
                try await pipeline.addFault(ticket)
            }
            let stopwatch = Stopwatch()
            for line in dataset.lines {
                try await pipeline.ingest(line, parser: parser)
            }
            try await pipeline.finish()
            statistics = pipeline.statistics
            return stopwatch.elapsed
        }

        let lineCount = Double(dataset.lines.count * passes)
        let byteCount = Double(BenchSupport.byteCount(dataset.lines) * passes)
        let note = "\(dataset.lines.count) lines x \(passes) passes, \(statistics.records) records, \(statistics.rejected) rejected, \(statistics.windowsClosed) windows per pass"
        return Self.rateFigures(name: "\(dataset.name) pipeline", lines: lineCount, bytes: byteCount, elapsed: elapsed, isSEL: dataset.format == .selCSV, note: note)
    }

    /// Lines per CPU second (the per-core figure that the target applies to), lines and MB per wall second.
    static func rateFigures(name: String, lines: Double, bytes: Double, elapsed: Elapsed, isSEL: Bool, note: String) -> [BenchFigure] {
        [
            BenchFigure(item: "throughput", name: name, value: lines / elapsed.cpu, unit: "lines/cpu-s", target: isSEL ? selTarget : nil, note: note),
            BenchFigure(item: "throughput", name: name, value: lines / elapsed.wall, unit: "lines/s"),
            BenchFigure(item: "throughput", name: name, value: bytes / elapsed.wall / 1e6, unit: "MB/s"),
        ]
    }

    /// Times each pre-window stage alone over the Tianchi SEL lines, to show where the time goes.
    func stageFigures() throws -> [BenchFigure] {
        let lines = try BenchSupport.readLines(options.dataFile("tianchi-sel/preliminary_sel_log_dataset_a.csv"))
        let parser = SELCSVParser(resolver: TimestampResolver(zone: .gmt))
        var records: [LogRecord] = []
        for line in lines {
            if case .record(let record) = parser.parse(line) {
                records.append(record)
            }
        }
        let masker = try Masker(secret: "logcot-bench-key")
        let masked = records.map { masker.mask($0.message, host: $0.host) }
        let templates = masked.map { TemplateMiner.template(of: $0) }

        func rate(_ count: Int, _ body: () -> Int) -> (Double, Int) {
            var passes = 0
            var checksum = 0
            let stopwatch = Stopwatch()
            while passes < 3 || stopwatch.elapsed.wall < options.minSeconds / 2 {
                checksum &+= body()
                passes += 1
            }
            return (Double(count * passes) / stopwatch.elapsed.cpu, checksum)
        }

        let parse = rate(lines.count) {
            var parsed = 0
            for line in lines {
                if case .record = parser.parse(line) { parsed += 1 }
            }
            return parsed
        }
        let mask = rate(records.count) {
            records.reduce(0) { $0 &+ masker.mask($1.message, host: $1.host).utf8.count }
        }
        let template = rate(masked.count) {
            masked.reduce(0) { $0 &+ TemplateMiner.template(of: $1).utf8.count }
        }
        let terms = rate(templates.count) {
            templates.reduce(0) { $0 &+ TermExtractor.terms(of: $1).count }
        }
        let note = "Tianchi SEL lines in memory, one stage alone"
        return [
            BenchFigure(item: "throughput", name: "sel stage parse", value: parse.0, unit: "lines/cpu-s", note: note),
            BenchFigure(item: "throughput", name: "sel stage mask", value: mask.0, unit: "lines/cpu-s", note: note),
            BenchFigure(item: "throughput", name: "sel stage template", value: template.0, unit: "lines/cpu-s", note: note),
            BenchFigure(item: "throughput", name: "sel stage terms", value: terms.0, unit: "lines/cpu-s", note: note),
        ]
    }
}
