import Foundation
import LogCoT

/// `logcot pool build` and `logcot pool select`: the example pool of the few-shot prompt.
enum PoolCommand {
    static let usage = """
        Usage: logcot pool build --windows FILE --out POOL.jsonl [--config FILE] [--llm URL] [--model NAME]
                                 [--k N] [--selected FILE] [--concurrency N] [--duplicate-threshold X] [--quiet]
               logcot pool select --pool POOL.jsonl --selected FILE [--config FILE] [--k N]
                                  [--duplicate-threshold X]

        build: asks a large model to label each unlabelled window with a zero-shot chain-of-thought
        dialogue (round 1 ends "Let's think step by step.", round 2 "Therefore, the answer is", answered
        from the configured label set), appends each result to POOL.jsonl, then selects k representative
        windows per predicted class into the selected pool that the daemon reads (filtering.poolFile).
        A killed build continues where it stopped when run again with the same --out.
        select: redoes only the selection from an existing pool file.

        Options:
          --windows FILE            windows as JSON lines {id, lines, ...} (as `logcot replay --emit-windows`
                                    writes them) or the LogCoT authors' JSON arrays (required for build)
          --out FILE                pool file, JSON lines {id, lines, reasoning, label, model, prompt_version};
                                    windows already in it are skipped (required for build)
          --pool FILE               pool file to select from (required for select)
          --config FILE             JSON5 config: its labels and llm sections apply
          --llm URL[=MODEL]         base URL of the OpenAI-compatible server, such as http://127.0.0.1:8000/v1,
                                    optionally with the model name; default: the config's llm.baseURL, else
                                    OPENAI_BASE_URL
          --model NAME              model name sent in each request (default: the config's llm.model)
          --k N                     representatives per class (default: the config's llm.examplesPerClass, 3)
          --selected FILE           selected pool (default: POOL.selected.jsonl beside --out)
          --concurrency N           windows in flight at once (default: the config's
                                    llm.maxConcurrentRequests, 2)
          --duplicate-threshold X   TF-IDF cosine similarity from which two windows count as near-duplicates
                                    and only the nearer one to the class centroid is kept (default 0.95)
          --quiet                   no progress bar on standard error

        Windows whose answer names no single label go to POOL.unlabelled.jsonl and stay out of the pool.
        Exit status 1 means some windows failed after retries; run the same command again to retry them.
        """

    static func main(_ arguments: [String]) async -> Int32 {
        let logger = Logger(label: "pool")
        guard let subcommand = arguments.first, ["build", "select"].contains(subcommand) else {
            printError("logcot pool: expected the subcommand build or select\n\n\(usage)")
            return 2
        }

        do {
            let options = try PoolOptions(Array(arguments.dropFirst()), subcommand: subcommand)
            if subcommand == "build" {
                return try await build(options, logger: logger)
            }
            try select(options, poolPath: options.poolPath, logger: logger)
            return 0
        } catch let error as UsageError {
            printError("logcot pool: \(error)\n\n\(usage)")
            return 2
        } catch let error as ConfigError {
            printError(error.description)
            return 2
        } catch let error as ChatClientError {
            printError("logcot pool: \(error); or pass --llm URL")
            return 2
        } catch {
            logger.error("pool \(subcommand) failed", ["error": String(describing: error)])
            printError("logcot pool: \(error)")
            return 1
        }
    }

    static func build(_ options: PoolOptions, logger: Logger) async throws -> Int32 {
        var config = try OfflineCommandSupport.loadConfig(options.configPath)
        logger.setMinimumLevel(config.logLevel)
        if let url = options.llm {
            config.llm.client.baseURL = url
        }
        if let model = options.model {
            config.llm.client.model = model
        }
        let concurrency = options.concurrency ?? config.llm.client.maxConcurrentRequests
        config.llm.client.maxConcurrentRequests = concurrency

        let windows = try WindowFile.load(from: URL(fileURLWithPath: options.windowsPath), labels: config.labels)
        let client = try ChatClient(config: config.llm.client, logger: logger.child("llm"))
        let dialogue = TwoRoundDialogue(
            client: client,
            builder: PromptBuilder(template: .zeroShot, labels: config.labels),
            constraint: config.llm.labelConstraint
        )
        let builder = PoolBuilder(dialogue: dialogue, concurrency: concurrency, showProgress: !options.quiet, logger: logger)
        let unlabelledPath = OfflineCommandSupport.sibling(of: options.outputPath, suffix: "unlabelled")
        let (summary, records) = try await builder.build(windows: windows, poolPath: options.outputPath, unlabelledPath: unlabelledPath)

        let selected = try writeSelection(records, options: options, labels: config.labels, k: options.k ?? config.llm.examplesPerClass, logger: logger)
        printError("""
            pool build summary:
              windows           \(summary.windows) (\(summary.resumed) from an earlier run, \(summary.empty) without lines)
              labelled          \(summary.labelled) this run, \(records.count) in \(options.outputPath)
              unlabelled        \(summary.unlabelled) this run (see \(unlabelledPath))
              failed            \(summary.failed)
              selected          \(selected) in \(options.selectedPath)
            """)
        if summary.failed > 0 {
            printError("logcot pool: \(summary.failed) windows failed after retries; run the same command again to retry them")
            return 1
        }
        return 0
    }

    static func select(_ options: PoolOptions, poolPath: String, logger: Logger) throws {
        let config = try OfflineCommandSupport.loadConfig(options.configPath)
        let pool = try ExamplePool.load(from: URL(fileURLWithPath: poolPath), labels: config.labels)
        let records = try readPoolRecords(poolPath, examples: pool.examples)
        let count = try writeSelection(records, options: options, labels: config.labels, k: options.k ?? config.llm.examplesPerClass, logger: logger)
        printError("selected \(count) of \(records.count) windows into \(options.selectedPath)")
    }

    /// Reads the pool file's records, keeping `model` and `prompt_version` where the file has them.
    static func readPoolRecords(_ path: String, examples: [PoolExample]) throws -> [PoolRecord] {
        struct Provenance: Decodable {
            var id: String
            var model: String?
            var prompt_version: String?
        }
        var provenance: [String: Provenance] = [:]
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(separator: "\n") {
            if let decoded = try? JSONDecoder().decode(Provenance.self, from: Data(line.utf8)) {
                provenance[decoded.id] = decoded
            }
        }
        return examples.map { example in
            let source = provenance[example.id]
            return PoolRecord(id: example.id, lines: example.lines, reasoning: example.reasoning, label: example.label,
                              model: source?.model ?? "unknown", promptVersion: source?.prompt_version ?? "unknown")
        }
    }

    private static func writeSelection(_ records: [PoolRecord], options: PoolOptions, labels: LabelSet, k: Int, logger: Logger) throws -> Int {
        let selector = RepresentativeSelector(perClass: k, duplicateThreshold: options.duplicateThreshold)
        let selected = selector.select(records, labels: labels)
        try OfflineCommandSupport.writeAtomically(try OfflineCommandSupport.jsonLines(selected), to: options.selectedPath)

        var perClass: [String: Int] = [:]
        for record in selected {
            perClass[record.label, default: 0] += 1
        }
        for label in labels.labels where perClass[label.id, default: 0] < k {
            logger.warning("class has fewer representatives than requested", [
                "label": label.id,
                "selected": String(perClass[label.id, default: 0]),
                "k": String(k),
            ])
        }
        logger.info("selected pool written", ["file": options.selectedPath, "examples": String(selected.count), "k": String(k)])
        return selected.count
    }
}

/// The parsed options of `logcot pool build` and `logcot pool select`.
struct PoolOptions {
    var windowsPath = ""
    var outputPath = ""
    var poolPath = ""
    var selectedPath: String
    var configPath: String?
    var llm: URL?
    var model: String?
    var k: Int?
    var concurrency: Int?
    var duplicateThreshold = 0.95
    var quiet: Bool

    init(_ arguments: [String], subcommand: String) throws {
        let parsed = try CommandLineArguments(
            arguments,
            flags: ["quiet"],
            options: ["windows", "out", "pool", "selected", "config", "llm", "model", "k", "concurrency", "duplicate-threshold"]
        )
        guard parsed.positional.isEmpty else {
            throw UsageError("unexpected argument '\(parsed.positional[0])'")
        }
        configPath = parsed.value("config")
        model = parsed.value("model")
        quiet = parsed.has("quiet")
        if let text = parsed.value("llm") {
            let endpoint = try OfflineCommandSupport.endpoint(text, option: "--llm")
            llm = endpoint.url
            model = model ?? endpoint.model
        }
        if parsed.value("k") != nil {
            k = try OfflineCommandSupport.positiveInt(parsed, "k", default: 3)
        }
        if parsed.value("concurrency") != nil {
            concurrency = try OfflineCommandSupport.positiveInt(parsed, "concurrency", default: 2)
        }
        if let text = parsed.value("duplicate-threshold") {
            guard let value = Double(text), value > 0, value <= 1 else {
                throw UsageError("invalid --duplicate-threshold '\(text)'; use a cosine similarity above 0 and at most 1, such as 0.95")
            }
            duplicateThreshold = value
        }

        if subcommand == "build" {
            guard let windows = parsed.value("windows") else {
                throw UsageError("missing --windows; name the windows file to label")
            }
            guard let out = parsed.value("out") else {
                throw UsageError("missing --out; name the pool file to write, such as pool.jsonl")
            }
            windowsPath = windows
            outputPath = out
            selectedPath = parsed.value("selected") ?? OfflineCommandSupport.sibling(of: out, suffix: "selected")
        } else {
            guard let pool = parsed.value("pool") else {
                throw UsageError("missing --pool; name the pool file to select from")
            }
            guard let selected = parsed.value("selected") else {
                throw UsageError("missing --selected; name the selected pool file to write")
            }
            poolPath = pool
            selectedPath = selected
        }
    }
}
