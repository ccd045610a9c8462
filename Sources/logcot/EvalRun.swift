import Foundation
import LogCoT

/// One evaluation: loads the input, splits it, runs or scores the cases, prints the table and writes the JSON.
struct EvalRun {
    let options: EvalOptions
    let logger: Logger
    var config: LogCoTConfig

    init(options: EvalOptions, logger: Logger) throws {
        self.options = options
        self.logger = logger
        config = try options.configPath.map { try LogCoTConfig.load(from: URL(fileURLWithPath: $0)) } ?? LogCoTConfig()
        logger.setMinimumLevel(config.logLevel)

        if let poolPath = options.poolPath {
            config.filtering.poolFile = poolPath
        }
        switch options.llm {
        case "none"?:
            config.llm.enabled = false
        case let url?:
            config.llm.enabled = true
            config.llm.client.baseURL = URL(string: url)
        case nil:
            break
        }
    }

    /// Runs the evaluation and returns the exit status.
    func execute() async throws -> Int32 {
        let report: EvaluationReport
        var fellBack = false
        if let responsesPath = options.responsesPath {
            report = try scoreResponses(responsesPath)
        } else if let windowsPath = options.windowsPath {
            (report, fellBack) = try await evaluateWindows(windowsPath)
        } else {
            throw UsageError("pass exactly one of --windows FILE and --responses FILE")
        }

        print(EvaluationTable.render(report), terminator: "")
        if let jsonPath = options.jsonPath {
            try writeJSON(report, to: jsonPath)
        }
        logger.info("eval finished", [
            "cases": String(report.primary.cases),
            "accuracy": String(format: "%.4f", report.primary.metrics.accuracy),
            "json": options.jsonPath ?? "(none)",
        ])

        if fellBack {
            logger.error("every LLM diagnosis failed and fell back to the TF-IDF label, so these figures are not the LLM's; check that the server at llm.baseURL or --llm is up")
            return 1
        }
        return 0
    }

    private func scoreResponses(_ path: String) throws -> EvaluationReport {
        logger.info("eval started", ["responses": path])
        let cases = try ResponseScorer(labels: config.labels).score(fileAt: URL(fileURLWithPath: path))
        guard !cases.isEmpty else {
            throw UsageError("the responses file '\(path)' has no responses; add JSON lines {id, label, response}")
        }
        let summary = EvaluationSummary(name: "responses", cases: cases, labels: config.labels)
        return EvaluationReport(primary: summary, input: path, model: nil, split: nil, baseline: nil)
    }

    private func evaluateWindows(_ path: String) async throws -> (EvaluationReport, fellBack: Bool) {
        let windows = try WindowFile.load(from: URL(fileURLWithPath: path), labels: config.labels)
        if let unlabelled = windows.first(where: { $0.label == nil }) {
            throw UsageError("window '\(unlabelled.id)' in '\(path)' has no label; eval needs labelled windows, so add a label or remove the window")
        }
        guard !windows.isEmpty else {
            throw UsageError("the windows file '\(path)' has no windows; add JSON lines {id, lines, label}")
        }

        var test = windows
        var pool: ExamplePool
        var splitDescription: SplitDescription?
        if let seed = options.splitSeed {
            let split = try DatasetSplit(windows: windows, seed: seed, poolFraction: options.poolFraction, preferenceFraction: options.preferenceFraction)
            splitDescription = SplitDescription(split, seed: seed, poolFraction: options.poolFraction, preferenceFraction: options.preferenceFraction)
            if !split.addedForCoverage.isEmpty {
                logger.info("the split's pool received one window of each class it lacked, so that every class has an example", ["labels": split.addedForCoverage.joined(separator: ",")])
            }
            if let directory = options.splitOut {
                try writeSplit(split, to: directory)
            }
            test = split.test
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            pool = ExamplePool(examples: split.pool.compactMap(\.poolExample), version: "\(name)-split\(seed)")
        } else {
            pool = try PipelineFactory(config: config, logger: logger).loadPool()
        }
        if let limit = options.limit {
            test = Array(test.prefix(limit))
        }
        guard !test.isEmpty else {
            throw UsageError("no windows are left to evaluate; lower the split fractions or use a larger file")
        }

        let evaluator = try WindowEvaluator(config: config, pool: pool, logger: logger)
        let usesLLM = evaluator.diagnoser is LLMDiagnoser
        logger.info("eval started", [
            "windows": path,
            "cases": String(test.count),
            "pool": pool.version,
            "pool_examples": String(pool.examples.count),
            "diagnoser": evaluator.diagnoser.name,
        ])
        let progress = EvalProgress(enabled: !options.quiet)
        let cases = await evaluator.evaluate(test) { done, total in
            progress.update(done: done, total: total)
        }

        let primary = EvaluationSummary(name: usesLLM ? "llm" : "tfidf", cases: cases, labels: config.labels)
        let baseline = options.baseline ? EvaluationSummary(baselineOf: cases, labels: config.labels) : nil
        let report = EvaluationReport(
            primary: primary,
            input: path,
            model: usesLLM ? config.llm.client.model : nil,
            split: splitDescription,
            baseline: baseline
        )
        return (report, usesLLM && primary.fallbacks == primary.cases)
    }

    private func writeSplit(_ split: DatasetSplit, to directory: String) throws {
        let folder = URL(fileURLWithPath: directory)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw UsageError("cannot create --split-out directory '\(directory)': \(error.localizedDescription)")
        }
        for (name, records) in [("pool", split.pool), ("preference", split.preference), ("test", split.test)] {
            let writer = try WindowFileWriter(path: folder.appendingPathComponent("\(name).jsonl").path, truncate: true)
            defer { writer.close() }
            for record in records {
                try writer.write(record)
            }
        }
        logger.info("split written", ["directory": directory, "pool": String(split.pool.count), "preference": String(split.preference.count), "test": String(split.test.count)])
    }

    private func writeJSON(_ report: EvaluationReport, to path: String) throws {
        let data = try report.json() + Data("\n".utf8)
        if path == "-" {
            FileHandle.standardOutput.write(data)
            return
        }
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw UsageError("cannot write --json '\(path)': \(error.localizedDescription); check that the directory exists and is writable")
        }
    }
}

/// Prints `progress: N/M cases` on standard error at most every two seconds, and at the end.
final class EvalProgress: @unchecked Sendable {
    let enabled: Bool
    private let lock = NSLock()
    private var lastPrinted = Date.distantPast

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func update(done: Int, total: Int) {
        guard enabled else {
            return
        }
        lock.withLock {
            let now = Date()
            guard done == total || now.timeIntervalSince(lastPrinted) >= 2 else {
                return
            }
            lastPrinted = now
            printError("progress: \(done)/\(total) cases")
        }
    }
}
