import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import LogCoT

/// A process that a test starts and stops, with standard error captured in a file.
final class BackgroundProcess {
    let process = Process()
    let name: String
    private let stderrURL: URL

    init(name: String, executable: URL, arguments: [String], directory: URL) throws {
        self.name = name
        stderrURL = directory.appendingPathComponent("\(name).stderr")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = TestSupport.packageRoot
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    var stderr: String {
        (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
    }

    /// Waits until standard error contains `text`, and fails when the process exits or time runs out.
    func waitForStderr(containing text: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = stderr
            if current.contains(text) {
                return current
            }
            guard process.isRunning else {
                throw TestFailure("\(name) exited with status \(process.terminationStatus) before writing '\(text)'; stderr:\n\(current)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("\(name) did not write '\(text)' within \(timeout); stderr:\n\(stderr)")
    }

    /// Sends SIGTERM, and SIGKILL when the process is still running 10 seconds later.
    func stop() {
        guard process.isRunning else {
            return
        }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }
}

/// Helpers for the tests that scrape a running `logcot replay`.
enum MetricsTestSupport {
    /// A replay of the bundled sample that keeps serving metrics after its summary.
    struct LingeringReplay {
        let process: BackgroundProcess
        /// `127.0.0.1:PORT` of the metrics server.
        let address: String
        let reportsWritten: Int
        let records: Int
    }

    /// Starts `logcot replay` with `--metrics-address 127.0.0.1:0` and waits for its summary.
    static func startLingeringReplay(in directory: URL) async throws -> LingeringReplay {
        let process = try BackgroundProcess(name: "logcot", executable: TestSupport.executable, arguments: [
            "replay", "--logs", "examples/sel-sample.csv", "--faults", "examples/tickets.csv",
            "--out", directory.appendingPathComponent("reports.jsonl").path, "--llm", "none", "--quiet",
            "--metrics-address", "127.0.0.1:0", "--metrics-linger", "120",
        ], directory: directory)
        do {
            let stderr = try await process.waitForStderr(containing: "serving final metrics", timeout: .seconds(60))
            guard let address = firstMatch(#"msg="metrics server listening" address=(127\.0\.0\.1:\d+)"#, in: stderr),
                  let reports = firstMatch(#"reports written\s+(\d+)"#, in: stderr).flatMap({ Int($0) }),
                  let records = firstMatch(#"lines read\s+\d+ \((\d+) records"#, in: stderr).flatMap({ Int($0) })
            else {
                throw TestFailure("replay output lacks the metrics address or the summary; stderr:\n\(stderr)")
            }
            return LingeringReplay(process: process, address: address, reportsWritten: reports, records: records)
        } catch {
            process.stop()
            throw error
        }
    }

    /// Returns the first capture group of `pattern` in `text`.
    static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text)
        else {
            return nil
        }
        return String(text[range])
    }

    static func get(_ url: URL) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: url)
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, String(decoding: data, as: UTF8.self))
    }

    /// Parses `# TYPE name type` lines of an exposition into a map from family name to type.
    static func familyTypes(_ exposition: String) -> [String: String] {
        var types: [String: String] = [:]
        for line in exposition.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            if parts.count == 4 {
                types[String(parts[2])] = String(parts[3])
            }
        }
        return types
    }

    /// Sums the samples of `name` in an exposition, over all label sets.
    static func sampleSum(_ name: String, in exposition: String) -> Double {
        var sum = 0.0
        for line in exposition.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            sum += line.split(separator: " ").last.flatMap { Double($0) } ?? 0
        }
        return sum
    }

    /// Returns a TCP port on 127.0.0.1 that was free a moment ago; another process may take it first.
    static func freePort() throws -> UInt16 {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else {
            throw TestFailure("socket() failed: \(String(cString: strerror(errno)))")
        }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socketDescriptor, socketAddress, length) == 0 && getsockname(socketDescriptor, socketAddress, &length) == 0
            }
        }
        guard bound else {
            throw TestFailure("binding a free port failed: \(String(cString: strerror(errno)))")
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Finds an executable on PATH.
    static func executableOnPath(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        return nil
    }
}

/// Extracts metric names from PromQL expressions, for checking a dashboard against an exposition.
///
/// It removes string literals, label matchers, range and subquery brackets and grouping clauses
/// (`by`, `without`, `on`, `ignoring`, `group_left`, `group_right`), then keeps every remaining
/// identifier that is neither a function call nor a keyword. It does not parse full PromQL, so a
/// dashboard that needs more (such as `@` modifiers) must extend it.
enum PromQLNames {
    static let keywords: Set<String> = ["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "inf", "nan"]

    static func metricNames(in expression: String) -> Set<String> {
        var text = expression
        let removals = [
            #""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"#,
            #"\{[^}]*\}"#,
            #"\[[^\]]*\]"#,
            #"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#,
        ]
        for pattern in removals {
            let regex = try! NSRegularExpression(pattern: pattern)
            text = regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: " ")
        }

        // The possessive `*+` keeps a function name such as `rate` from matching as `rat`.
        let identifier = try! NSRegularExpression(pattern: #"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\s*\()"#)
        var names: Set<String> = []
        for match in identifier.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let name = String(text[Range(match.range, in: text)!])
            if !keywords.contains(name.lowercased()) {
                names.insert(name)
            }
        }
        return names
    }

    /// Maps a name from an expression to the family that exports it, or nil when none does.
    ///
    /// `_bucket`, `_sum` and `_count` series belong to a histogram family of the base name, so the
    /// suffix is stripped only when that family exists and is a histogram.
    static func family(of name: String, in types: [String: String]) -> String? {
        if types[name] != nil {
            return name
        }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" {
                return base
            }
        }
        return nil
    }
}
