import Foundation

@testable import LogCoT

/// A `mock_cluster` process (Tests/Support/kafka-mock) with librdkafka's mock brokers on 127.0.0.1.
///
/// `make test` builds the program. Commands such as `down 1` go to its standard input, and each
/// gets one `OK ...` or `ERR ...` line on its standard output.
final class KafkaMockCluster {
    static let binary = TestSupport.packageRoot.appendingPathComponent("Tests/Support/kafka-mock/mock_cluster")

    /// True when the mock cluster and kcat are available, so the Kafka tests can run.
    /// True when the mock cluster and kcat exist, and always in CI, where a missing one must fail the tests.
    static var available: Bool {
        TestSupport.isCI || (FileManager.default.isExecutableFile(atPath: binary.path) && FileManager.default.isExecutableFile(atPath: Kcat.path))
    }

    let process = Process()
    let bootstrapServers: String
    private let input = Pipe()
    private let stdoutURL: URL
    private let stderrURL: URL

    /// Starts the cluster with topics given as `name: partitions` and waits up to 10 s for its port file.
    init(brokers: Int = 1, topics: [String: Int], directory: URL) throws {
        let portFile = directory.appendingPathComponent("kafka-bootstrap")
        stdoutURL = directory.appendingPathComponent("mock-cluster.stdout")
        stderrURL = directory.appendingPathComponent("mock-cluster.stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)

        process.executableURL = Self.binary
        process.arguments = ["--brokers", String(brokers), "--port-file", portFile.path]
            + topics.keys.sorted().flatMap { ["--topic", "\($0):\(topics[$0]!)"] }
        process.standardInput = input
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()

        let ready = DaemonProcess.poll(timeout: 10) {
            ((try? String(contentsOf: portFile, encoding: .utf8)) ?? "").hasSuffix("\n")
        }
        guard ready, let text = try? String(contentsOf: portFile, encoding: .utf8) else {
            process.terminate()
            throw TestFailure("mock_cluster did not write its port file within 10 s; stderr: \((try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")")
        }
        bootstrapServers = text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        stop()
    }

    /// Sends one command and waits up to 5 s for its response line, which it returns.
    @discardableResult
    func command(_ line: String) throws -> String {
        let before = responses.count
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
        guard DaemonProcess.poll(timeout: 5, { responses.count > before }) else {
            throw TestFailure("mock_cluster did not respond to '\(line)' within 5 s")
        }
        return responses[before]
    }

    private var responses: [String] {
        let text = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("BOOTSTRAP=") }
    }

    func stop() {
        guard process.isRunning else {
            return
        }
        process.terminate()
        process.waitUntilExit()
    }
}

/// kcat, the command-line Kafka client that the tests use as a client independent of LogCoT.
enum Kcat {
    static let path = "/usr/bin/kcat"

    /// One record as `kcat -J` prints it.
    struct Record: Decodable {
        var topic: String
        var partition: Int
        var offset: Int
        var key: String?
        var payload: String?
        /// Header names and values, alternating.
        var headers: [String]?

        func header(_ name: String) -> String? {
            guard let headers, let index = stride(from: 0, to: headers.count - 1, by: 2).first(where: { headers[$0] == name }) else {
                return nil
            }
            return headers[index + 1]
        }
    }

    /// Produces `key:value` lines to `topic`, to `partition` when given and by key otherwise; keys
    /// must not contain ':'.
    static func produce(_ records: [(key: String, value: String)], topic: String, partition: Int? = nil, bootstrap: String) async throws {
        let text = records.map { "\($0.key):\($0.value)\n" }.joined()
        let target = partition.map { ["-p", String($0)] } ?? []
        let result = try await run(["-P", "-b", bootstrap, "-t", topic, "-K:"] + target, input: text)
        guard result.status == 0 else {
            throw TestFailure("kcat produce to \(topic) failed with status \(result.status): \(result.stderr)")
        }
    }

    /// Reads every record of `topic` from the beginning and stops at the end of each partition.
    static func consume(topic: String, bootstrap: String) async throws -> [Record] {
        let result = try await run(["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-J", "-q"], input: nil)
        guard result.status == 0 else {
            throw TestFailure("kcat consume from \(topic) failed with status \(result.status): \(result.stderr)")
        }
        return try result.stdout.split(separator: "\n").map { try JSONDecoder().decode(Record.self, from: Data($0.utf8)) }
    }

    /// Runs kcat with its output in temporary files and waits for its exit without blocking a thread
    /// of the cooperative pool.
    private static func run(_ arguments: [String], input: String?) async throws -> (status: Int32, stdout: String, stderr: String) {
        let directory = try TestSupport.temporaryDirectory()
        let inputURL = directory.appendingPathComponent("kcat.stdin")
        let outputURL = directory.appendingPathComponent("kcat.stdout")
        let errorURL = directory.appendingPathComponent("kcat.stderr")
        try Data((input ?? "").utf8).write(to: inputURL)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let output = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: directory)
        return (status, output, errors)
    }
}

/// Writes `logcot run` configs that read from and report to a mock cluster.
enum KafkaRunConfig {
    /// The fault topic has the log topic's partition count, as the state topic requires.
    static let topics = ["logs": 3, "fault-events": 3, "diagnoses": 1, "logs-dlq": 1, "logcot-state": 1]

    /// Returns the config file; `journald`, when given, is placed into a `sources.journald` object,
    /// and `state` and `extra` go into the `state` object and the top level.
    static func write(in directory: URL, bootstrap: String, state: String = "", extra: String = "", journald: String? = nil, triggers: String = "off", idleTimeout: String = "2s") throws -> URL {
        let url = directory.appendingPathComponent("logcot-kafka.json5")
        let text = """
            {
              masking: { secret: "test-secret" },
              // Port 0: instances that run at once each bind their own metrics port.
              metrics: { address: "127.0.0.1:0" },
              llm: { enabled: false },
              faults: { triggers: "\(triggers)" },
              windowing: { before: "1h", after: "5m", allowedLateness: "1m", idleTimeout: "\(idleTimeout)" },
              sources: { kafka: {
                topics: ["logs"], faultTopic: "fault-events", deadLetterTopic: "logs-dlq", pollTimeout: "200ms",
                properties: {
                  "bootstrap.servers": "\(bootstrap)", "group.id": "logcot-test",
                  "session.timeout.ms": "6000", "heartbeat.interval.ms": "1000",
                  "auto.offset.reset": "earliest", "reconnect.backoff.max.ms": "1000",
                },
              },
              \(journald.map { "journald: { \($0) }," } ?? "") },
              sinks: { kafka: { topic: "diagnoses", properties: { "bootstrap.servers": "\(bootstrap)", "reconnect.backoff.max.ms": "1000" } } },
              state: { path: "\(directory.appendingPathComponent("state.sqlite").path)", \(state) },
              \(extra)
            }
            """
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A JSON log line for the `logs` topic, keyed by host.
    static func line(_ host: String, minute: Int, _ message: String) -> (key: String, value: String) {
        (host, #"{"host":"\#(host)","timestamp":"2024-05-01T12:\#(String(format: "%02d", minute)):00Z","message":"\#(message)"}"#)
    }

    /// A fault event for the `fault-events` topic.
    static func fault(_ host: String, minute: Int) -> (key: String, value: String) {
        (host, #"{"host":"\#(host)","fault_time":"2024-05-01T12:\#(String(format: "%02d", minute)):30Z"}"#)
    }
}

/// Waiting without blocking a thread of the cooperative pool, because a blocked thread there stalls
/// the tests that run in parallel, such as the ones that measure timeouts.
extension DaemonProcess {
    /// Waits until `condition` is true or `timeout` seconds pass, and returns the last result.
    static func waitUntil(timeout: TimeInterval, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await condition() {
                return true
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await condition()
    }

    /// Waits for the process to exit, killing it after `timeout` seconds; returns false on timeout.
    func waitForExit(seconds timeout: TimeInterval) async -> Bool {
        if await Self.waitUntil(timeout: timeout, { !process.isRunning }) {
            process.waitUntilExit()
            return true
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }
}
