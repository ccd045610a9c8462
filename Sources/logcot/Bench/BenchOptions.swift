import Foundation
import LogCoT

/// The parsed options of `logcot bench`.
struct BenchOptions {
    static let allItems = ["throughput", "drain3", "memory", "prompt", "latency", "llm"]

    var items: [String]
    var dataDirectory: URL
    var jsonPath: String?
    var stormLines: Int
    var stormHosts: Int
    var memoryHosts: Int
    var linesPerHost: Int
    var minSeconds: Double
    var drain3Python: String
    var llmURL: URL?
    var llmRequests: Int
    /// Set in a child process that `memory` starts: the scenario to run and print as JSON.
    var child: String?

    init(_ arguments: [String]) throws {
        let parsed = try CommandLineArguments(
            arguments,
            flags: [],
            options: ["only", "data", "json", "storm-lines", "storm-hosts", "hosts", "lines-per-host", "min-seconds", "drain3-python", "llm-url", "llm-requests", "child"]
        )
        guard parsed.positional.isEmpty else {
            throw UsageError("unexpected argument '\(parsed.positional[0])'; see `logcot help bench`")
        }

        items = Self.allItems
        if let only = parsed.value("only") {
            items = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for item in items where !Self.allItems.contains(item) {
                throw UsageError("invalid --only item '\(item)'; use a comma-separated list of \(Self.allItems.joined(separator: ", "))")
            }
        }
        dataDirectory = URL(fileURLWithPath: parsed.value("data") ?? "../shared/data")
        jsonPath = parsed.value("json")
        stormLines = try Self.count(parsed, "storm-lines", default: 10_000_000, minimum: 1)
        stormHosts = try Self.count(parsed, "storm-hosts", default: 100, minimum: 1)
        memoryHosts = try Self.count(parsed, "hosts", default: 100_000, minimum: 1)
        linesPerHost = try Self.count(parsed, "lines-per-host", default: 20, minimum: 1)
        let minSecondsText = parsed.value("min-seconds") ?? "2"
        guard let seconds = Double(minSecondsText), seconds > 0 else {
            throw UsageError("invalid --min-seconds '\(minSecondsText)'; use a positive number of seconds such as 2")
        }
        minSeconds = seconds
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        drain3Python = parsed.value("drain3-python") ?? "\(home)/.cache/logcot/bench-venv/bin/python"
        if let text = parsed.value("llm-url") ?? ProcessInfo.processInfo.environment["LOGCOT_LLM_URL"] {
            guard let url = URL(string: text), url.scheme?.hasPrefix("http") == true else {
                throw UsageError("invalid --llm-url '\(text)'; use the server's base URL such as http://127.0.0.1:8080/v1")
            }
            llmURL = url
        }
        llmRequests = try Self.count(parsed, "llm-requests", default: 8, minimum: 1)
        child = parsed.value("child")
    }

    private static func count(_ parsed: CommandLineArguments, _ name: String, default value: Int, minimum: Int) throws -> Int {
        guard let text = parsed.value(name) else {
            return value
        }
        guard let number = Int(text.replacingOccurrences(of: "_", with: "")), number >= minimum else {
            throw UsageError("invalid --\(name) '\(text)'; use a whole number of at least \(minimum)")
        }
        return number
    }

    func dataFile(_ relativePath: String) -> URL {
        dataDirectory.appendingPathComponent(relativePath)
    }
}
