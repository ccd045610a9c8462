import Foundation
import LogCoT

/// Prompt cost of the TF-IDF filter with template compaction, and whether the decisive line survives it.
///
/// Tokens are estimated as `WindowAnalyzer.estimatedTokens` does (UTF-8 bytes / 4 + 1 per line, +2 per
/// kept line for its count and times), so the figures are estimates, not a tokenizer's counts.
/// The kept side is the window's key lines; the raw side is every line of the window sent verbatim.
/// The full round-1 prompt adds the system text and the label list, without few-shot examples.
struct BenchPrompt {
    let options: BenchOptions

    static let ratioTarget = BenchTarget(.atMost, 0.25)
    static let survivalTarget = BenchTarget(.atLeast, 0.99)

    func run() async throws -> [BenchFigure] {
        var figures: [BenchFigure] = []
        let throughput = BenchThroughput(options: options)
        for dataset in try throughput.datasets() where dataset.name == "sel tianchi" || dataset.name == "switch iosxr" {
            figures += try await tokenFigures(dataset)
        }
        figures += try await survivalFigures()
        return figures
    }

    func tokenFigures(_ dataset: BenchThroughput.Dataset) async throws -> [BenchFigure] {
        let recorder = RecordingDiagnoser()
        let pipeline = try BenchSupport.makePipeline(sink: try BenchSupport.discardingSink(), diagnoser: recorder, triggers: dataset.tickets.isEmpty)
        for ticket in dataset.tickets {
            try await pipeline.addFault(ticket)
        }
        let parser = ParserFactory.make(dataset.format, resolver: TimestampResolver(zone: .gmt, referenceTime: dataset.referenceTime))
        for line in dataset.lines {
            try await pipeline.ingest(line, parser: parser)
        }
        try await pipeline.finish()

        let builder = PromptBuilder(labels: pipeline.config.labels)
        var kept = 0
        var raw = 0
        var keptPrompt = 0
        var rawPrompt = 0
        var ratios: [Double] = []
        var windows = 0
        for entry in recorder.recorded where entry.window.counts.seen > 0 {
            windows += 1
            kept += entry.analysis.keptTokens
            raw += entry.analysis.rawTokens
            ratios.append(Double(entry.analysis.keptTokens) / Double(max(1, entry.analysis.rawTokens)))
            let keptLines = entry.analysis.keyLines.map(\.text)
            let rawLines = entry.window.lines.map(\.text)
            if !keptLines.isEmpty, !rawLines.isEmpty {
                keptPrompt += try promptTokens(builder.round1Messages(windowLines: keptLines, examples: []))
                rawPrompt += try promptTokens(builder.round1Messages(windowLines: rawLines, examples: []))
            }
        }
        guard windows > 0 else {
            return [BenchFigure(item: "prompt", name: "\(dataset.name) kept/raw tokens", value: nil, unit: "ratio", note: "no window held lines")]
        }
        let note = "\(windows) windows with lines; estimate of bytes/4"
        return [
            BenchFigure(item: "prompt", name: "\(dataset.name) raw window tokens", value: Double(raw) / Double(windows), unit: "tokens/window", note: note),
            BenchFigure(item: "prompt", name: "\(dataset.name) kept tokens", value: Double(kept) / Double(windows), unit: "tokens/window"),
            BenchFigure(item: "prompt", name: "\(dataset.name) kept/raw tokens", value: Double(kept) / Double(max(1, raw)), unit: "ratio", target: Self.ratioTarget, note: "sum over windows"),
            BenchFigure(item: "prompt", name: "\(dataset.name) kept/raw per window p50", value: Percentiles.nearestRank(ratios, percent: 50), unit: "ratio"),
            BenchFigure(item: "prompt", name: "\(dataset.name) round-1 prompt kept/raw", value: Double(keptPrompt) / Double(max(1, rawPrompt)), unit: "ratio", note: "system and user messages without examples; stored lines only"),
        ]
    }

    private func promptTokens(_ messages: [ChatMessage]) -> Int {
        messages.reduce(0) { $0 + WindowAnalyzer.estimatedTokens($1.content) }
    }

    /// Replays each labelled window of the authors' training file and checks that a decisive line's
    /// template is among the kept lines. Lines get one-second steps and the ticket lies on the last one.
    func survivalFigures() async throws -> [BenchFigure] {
        let url = options.dataFile("logcot-d1/train_62.json")
        let config = LogCoTConfig()
        let pool = try ExamplePool.load(from: url, labels: config.labels)
        let recorder = RecordingDiagnoser()
        let pipeline = try BenchSupport.makePipeline(sink: try BenchSupport.discardingSink(), diagnoser: recorder, triggers: false)

        var decisiveTemplates: [String: Set<String>] = [:]
        var unmatched = 0
        let start = Date(timeIntervalSince1970: 1_600_000_000)
        for (index, example) in pool.examples.enumerated() {
            let host = "train-\(index)"
            let lines = example.lines.map { $0.trimmingCharacters(in: .whitespaces) }
            let decisive = DecisiveLines.find(in: lines, reasoning: example.reasoning)
            guard !decisive.isEmpty else {
                unmatched += 1
                continue
            }
            decisiveTemplates[host] = Set(decisive.map { TemplateMiner.template(of: pipeline.masker.mask(lines[$0], host: host)) })

            let faultTime = start.addingTimeInterval(Double(lines.count))
            try await pipeline.addFault(FaultEvent(host: host, time: faultTime, origin: .ticket, detail: example.id))
            for (offset, line) in lines.enumerated() {
                let time = start.addingTimeInterval(Double(offset + 1))
                try await pipeline.process(LogRecord(host: host, timestamp: time, timestampText: "", message: line))
            }
        }
        try await pipeline.finish()

        var kept = 0
        for entry in recorder.recorded {
            guard let wanted = decisiveTemplates[entry.window.host] else {
                continue
            }
            if entry.analysis.keyLines.contains(where: { wanted.contains($0.template) }) {
                kept += 1
            }
        }
        let checked = decisiveTemplates.count
        return [
            BenchFigure(
                item: "prompt",
                name: "train_62 decisive line kept",
                value: checked == 0 ? nil : Double(kept) / Double(checked),
                unit: "share",
                target: Self.survivalTarget,
                note: "\(kept) of \(checked) windows; \(unmatched) windows whose reasoning names no line are left out"
            ),
        ]
    }
}
