import Foundation
import LogCoT

/// Time from a window's close to its report being written, without an LLM.
///
/// The Tianchi SEL lines are replayed with their tickets through a pipeline with the TF-IDF
/// diagnoser and a JSON-lines file sink. A window closes inside the `ingest` call of the line that
/// moves its host's watermark past the window's end (or inside `finish`). The sample is the duration
/// of each call that closed windows, so it also includes that one line's parse and mask. When a call
/// closes several windows, it also includes the last report's wait for the others.
struct BenchLatency {
    let options: BenchOptions

    static let p99Target = BenchTarget(.atMost, 5)

    func run() async throws -> [BenchFigure] {
        let tianchi = options.dataFile("tianchi-sel")
        let resolver = TimestampResolver(zone: .gmt)
        let (tickets, _) = try TicketLoader(resolver: resolver).load(from: tianchi.appendingPathComponent("preliminary_submit_dataset_a.csv"))
        let lines = try BenchSupport.readLines(tianchi.appendingPathComponent("preliminary_sel_log_dataset_a.csv"))
        let parser = SELCSVParser(resolver: resolver)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("logcot-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipeline = try BenchSupport.makePipeline(sink: try JSONLinesReportSink(path: directory.appendingPathComponent("reports.jsonl").path), triggers: false)
        for ticket in tickets {
            try await pipeline.addFault(ticket)
        }

        var samples: [Double] = []
        var cpuSamples: [Double] = []
        func timedIngest(_ line: RawLine) async throws {
            let closedBefore = pipeline.statistics.windowsClosed
            let stopwatch = Stopwatch()
            try await pipeline.ingest(line, parser: parser)
            if pipeline.statistics.windowsClosed > closedBefore {
                let elapsed = stopwatch.elapsed
                samples.append(elapsed.wall * 1000)
                cpuSamples.append(elapsed.cpu * 1000)
            }
        }
        for line in lines {
            try await timedIngest(line)
        }

        // Each host still open gets one line a day past its newest, which closes its windows by watermark.
        let openHosts = Set(tickets.map(\.host)).sorted()
        for (index, host) in openHosts.enumerated() {
            let text = "\(host),2099-01-01 00:00:00, System Event #0x10 | Timestamp Clock Sync | Asserted,SM"
            try await timedIngest(RawLine(text: text, origin: "bench", position: index + 1))
        }
        try await pipeline.finish()

        let note = "\(samples.count) closing calls, \(pipeline.statistics.windowsClosed) windows, TF-IDF diagnoser, JSON-lines file sink"
        return [
            BenchFigure(item: "latency", name: "close to report p50", value: Percentiles.nearestRank(samples, percent: 50), unit: "ms", note: note),
            BenchFigure(item: "latency", name: "close to report p99", value: Percentiles.nearestRank(samples, percent: 99), unit: "ms", target: Self.p99Target),
            BenchFigure(item: "latency", name: "close to report max", value: Percentiles.nearestRank(samples, percent: 100), unit: "ms"),
            BenchFigure(item: "latency", name: "close to report CPU p50", value: Percentiles.nearestRank(cpuSamples, percent: 50), unit: "cpu-ms", note: "process CPU time of the same calls, which waiting for a core does not inflate"),
            BenchFigure(item: "latency", name: "close to report CPU p99", value: Percentiles.nearestRank(cpuSamples, percent: 99), unit: "cpu-ms", target: Self.p99Target),
        ]
    }
}
