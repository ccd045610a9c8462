import Foundation
import Testing

@testable import LogCoT

/// Builds journal files for tests with systemd-journal-remote, from Journal Export Format text.
enum JournalFixture {
    static let journalRemote = "/lib/systemd/systemd-journal-remote"

    /// True when systemd-journal-remote exists, and always in CI, where a missing one must fail the tests.
    static var journalRemoteAvailable: Bool {
        TestSupport.isCI || FileManager.default.isExecutableFile(atPath: journalRemote)
    }

    /// 2024-05-01T00:00:00Z in microseconds since 1970, the base time of the test entries.
    static let baseMicroseconds: UInt64 = 1_714_521_600_000_000

    /// Returns one entry in Journal Export Format with a text message.
    static func entry(secondsAfterBase seconds: Int, host: String = "node1", message: String, fields: [String: String] = [:]) -> Data {
        entry(secondsAfterBase: seconds, host: host, binaryMessage: Array(message.utf8), fields: fields, binary: false)
    }

    /// Returns one entry whose message uses the length-prefixed binary form unless `binary` is false.
    static func entry(secondsAfterBase seconds: Int, host: String = "node1", binaryMessage: [UInt8], fields: [String: String] = [:], binary: Bool = true) -> Data {
        let realtime = Int64(baseMicroseconds) + Int64(seconds) * 1_000_000
        var data = Data("__REALTIME_TIMESTAMP=\(realtime)\n_HOSTNAME=\(host)\n".utf8)
        if binary {
            data.append(Data("MESSAGE\n".utf8))
            var length = UInt64(binaryMessage.count).littleEndian
            data.append(Data(bytes: &length, count: 8))
            data.append(contentsOf: binaryMessage)
            data.append(UInt8(ascii: "\n"))
        } else {
            data.append(Data("MESSAGE=".utf8))
            data.append(contentsOf: binaryMessage)
            data.append(UInt8(ascii: "\n"))
        }
        for key in fields.keys.sorted() {
            data.append(Data("\(key)=\(fields[key] ?? "")\n".utf8))
        }
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Appends the entries to `file` (created when missing), which must end in `.journal`.
    static func append(_ entries: [Data], to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: journalRemote)
        process.arguments = ["--output=\(file.path)", "-"]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(entries.reduce(Data(), +))
        try input.fileHandleForWriting.close()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("systemd-journal-remote failed with status \(process.terminationStatus): \(errorText)")
        }
    }
}

/// A `logcot run` process with its output in files, for tests that signal it or wait for it.
final class DaemonProcess {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL

    init(config: URL, arguments: [String] = [], environment: [String: String] = [:], directory: URL) throws {
        stdoutURL = directory.appendingPathComponent("daemon-\(UUID().uuidString).stdout")
        stderrURL = directory.appendingPathComponent("daemon-\(UUID().uuidString).stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)

        process.executableURL = TestSupport.executable
        process.arguments = ["run", "--config", config.path] + arguments
        var merged = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LOGCOT_TEST_KILL_AT", "LOGCOT_TEST_EXIT_WHEN_CAUGHT_UP"] {
            merged.removeValue(forKey: key)
        }
        merged.merge(environment) { $1 }
        process.environment = merged
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    var stderr: String {
        (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
    }

    var stdout: String {
        (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
    }

    /// Waits until `condition` is true or `timeout` seconds pass, and returns the last result.
    @discardableResult
    static func poll(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() {
                return true
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    /// Waits for the process to exit, killing it after `timeout` seconds; returns false on timeout.
    func waitForExit(timeout: TimeInterval) -> Bool {
        if Self.poll(timeout: timeout, { !process.isRunning }) {
            process.waitUntilExit()
            return true
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }

    func terminate() {
        kill(process.processIdentifier, SIGTERM)
    }
}

/// Writes a `logcot run` config for a test directory.
enum RunConfig {
    /// Returns the config file; `journald`, `state` and `extra` are JSON5 fragments placed into the
    /// `sources.journald` object, the `state` object and the top level.
    static func write(in directory: URL, journald: String, state: String = "", extra: String = "") throws -> URL {
        let url = directory.appendingPathComponent("logcot.json5")
        let text = """
            {
              masking: { secret: "test-secret" },
              // Port 0 lets tests that run at once each bind their own metrics port.
              metrics: { address: "127.0.0.1:0" },
              sources: { journald: { \(journald) } },
              sinks: { file: { path: "\(directory.appendingPathComponent("reports.jsonl").path)" } },
              state: { path: "\(directory.appendingPathComponent("state.sqlite").path)", \(state) },
              \(extra)
            }
            """
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Returns the reports in the test directory's report file, one per line.
    static func reports(in directory: URL) throws -> [DiagnosisReport] {
        let url = directory.appendingPathComponent("reports.jsonl")
        guard FileManager.default.fileExists(atPath: url.path) else {
            return []
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try DiagnosisReport.decoder.decode(DiagnosisReport.self, from: Data($0.utf8)) }
    }

    /// Returns the number of lines in the report file, without decoding them.
    static func reportLineCount(in directory: URL) -> Int {
        let text = (try? String(contentsOf: directory.appendingPathComponent("reports.jsonl"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").count
    }
}
