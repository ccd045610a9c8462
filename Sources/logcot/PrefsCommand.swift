import Foundation
import LogCoT

/// `logcot prefs build` and `logcot prefs convert`: preference pairs for IPO tuning.
enum PrefsCommand {
    static let usage = """
        Usage: logcot prefs build --windows LABELLED --candidate URL[=MODEL]... --evaluator URL[=MODEL]
                                  --out PREFS [--pool FILE] [--samples N] [--format trl|sharegpt]
                                  [--threshold S] [--temperature T] [--concurrency N] [--config FILE] [--quiet]
               logcot prefs convert --in FILE --out FILE --format trl|sharegpt [--config FILE]

        build: each candidate model answers every labelled window --samples times with the few-shot prompt
        (example-induced) and as often with the correct label added (label-induced). The evaluator model
        scores each answer from 1 to 10 against the correct label and reasoning; a score of at least
        --threshold is good, and an answer whose label is wrong or missing is always bad. Every good answer
        paired with every bad answer to the same window becomes one {prompt, chosen, rejected} record.
        The graded answers go to PREFS.samples.jsonl; a killed build continues from it when run again with
        the same --out, and PREFS is rewritten from it at the end of every run.
        convert: reads pairs in either format and writes them in the other (or the same) one.

        Options:
          --windows FILE        labelled windows: JSON lines {id, lines, label, reasoning?} or the LogCoT
                                authors' JSON arrays (required for build)
          --candidate URL[=M]   a candidate model's OpenAI-compatible base URL and model name; repeat the
                                option for each candidate (required for build)
          --evaluator URL[=M]   the evaluator model's base URL and model name (required for build)
          --out FILE            preference pairs (required)
          --pool FILE           few-shot examples (default: the config's filtering.poolFile, else the
                                built-in pool); up to llm.examplesPerClass per class go into each prompt
          --samples N           answers per candidate, window and prompting mode (default 10)
          --format F            trl (default): JSON lines of chat messages, as TRL's DPOTrainer reads them;
                                sharegpt: the LogCoT authors' JSON array of {label, chosen, rejected}
          --threshold S         lowest evaluator score, 1 to 10, of a good answer (default 7)
          --temperature T       candidates' sampling temperature, 0 to 2 (default 1.0)
          --concurrency N       requests in flight per endpoint (default: the config's
                                llm.maxConcurrentRequests, 2)
          --in FILE             pairs to convert, in either format (required for convert)
          --config FILE         JSON5 config: its labels and llm sections apply
          --quiet               no progress bar on standard error

        Model names default to the config's llm.model. Exit status 1 means some windows failed after
        retries; run the same command again to retry them.
        """

    static func main(_ arguments: [String]) async -> Int32 {
        let logger = Logger(label: "prefs")
        guard let subcommand = arguments.first, ["build", "convert"].contains(subcommand) else {
            printError("logcot prefs: expected the subcommand build or convert\n\n\(usage)")
            return 2
        }

        do {
            let options = try PrefsOptions(Array(arguments.dropFirst()), subcommand: subcommand)
            if subcommand == "convert" {
                try convert(options, logger: logger)
                return 0
            }
            return try await build(options, logger: logger)
        } catch let error as UsageError {
            printError("logcot prefs: \(error)\n\n\(usage)")
            return 2
        } catch let error as ConfigError {
            printError(error.description)
            return 2
        } catch let error as ChatClientError {
            printError("logcot prefs: \(error)")
            return 2
        } catch {
            logger.error("prefs \(subcommand) failed", ["error": String(describing: error)])
            printError("logcot prefs: \(error)")
            return 1
        }
    }

    static func build(_ options: PrefsOptions, logger: Logger) async throws -> Int32 {
        let config = try OfflineCommandSupport.loadConfig(options.configPath)
        logger.setMinimumLevel(config.logLevel)
        let labels = config.labels
        let concurrency = options.concurrency ?? config.llm.client.maxConcurrentRequests

        func client(_ endpoint: (url: URL, model: String?), temperature: Double) throws -> ChatClient {
            var clientConfig = config.llm.client
            clientConfig.baseURL = endpoint.url
            clientConfig.model = endpoint.model ?? clientConfig.model
            clientConfig.temperature = temperature
            clientConfig.maxConcurrentRequests = concurrency
            return try ChatClient(config: clientConfig, logger: logger.child("llm"))
        }

        let template = try config.llm.promptTemplate.map { try PromptTemplate.load(from: URL(fileURLWithPath: $0)) } ?? .builtin
        let builder = PromptBuilder(template: template, labels: labels)
        let candidates = try options.candidates.map {
            TwoRoundDialogue(client: try client($0, temperature: options.temperature), builder: builder, constraint: config.llm.labelConstraint)
        }
        let evaluator = ResponseEvaluator(client: try client(options.evaluator, temperature: 0), labels: labels)

        let poolPath = options.poolPath ?? config.filtering.poolFile
        let pool = try poolPath.map { try ExamplePool.load(from: URL(fileURLWithPath: $0), labels: labels) } ?? BuiltinPool.pool
        let windows = try WindowFile.load(from: URL(fileURLWithPath: options.windowsPath), labels: labels)

        let samplesPath = OfflineCommandSupport.sibling(of: options.outputPath, suffix: "samples")
        let prefs = PreferenceBuilder(
            candidates: candidates,
            evaluator: evaluator,
            builder: builder,
            examplesByWindow: try FewShotPlanner.examples(for: windows, pool: pool, config: config, logger: logger),
            samplesPerMode: options.samples,
            goodThreshold: options.threshold,
            showProgress: !options.quiet,
            logger: logger
        )
        let (summary, records) = try await prefs.build(windows: windows, samplesPath: samplesPath)

        var pairs: [PreferencePair] = []
        for record in records {
            let code = labels.label(id: record.label).map { String($0.code) }
            pairs += record.pairs(labelCode: code ?? record.label)
        }
        try OfflineCommandSupport.writeAtomically(String(decoding: try options.format.encode(pairs), as: UTF8.self), to: options.outputPath)
        logger.info("preference pairs written", ["file": options.outputPath, "pairs": String(pairs.count), "format": options.format.rawValue])
        if pairs.isEmpty && !records.isEmpty {
            logger.warning("no window has both a good and a bad answer, so there are no pairs; check the evaluator's answers in the samples file, or change --threshold or --samples", ["samples_file": samplesPath])
        }

        printError("""
            prefs build summary:
              windows           \(summary.windows) (\(summary.resumed) from an earlier run, \(summary.skipped) skipped without label or lines)
              graded            \(summary.completed) windows this run: \(summary.good) good, \(summary.bad) bad, \(summary.unscored) unscored answers
              failed            \(summary.failed)
              pairs             \(pairs.count) from \(records.count) windows in \(options.outputPath) (\(options.format.rawValue))
            """)
        if summary.failed > 0 {
            printError("logcot prefs: \(summary.failed) windows failed after retries; run the same command again to retry them")
            return 1
        }
        return 0
    }

    static func convert(_ options: PrefsOptions, logger: Logger) throws {
        let config = try OfflineCommandSupport.loadConfig(options.configPath)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: options.inputPath))
        } catch {
            throw UsageError("cannot read --in '\(options.inputPath)': \(error.localizedDescription)")
        }
        var pairs = try PreferenceFormat.decode(data, source: options.inputPath)

        // The TRL lines carry no label; the authors' format wants one, so it is read from the chosen answer.
        let parser = LabelParser(labels: config.labels)
        for index in pairs.indices where pairs[index].label == nil {
            if let answer = pairs[index].chosen.last(where: { $0.role == .assistant }), case .label(let label) = parser.parse(answer.content) {
                pairs[index].label = String(label.code)
            }
        }
        try OfflineCommandSupport.writeAtomically(String(decoding: try options.format.encode(pairs), as: UTF8.self), to: options.outputPath)
        logger.info("preference pairs converted", ["in": options.inputPath, "out": options.outputPath, "pairs": String(pairs.count), "format": options.format.rawValue])
    }
}

/// The parsed options of `logcot prefs build` and `logcot prefs convert`.
struct PrefsOptions {
    var windowsPath = ""
    var inputPath = ""
    var outputPath: String
    var candidates: [(url: URL, model: String?)] = []
    var evaluator: (url: URL, model: String?) = (URL(fileURLWithPath: "/"), nil)
    var poolPath: String?
    var samples = 10
    var format = PreferenceFormat.trl
    var threshold = 7
    var temperature = 1.0
    var concurrency: Int?
    var configPath: String?
    var quiet: Bool

    init(_ arguments: [String], subcommand: String) throws {
        let parsed = try CommandLineArguments(
            arguments,
            flags: ["quiet"],
            options: ["windows", "candidate", "evaluator", "out", "pool", "samples", "format", "threshold", "temperature", "concurrency", "in", "config"],
            multiValued: ["candidate"]
        )
        guard parsed.positional.isEmpty else {
            throw UsageError("unexpected argument '\(parsed.positional[0])'")
        }
        guard let out = parsed.value("out") else {
            throw UsageError("missing --out; name the preference file to write, such as prefs.jsonl")
        }
        outputPath = out
        configPath = parsed.value("config")
        quiet = parsed.has("quiet")
        if let text = parsed.value("format") {
            guard let value = PreferenceFormat(rawValue: text) else {
                throw UsageError("invalid --format '\(text)'; use trl or sharegpt")
            }
            format = value
        }

        if subcommand == "convert" {
            guard let input = parsed.value("in") else {
                throw UsageError("missing --in; name the preference file to convert")
            }
            guard parsed.value("format") != nil else {
                throw UsageError("missing --format; name the output format, trl or sharegpt")
            }
            inputPath = input
            return
        }

        guard let windows = parsed.value("windows") else {
            throw UsageError("missing --windows; name the labelled windows file")
        }
        windowsPath = windows
        candidates = try parsed.values("candidate").map { try OfflineCommandSupport.endpoint($0, option: "--candidate") }
        guard !candidates.isEmpty else {
            throw UsageError("missing --candidate; name at least one candidate model endpoint")
        }
        guard let evaluatorText = parsed.value("evaluator") else {
            throw UsageError("missing --evaluator; name the evaluator model endpoint")
        }
        evaluator = try OfflineCommandSupport.endpoint(evaluatorText, option: "--evaluator")
        poolPath = parsed.value("pool")
        samples = try OfflineCommandSupport.positiveInt(parsed, "samples", default: 10)
        threshold = try OfflineCommandSupport.positiveInt(parsed, "threshold", default: 7)
        guard (1...10).contains(threshold) else {
            throw UsageError("invalid --threshold '\(threshold)'; use a score from 1 to 10")
        }
        if let text = parsed.value("temperature") {
            guard let value = Double(text), (0...2).contains(value) else {
                throw UsageError("invalid --temperature '\(text)'; use a number from 0 to 2")
            }
            temperature = value
        }
        if parsed.value("concurrency") != nil {
            concurrency = try OfflineCommandSupport.positiveInt(parsed, "concurrency", default: 2)
        }
    }
}
