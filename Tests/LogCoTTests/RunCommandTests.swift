import Foundation
import Testing

@testable import LogCoT

/// End-to-end runs of `logcot run` over journal files that systemd-journal-remote writes.
@Suite(.serialized, .enabled(if: JournalFixture.journalRemoteAvailable))
struct RunCommandTests {
    /// Windows small enough that a line 15 minutes after a fault closes its window by watermark.
    static let shortWindows = #"windowing: { before: "1h", after: "5m", allowedLateness: "1m" },"#

    /// Five entries of one host: the fault at the second, and the fourth closes its window.
    static let fiveEntries: [Data] = [
        JournalFixture.entry(secondsAfterBase: 0, message: "boot ok"),
        JournalFixture.entry(secondsAfterBase: 60, message: "EDAC MC0: 1 UE uncorrectable ECC error on DIMM A1", fields: ["PRIORITY": "2"]),
        JournalFixture.entry(secondsAfterBase: 120, message: "mce: memory error"),
        JournalFixture.entry(secondsAfterBase: 900, message: "heartbeat"),
        JournalFixture.entry(secondsAfterBase: 960, message: "heartbeat"),
    ]

    /// Runs the daemon until it has read every entry and returns the process after it exited.
    static func runUntilCaughtUp(_ config: URL, in directory: URL, environment: [String: String] = [:]) throws -> DaemonProcess {
        var environment = environment
        environment["LOGCOT_TEST_EXIT_WHEN_CAUGHT_UP"] = "1"
        let daemon = try DaemonProcess(config: config, environment: environment, directory: directory)
        #expect(daemon.waitForExit(timeout: 60), "the daemon did not stop; stderr: \(daemon.stderr)")
        return daemon
    }

    @Test func runServesMetricsAndReadiness() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let journal = directory.appendingPathComponent("journal/x.journal")
        try JournalFixture.append(Self.fiveEntries, to: journal)
        let config = try RunConfig.write(
            in: directory,
            journald: "directory: \"\(journal.deletingLastPathComponent().path)\", startAt: \"head\", waitTimeout: \"200ms\"",
            extra: Self.shortWindows
        )
        let port = try MetricsTestSupport.freePort()

        let daemon = try DaemonProcess(config: config, arguments: ["--metrics-address", "127.0.0.1:\(port)"], directory: directory)
        let written = DaemonProcess.poll(timeout: 30) { RunConfig.reportLineCount(in: directory) >= 1 }
        #expect(written, "no report within 30 s; stderr: \(daemon.stderr)")

        let metrics = try await MetricsTestSupport.get(URL(string: "http://127.0.0.1:\(port)/metrics")!)
        let ready = try await MetricsTestSupport.get(URL(string: "http://127.0.0.1:\(port)/readyz")!)
        daemon.terminate()
        #expect(daemon.waitForExit(timeout: 30))

        #expect(metrics.status == 200)
        #expect(MetricsTestSupport.sampleSum("logcot_records_read_total", in: metrics.body) == 5)
        #expect(MetricsTestSupport.sampleSum("logcot_reports_written_total", in: metrics.body) == 1)
        #expect(metrics.body.contains("logcot_journald_cursor_age_seconds"))
        #expect(ready.status == 200, "readyz: \(ready.body)")
        #expect(ready.body.contains("journald open"))
    }

    @Test func liveFollowWritesReport() throws {
        let directory = try TestSupport.temporaryDirectory()
        let journal = directory.appendingPathComponent("journal/x.journal")
        try JournalFixture.append([JournalFixture.entry(secondsAfterBase: 0, message: "boot ok")], to: journal)
        let config = try RunConfig.write(
            in: directory,
            journald: "directory: \"\(journal.deletingLastPathComponent().path)\", startAt: \"head\", waitTimeout: \"200ms\"",
            extra: #"windowing: { idleTimeout: "1s" },"#
        )

        let daemon = try DaemonProcess(config: config, directory: directory)
        let started = DaemonProcess.poll(timeout: 30) { daemon.stderr.contains("logcot run started") }
        #expect(started, "stderr: \(daemon.stderr)")

        try JournalFixture.append([
            JournalFixture.entry(secondsAfterBase: 60, message: "EDAC MC0: 1 UE uncorrectable ECC error on DIMM A1"),
            JournalFixture.entry(secondsAfterBase: 120, message: "mce: memory error"),
        ], to: journal)
        let written = DaemonProcess.poll(timeout: 30) { RunConfig.reportLineCount(in: directory) >= 1 }
        #expect(written, "no report within 30 s; stderr: \(daemon.stderr)")

        daemon.terminate()
        #expect(daemon.waitForExit(timeout: 30))
        #expect(daemon.process.terminationReason == .exit)
        #expect(daemon.process.terminationStatus == 0, "stderr: \(daemon.stderr)")
        #expect(daemon.stderr.contains("logcot run stopped"))

        let reports = try RunConfig.reports(in: directory)
        #expect(reports.count == 1)
        #expect(reports.first?.fault.detail == "uncorrectable-ecc")
        #expect(reports.first?.window.closedBy == "idle")
        #expect(reports.first?.lineCounts.seen == 3)
    }

    /// SIGKILL at each step of the checkpoint protocol, then a restart: the report appears once.
    @Test(arguments: ["record:3", "record:4", "report-committed:1", "report-written:1", "report-torn:1"])
    func crashThenRestartReportsOnce(killPoint: String) throws {
        let directory = try TestSupport.temporaryDirectory()
        let journal = directory.appendingPathComponent("journal/x.journal")
        try JournalFixture.append(Self.fiveEntries, to: journal)
        let config = try RunConfig.write(
            in: directory,
            journald: "directory: \"\(journal.deletingLastPathComponent().path)\", startAt: \"head\"",
            state: "checkpointRecords: 1",
            extra: Self.shortWindows
        )

        let first = try DaemonProcess(config: config, environment: ["LOGCOT_TEST_KILL_AT": killPoint], directory: directory)
        #expect(first.waitForExit(timeout: 60))
        #expect(first.process.terminationReason == .uncaughtSignal, "the kill point was not reached; stderr: \(first.stderr)")
        #expect(first.process.terminationStatus == SIGKILL)

        let second = try Self.runUntilCaughtUp(config, in: directory)
        #expect(second.process.terminationStatus == 0, "stderr: \(second.stderr)")
        let reports = try RunConfig.reports(in: directory)
        #expect(reports.count == 1, "reports: \(reports.map(\.reportId))")
        #expect(reports.first?.fault.detail == "uncorrectable-ecc")
        #expect(reports.first?.lineCounts.seen == 3, "a record processed twice would count twice")

        let third = try Self.runUntilCaughtUp(config, in: directory)
        #expect(third.process.terminationStatus == 0, "stderr: \(third.stderr)")
        #expect(RunConfig.reportLineCount(in: directory) == 1)
    }

    @Test func removedJournalResumesByTime() throws {
        let directory = try TestSupport.temporaryDirectory()
        let journalDirectory = directory.appendingPathComponent("journal")
        let firstFile = journalDirectory.appendingPathComponent("a.journal")
        try JournalFixture.append([
            JournalFixture.entry(secondsAfterBase: 0, message: "hello"),
            JournalFixture.entry(secondsAfterBase: 1, message: "world"),
        ], to: firstFile)
        let config = try RunConfig.write(
            in: directory,
            journald: "directory: \"\(journalDirectory.path)\", startAt: \"head\"",
            extra: #"windowing: { before: "1m", after: "1m", allowedLateness: "1m" },"#
        )
        let first = try Self.runUntilCaughtUp(config, in: directory)
        #expect(first.process.terminationStatus == 0, "stderr: \(first.stderr)")

        // The saved cursor points into a.journal, which vacuuming would delete. b.journal contains one
        // fault older than the saved entry, which must not be replayed, and one newer fault.
        try FileManager.default.removeItem(at: firstFile)
        try JournalFixture.append([
            JournalFixture.entry(secondsAfterBase: -3_600, message: "old uncorrectable ECC error"),
            JournalFixture.entry(secondsAfterBase: 600, message: "new uncorrectable ECC error"),
            JournalFixture.entry(secondsAfterBase: 3_600, message: "later"),
        ], to: journalDirectory.appendingPathComponent("b.journal"))

        let second = try Self.runUntilCaughtUp(config, in: directory)
        #expect(second.process.terminationStatus == 0, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("the saved journal cursor was not found"))
        let reports = try RunConfig.reports(in: directory)
        #expect(reports.count == 1, "faults: \(reports.map(\.fault.time))")
        #expect(reports.first?.fault.time == "2024-05-01T00:10:00Z")
    }

    @Test func binaryMessageDecodedLossily() throws {
        let directory = try TestSupport.temporaryDirectory()
        let journal = directory.appendingPathComponent("journal/x.journal")
        let message = Array("disk: uncorrectable ECC error ".utf8) + [0xFF, 0xFE] + Array(" on DIMM\r".utf8)
        try JournalFixture.append([
            JournalFixture.entry(secondsAfterBase: 0, binaryMessage: message),
            JournalFixture.entry(secondsAfterBase: 900, message: "heartbeat"),
        ], to: journal)
        let config = try RunConfig.write(in: directory, journald: "files: [\"\(journal.path)\"], startAt: \"head\"", extra: Self.shortWindows)

        let daemon = try Self.runUntilCaughtUp(config, in: directory)
        #expect(daemon.process.terminationStatus == 0, "stderr: \(daemon.stderr)")
        let reports = try RunConfig.reports(in: directory)
        #expect(reports.count == 1)
        let texts = reports.first?.keyLines.map(\.text) ?? []
        #expect(texts.contains { $0.contains("error \u{FFFD}\u{FFFD} on DIMM") }, "key lines: \(texts)")
        #expect(!texts.contains { $0.contains("\r") })
    }

    /// Reads a journal file with the source directly: journald's pieces of a long line become one record.
    @Test func sourceJoinsSplitLines() throws {
        let directory = try TestSupport.temporaryDirectory()
        let journal = directory.appendingPathComponent("split.journal")
        let first = String(repeating: "a", count: 300)
        try JournalFixture.append([
            JournalFixture.entry(secondsAfterBase: 0, message: first, fields: ["_STREAM_ID": "s1", "_LINE_BREAK": "line-max"]),
            JournalFixture.entry(secondsAfterBase: 1, message: "other stream", fields: ["_STREAM_ID": "s2"]),
            JournalFixture.entry(secondsAfterBase: 2, message: "bbb end", fields: ["_STREAM_ID": "s1"]),
        ], to: journal)
        var config = JournaldSourceConfig()
        config.location = .files([journal.path])
        config.startAt = "head"

        let source = try JournaldSource(config: config, maxLineBytes: 1_024, logger: Logger(label: "test", minimumLevel: .error))
        try source.resume(from: nil)
        var records: [LogRecord] = []
        while let batch = try source.nextRecords() {
            records += batch
        }
        #expect(records.count == 2)
        #expect(records.first?.message == "other stream")
        #expect(records.last?.message == first + "bbb end")
        #expect(records.last?.fields["journal_parts"] == "2")
        #expect(records.last?.timestamp == Date(timeIntervalSince1970: 1_714_521_600))
        #expect(source.entriesRead == 3)

        let short = try JournaldSource(config: config, maxLineBytes: 256, logger: Logger(label: "test", minimumLevel: .error))
        try short.resume(from: nil)
        var shortRecords: [LogRecord] = []
        while let batch = try short.nextRecords() {
            shortRecords += batch
        }
        #expect(shortRecords.last?.truncated == true)
        #expect(shortRecords.last?.message.utf8.count == 256)
    }

    @Test func notifySocketReceivesStates() throws {
        let directory = try TestSupport.temporaryDirectory()
        let journal = directory.appendingPathComponent("journal/x.journal")
        try JournalFixture.append([JournalFixture.entry(secondsAfterBase: 0, message: "boot ok")], to: journal)
        let config = try RunConfig.write(in: directory, journald: "directory: \"\(journal.deletingLastPathComponent().path)\", startAt: \"head\"")

        let socket = try NotifySocket()
        let daemon = try DaemonProcess(config: config, environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000"], directory: directory)
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !(messages.contains { $0.contains("READY=1") } && messages.filter { $0 == "WATCHDOG=1" }.count >= 2) {
            if let message = socket.receive(timeout: 1) {
                messages.append(message)
            }
        }
        daemon.terminate()
        let stopDeadline = Date().addingTimeInterval(30)
        while Date() < stopDeadline, !messages.contains(where: { $0.contains("STOPPING=1") }) {
            if let message = socket.receive(timeout: 1) {
                messages.append(message)
            }
        }
        #expect(daemon.waitForExit(timeout: 30))

        let ready = messages.first { $0.contains("READY=1") }
        #expect(ready != nil, "messages: \(messages)")
        #expect(ready?.contains("STATUS=") == true)
        #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 2, "messages: \(messages)")
        #expect(messages.contains { $0.contains("STOPPING=1") }, "messages: \(messages)")
        #expect(daemon.process.terminationStatus == 0, "stderr: \(daemon.stderr)")
    }

    @Test func sighupReloadsLogLevel() throws {
        let directory = try TestSupport.temporaryDirectory()
        let journal = directory.appendingPathComponent("journal/x.journal")
        try JournalFixture.append([JournalFixture.entry(secondsAfterBase: 0, message: "boot ok")], to: journal)
        let journald = "directory: \"\(journal.deletingLastPathComponent().path)\", startAt: \"head\", waitTimeout: \"200ms\""
        let config = try RunConfig.write(in: directory, journald: journald)

        let daemon = try DaemonProcess(config: config, directory: directory)
        #expect(DaemonProcess.poll(timeout: 30) { daemon.stderr.contains("logcot run started") })
        _ = try RunConfig.write(in: directory, journald: journald, extra: #"logLevel: "debug", windowing: { after: "1m" },"#)
        kill(daemon.process.processIdentifier, SIGHUP)
        let reloaded = DaemonProcess.poll(timeout: 30) { daemon.stderr.contains("config reloaded") }
        #expect(reloaded, "stderr: \(daemon.stderr)")
        #expect(daemon.stderr.contains("log_level=debug"))
        #expect(daemon.stderr.contains("sections=windowing"))

        daemon.terminate()
        #expect(daemon.waitForExit(timeout: 30))
        #expect(daemon.process.terminationStatus == 0)
        #expect(daemon.stderr.contains("level=debug"), "the debug level applies after the reload")
    }

    @Test func runRejectsMissingSource() throws {
        let directory = try TestSupport.temporaryDirectory()
        let config = directory.appendingPathComponent("no-source.json5")
        try #"{ metrics: { enabled: false }, sinks: { stdout: { enabled: true } } }"#.write(to: config, atomically: true, encoding: .utf8)
        let run = try TestSupport.runLogcot(["run", "--config", config.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("no source is configured"))
    }

    /// Verifies the unit with the binary path that `make install` uses, or the built binary in its place.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func serviceUnitPassesVerify() throws {
        let unitURL = TestSupport.packageRoot.appendingPathComponent("systemd/logcot.service")
        let unit = try String(contentsOf: unitURL, encoding: .utf8)
        let installedBinary = "/usr/local/bin/logcot"
        #expect(unit.contains("ExecStart=\(installedBinary) run --config /etc/logcot/journald.json5"))

        // systemd-analyze verify fails when ExecStart names a missing file. Before `make install`
        // the test verifies a copy whose ExecStart names the built binary instead; nothing else changes.
        let directory = try TestSupport.temporaryDirectory()
        let copy = directory.appendingPathComponent("logcot.service")
        let binary = FileManager.default.isExecutableFile(atPath: installedBinary) ? installedBinary : TestSupport.executable.path
        try unit.replacingOccurrences(of: "ExecStart=\(installedBinary) ", with: "ExecStart=\(binary) ").write(to: copy, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["verify", copy.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "systemd-analyze verify: \(text)")
        #expect(!text.contains("logcot.service:"), "systemd-analyze verify: \(text)")
    }
}

/// A Unix datagram socket that plays the service manager's end of `NOTIFY_SOCKET`.
final class NotifySocket {
    let path: String
    private let descriptor: Int32

    init() throws {
        // sockaddr_un allows about 108 bytes, so the socket lives directly in /tmp.
        path = "/tmp/logcot-notify-\(UUID().uuidString.prefix(8)).sock"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else {
            throw TestFailure("socket failed: \(String(cString: strerror(errno)))")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() {
                buffer[index] = byte
            }
        }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard status == 0 else {
            throw TestFailure("bind \(path) failed: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Returns one datagram, or nil when none arrives within `timeout` seconds.
    func receive(timeout: TimeInterval) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1_000)) > 0 else {
            return nil
        }
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else {
            return nil
        }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }
}
