import Foundation
import LogCoT

/// `logcot replay`: runs the daemon's pipeline over files and writes one report per fault window.
enum ReplayCommand {
    static let usage = """
        Usage: logcot replay [--config FILE] --logs FILE... [--format F] [--faults FILE] [--out FILE]
                             [--llm none|URL] [options]

        Runs the daemon's pipeline over log files and writes one JSON report per fault window.

        Options:
          --config FILE             JSON5 config; the built-in defaults apply without it
          --logs FILE...            log files, read in the order given (required)
          --format F                auto (default), sel-csv, jsonl or syslog
          --faults FILE             fault tickets: CSV sn,fault_time or JSON lines {host, fault_time};
                                    without it, trigger rules over the logs open the windows
          --out FILE                reports as JSON lines (default: standard output)
          --rejects FILE            lines that failed to parse, with reasons (default: OUT.rejects.jsonl,
                                    or rejects.jsonl when writing to standard output)
          --llm none|URL            none labels by the TF-IDF model alone; a URL such as
                                    http://127.0.0.1:8080/v1 names the OpenAI-compatible LLM server.
                                    Default: the config's llm section, whose base URL falls back to
                                    OPENAI_BASE_URL
          --state FILE              SQLite state file (default: the config's state.path, else in memory)
          --pool FILE               example pool that trains the class weights (JSON lines or the
                                    authors' JSON array); overrides filtering.poolFile
          --allowed-lateness D      how far a host's watermark trails its latest line, such as 5m, or
                                    `unbounded` to hold every window until the end of input
          --reference-time T        RFC 3339 instant that year-less timestamps are placed nearest to
                                    (default: now)
          --metrics-address A       serve /metrics, /healthz and /readyz on A, a numeric HOST:PORT such as
                                    127.0.0.1:9464 (port 0 picks a free port, which the log names);
                                    without it, replay serves nothing. `logcot run` takes the same flag
          --metrics-linger D        after the summary, keep serving for D (seconds, or 30s, 2m) so that a
                                    scraper can read the final values; needs --metrics-address
          --prompt-log FILE         write every prompt sent to the LLM to FILE as JSON lines
          --emit-windows FILE       also write each closed window's key lines, as the LLM sees them, to
                                    FILE as a windows file (JSON lines {id, host, fault_time, lines})
          --quiet                   no progress lines on standard error
        """

    static func main(_ arguments: [String]) async -> Int32 {
        let logger = Logger(label: "replay")
        let options: ReplayOptions
        do {
            options = try ReplayOptions(arguments)
        } catch {
            printError("logcot replay: \(error)\n\n\(usage)")
            return 2
        }

        do {
            let run = try ReplayRun(options: options, logger: logger)
            try await run.execute()
            return 0
        } catch let error as ConfigError {
            printError(error.description)
            return 2
        } catch let error as UsageError {
            printError("logcot replay: \(error)")
            return 2
        } catch let error as ChatClientError {
            printError("logcot replay: \(error); or pass --llm URL, or --llm none to label by the TF-IDF model alone")
            return 2
        } catch {
            logger.error("replay failed", ["error": String(describing: error)])
            return 1
        }
    }
}

/// The parsed options of one replay.
struct ReplayOptions {
    var configPath: String?
    var logPaths: [String]
    var format: String?
    var faultsPath: String?
    var outputPath: String
    var rejectsPath: String
    /// `none`, a base URL, or nil for the config's `llm` section.
    var llm: String?
    var statePath: String?
    var poolPath: String?
    var allowedLateness: String?
    var referenceTime: Date?
    var metricsAddress: MetricsAddress?
    var metricsLinger: TimeInterval = 0
    var promptLog: String?
    var emitWindows: String?
    var quiet: Bool

    init(_ arguments: [String]) throws {
        let parsed = try CommandLineArguments(
            arguments,
            flags: ["quiet"],
            options: ["config", "logs", "format", "faults", "out", "rejects", "llm", "state", "pool", "allowed-lateness", "reference-time", "metrics-address", "metrics-linger", "prompt-log", "emit-windows"],
            multiValued: ["logs"]
        )
        guard parsed.positional.isEmpty else {
            throw UsageError("unexpected argument '\(parsed.positional[0])'; pass log files after --logs")
        }
        logPaths = parsed.values("logs")
        guard !logPaths.isEmpty else {
            throw UsageError("missing --logs; name at least one log file")
        }
        configPath = parsed.value("config")
        format = parsed.value("format")
        if let format, format != "auto", LogFormat(rawValue: format) == nil {
            throw UsageError("invalid --format '\(format)'; use auto, \(LogFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        faultsPath = parsed.value("faults")
        outputPath = parsed.value("out") ?? "-"
        rejectsPath = parsed.value("rejects") ?? (outputPath == "-" ? "rejects.jsonl" : outputPath + ".rejects.jsonl")
        llm = parsed.value("llm")
        if let llm, llm != "none", URL(string: llm)?.scheme?.hasPrefix("http") != true {
            throw UsageError("invalid --llm '\(llm)'; use none, or the server's base URL such as http://127.0.0.1:8080/v1")
        }
        statePath = parsed.value("state")
        poolPath = parsed.value("pool")
        allowedLateness = parsed.value("allowed-lateness")
        if let text = parsed.value("reference-time") {
            guard let date = TimestampResolver().parseISOLike(Substring(text)) else {
                throw UsageError("invalid --reference-time '\(text)'; use RFC 3339 such as 2024-05-01T00:00:00Z")
            }
            referenceTime = date
        }
        if let text = parsed.value("metrics-address") {
            do {
                metricsAddress = try MetricsAddress(parsing: text)
            } catch {
                throw UsageError("invalid --metrics-address: \(error)")
            }
        }
        if let text = parsed.value("metrics-linger") {
            guard let seconds = DurationText.parse(text) else {
                throw UsageError("invalid --metrics-linger '\(text)'; use seconds such as 30, or a duration such as 2m")
            }
            guard metricsAddress != nil else {
                throw UsageError("--metrics-linger needs --metrics-address, because without it no metrics server runs")
            }
            metricsLinger = seconds
        }
        promptLog = parsed.value("prompt-log")
        emitWindows = parsed.value("emit-windows")
        quiet = parsed.has("quiet")
    }
}
