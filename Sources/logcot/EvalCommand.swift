import Foundation
import LogCoT

/// `logcot eval`: measures diagnosis accuracy on labelled windows or on precomputed responses.
enum EvalCommand {
    static let usage = """
        Usage: logcot eval --windows FILE | --responses FILE [--baseline tfidf] [--split SEED] [--json OUT]
                           [--config FILE] [--llm none|URL] [--pool FILE] [--limit N] [options]

        Runs labelled windows through the daemon's TF-IDF filter and diagnoser, or scores precomputed
        responses with the daemon's label parser, and prints accuracy, macro-F1, weighted-F1, per-class
        precision, recall and F1, the confusion matrix, unparsed answers, seconds and tokens per case.

        Options:
          --windows FILE            labelled windows: JSON lines {id, lines, label, ...}, or the authors'
                                    training or preference JSON array
          --responses FILE          JSON lines {id, label, response}: label is the ground truth and
                                    response the model's answer, read with the daemon's label parser
          --baseline tfidf          also score the TF-IDF classifier on the same cases and print the gain
          --split SEED              split the windows with this integer seed into pool, preference and
                                    test parts; the pool part trains the TF-IDF classes and supplies the
                                    few-shot examples, and only the test part is evaluated
          --split-fractions P,Q     pool and preference fractions of the split (default 0.02,0.05)
          --split-out DIR           write the split as pool.jsonl, preference.jsonl and test.jsonl in DIR
          --json OUT                write the metrics as JSON to OUT (`-` for standard output)
          --config FILE             JSON5 config; the built-in defaults apply without it
          --llm none|URL            none labels by the TF-IDF model alone; a URL such as
                                    http://127.0.0.1:8080/v1 names the OpenAI-compatible LLM server.
                                    Default: the config's llm section, whose base URL falls back to
                                    OPENAI_BASE_URL
          --pool FILE               example pool (JSON lines or the authors' JSON array); overrides
                                    filtering.poolFile. Not allowed with --split, which makes the pool
          --limit N                 evaluate only the first N windows (after the split)
          --quiet                   no progress lines on standard error
        """

    static func main(_ arguments: [String]) async -> Int32 {
        let logger = Logger(label: "eval")
        let options: EvalOptions
        do {
            options = try EvalOptions(arguments)
        } catch {
            printError("logcot eval: \(error)\n\n\(usage)")
            return 2
        }

        do {
            return try await EvalRun(options: options, logger: logger).execute()
        } catch let error as ConfigError {
            printError(error.description)
            return 2
        } catch let error as UsageError {
            printError("logcot eval: \(error)")
            return 2
        } catch let error as ChatClientError {
            printError("logcot eval: \(error); or pass --llm URL, or --llm none to label by the TF-IDF model alone")
            return 2
        } catch let error as WindowFileError {
            printError("logcot eval: \(error)")
            return 2
        } catch let error as PoolError {
            printError("logcot eval: \(error)")
            return 2
        } catch let error as DatasetSplitError {
            printError("logcot eval: \(error)")
            return 2
        } catch {
            logger.error("eval failed", ["error": String(describing: error)])
            return 1
        }
    }
}

/// The parsed options of one evaluation.
struct EvalOptions {
    var windowsPath: String?
    var responsesPath: String?
    var baseline: Bool
    var splitSeed: UInt64?
    var poolFraction = DatasetSplit.defaultFractions.pool
    var preferenceFraction = DatasetSplit.defaultFractions.preference
    var splitOut: String?
    var jsonPath: String?
    var configPath: String?
    /// `none`, a base URL, or nil for the config's `llm` section.
    var llm: String?
    var poolPath: String?
    var limit: Int?
    var quiet: Bool

    init(_ arguments: [String]) throws {
        let parsed = try CommandLineArguments(
            arguments,
            flags: ["quiet"],
            options: ["windows", "responses", "baseline", "split", "split-fractions", "split-out", "json", "config", "llm", "pool", "limit"]
        )
        guard parsed.positional.isEmpty else {
            throw UsageError("unexpected argument '\(parsed.positional[0])'; name the input with --windows or --responses")
        }
        windowsPath = parsed.value("windows")
        responsesPath = parsed.value("responses")
        guard (windowsPath == nil) != (responsesPath == nil) else {
            throw UsageError("pass exactly one of --windows FILE and --responses FILE")
        }

        if let name = parsed.value("baseline") {
            guard name == "tfidf" else {
                throw UsageError("invalid --baseline '\(name)'; the only baseline is tfidf")
            }
        }
        baseline = parsed.value("baseline") != nil
        if let text = parsed.value("split") {
            guard let seed = UInt64(text) else {
                throw UsageError("invalid --split '\(text)'; use a non-negative integer seed such as 7")
            }
            splitSeed = seed
        }
        if let text = parsed.value("split-fractions") {
            let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let pool = parts[0], let preference = parts[1] else {
                throw UsageError("invalid --split-fractions '\(text)'; use two fractions POOL,PREFERENCE such as 0.02,0.05")
            }
            poolFraction = pool
            preferenceFraction = preference
        }
        splitOut = parsed.value("split-out")
        jsonPath = parsed.value("json")
        configPath = parsed.value("config")
        llm = parsed.value("llm")
        if let llm, llm != "none", URL(string: llm)?.scheme?.hasPrefix("http") != true {
            throw UsageError("invalid --llm '\(llm)'; use none, or the server's base URL such as http://127.0.0.1:8080/v1")
        }
        poolPath = parsed.value("pool")
        if let text = parsed.value("limit") {
            guard let value = Int(text), value > 0 else {
                throw UsageError("invalid --limit '\(text)'; use a positive number of windows")
            }
            limit = value
        }
        quiet = parsed.has("quiet")
        try checkCombinations(parsed)
    }

    private func checkCombinations(_ parsed: CommandLineArguments) throws {
        if responsesPath != nil {
            for option in ["baseline", "split", "split-fractions", "split-out", "llm", "pool", "limit"] where parsed.value(option) != nil {
                throw UsageError("--\(option) needs --windows, because --responses scores answers that were already made")
            }
        }
        if splitSeed == nil {
            for option in ["split-fractions", "split-out"] where parsed.value(option) != nil {
                throw UsageError("--\(option) needs --split SEED")
            }
        } else if poolPath != nil {
            throw UsageError("--pool cannot be combined with --split, because the split's pool part is the pool; drop one of them")
        }
    }
}
