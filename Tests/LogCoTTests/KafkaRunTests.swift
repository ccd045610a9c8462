import Foundation
import Testing

@testable import LogCoT

/// End-to-end runs of `logcot run` against librdkafka's mock cluster, with kcat producing the input
/// and reading the reports as an independent client.
@Suite(.serialized, .enabled(if: KafkaMockCluster.available))
struct KafkaRunTests {
    static let hosts = ["node1", "node2", "node3"]

    /// Three lines per host, one unparseable record, and one fault event per host.
    ///
    /// With `heartbeats`, each host also gets a line at minute 20, whose timestamp closes the window
    /// (after 5m plus allowedLateness 1m), so windows close once all of the host's lines are read
    /// and not by the idle timeout.
    static func produceInput(to cluster: KafkaMockCluster, heartbeats: Bool = false) async throws {
        var lines: [(key: String, value: String)] = []
        for host in hosts {
            lines.append(KafkaRunConfig.line(host, minute: 0, "boot ok"))
            lines.append(KafkaRunConfig.line(host, minute: 1, "EDAC MC0: 1 UE memory error on DIMM A1"))
            lines.append(KafkaRunConfig.line(host, minute: 2, "mce: memory error"))
            if heartbeats {
                lines.append(KafkaRunConfig.line(host, minute: 20, "heartbeat"))
            }
        }
        lines.append((key: "node1", value: "not json at all"))
        try await Kcat.produce(lines, topic: "logs", bootstrap: cluster.bootstrapServers)
        try await Kcat.produce(hosts.map { KafkaRunConfig.fault($0, minute: 1) }, topic: "fault-events", bootstrap: cluster.bootstrapServers)
    }

    static func reports(_ cluster: KafkaMockCluster) async throws -> [Kcat.Record] {
        try await Kcat.consume(topic: "diagnoses", bootstrap: cluster.bootstrapServers)
    }

    static func decode(_ record: Kcat.Record) throws -> DiagnosisReport {
        try DiagnosisReport.decoder.decode(DiagnosisReport.self, from: Data((record.payload ?? "").utf8))
    }

    /// Starts the daemon and waits until the group assigned it partitions.
    static func startJoined(_ config: URL, in directory: URL, environment: [String: String] = [:]) async throws -> DaemonProcess {
        let daemon = try DaemonProcess(config: config, environment: environment, directory: directory)
        let joined = await DaemonProcess.waitUntil(timeout: 30) { daemon.stderr.contains("kafka partitions assigned") || !daemon.process.isRunning }
        #expect(joined, "no assignment within 30 s; stderr: \(daemon.stderr)")
        return daemon
    }

    @Test func reportsEachFaultOnce() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let cluster = try KafkaMockCluster(topics: KafkaRunConfig.topics, directory: directory)
        defer { cluster.stop() }
        try await Self.produceInput(to: cluster)
        let config = try KafkaRunConfig.write(in: directory, bootstrap: cluster.bootstrapServers)

        let first = try await Self.startJoined(config, in: directory)
        let delivered = await DaemonProcess.waitUntil(timeout: 60) { ((try? await Self.reports(cluster))?.count ?? 0) >= 3 }
        #expect(delivered, "fewer than 3 reports within 60 s; stderr: \(first.stderr)")
        first.terminate()
        #expect(await first.waitForExit(seconds: 30))
        #expect(first.process.terminationStatus == 0, "stderr: \(first.stderr)")

        let records = try await Self.reports(cluster)
        #expect(records.count == 3)
        for record in records {
            let report = try Self.decode(record)
            #expect(record.key == report.reportId, "the key is the report id")
            #expect(record.header("schema_version") == String(DiagnosisReport.schemaVersion))
            #expect(record.header("label") == (report.label ?? ""))
            #expect(report.fault.origin == "ticket")
            #expect(report.lineCounts.seen == 3)
        }
        #expect(Set(try records.map { try Self.decode($0).host }).count == 3, "one report per host")

        let deadLetters = try await Kcat.consume(topic: "logs-dlq", bootstrap: cluster.bootstrapServers)
        #expect(deadLetters.count == 1)
        #expect(deadLetters.first?.payload == "not json at all")
        #expect(deadLetters.first?.key == "node1")
        #expect(deadLetters.first?.header("reason")?.contains("invalid JSON") == true)
        #expect(deadLetters.first?.header("source_topic") == "logs")

        // A restart resumes after the committed records: no record is processed and no report repeats.
        let second = try await Self.startJoined(config, in: directory)
        try await Task.sleep(for: .seconds(3))
        second.terminate()
        #expect(await second.waitForExit(seconds: 30))
        #expect(second.process.terminationStatus == 0, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("records=0"), "stderr: \(second.stderr)")
        #expect(try await Self.reports(cluster).count == 3)
        #expect(try await Kcat.consume(topic: "logs-dlq", bootstrap: cluster.bootstrapServers).count == 1)
    }

    /// SIGKILL mid-stream or after a checkpoint, then a restart: each fault has exactly one report.
    ///
    /// The killed process stays a group member until its session expires, so the restarted one may
    /// first get only some partitions, and a fault event can arrive seconds before its host's
    /// lines. Windows therefore close by the heartbeat's timestamp, not by the idle timeout.
    @Test(arguments: ["record:5", "record:11", "report-committed:1"])
    func crashThenRestartReportsOnce(killPoint: String) async throws {
        let directory = try TestSupport.temporaryDirectory()
        let cluster = try KafkaMockCluster(topics: KafkaRunConfig.topics, directory: directory)
        defer { cluster.stop() }
        try await Self.produceInput(to: cluster, heartbeats: true)
        let config = try KafkaRunConfig.write(in: directory, bootstrap: cluster.bootstrapServers, state: "checkpointRecords: 1", idleTimeout: "1h")

        let first = try DaemonProcess(config: config, environment: ["LOGCOT_TEST_KILL_AT": killPoint], directory: directory)
        #expect(await first.waitForExit(seconds: 60))
        #expect(first.process.terminationReason == .uncaughtSignal, "the kill point was not reached; stderr: \(first.stderr)")
        #expect(first.process.terminationStatus == SIGKILL)

        let second = try await Self.startJoined(config, in: directory)
        let delivered = await DaemonProcess.waitUntil(timeout: 60) { ((try? await Self.reports(cluster))?.count ?? 0) >= 3 }
        #expect(delivered, "fewer than 3 reports within 60 s; stderr: \(second.stderr)")
        // Time for a repeated report to show up, had the restart produced one.
        try await Task.sleep(for: .seconds(4))
        second.terminate()
        #expect(await second.waitForExit(seconds: 30))
        #expect(second.process.terminationStatus == 0, "stderr: \(second.stderr)")

        let records = try await Self.reports(cluster)
        #expect(records.count == 3, "keys: \(records.map { $0.key ?? "" })")
        #expect(Set(records.compactMap(\.key)).count == 3)
        for record in records {
            let report = try Self.decode(record)
            #expect(report.lineCounts.seen == 3, "a record processed twice would count twice; \(record.payload ?? "")")
        }
        #expect(try await Kcat.consume(topic: "logs-dlq", bootstrap: cluster.bootstrapServers).count >= 1)
    }

    /// SIGKILL after the brokers acknowledged a report and before the state store marked it
    /// delivered: the restart finds the report in the topic and does not produce it again.
    @Test func crashAfterAcknowledgementReportsOnce() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let cluster = try KafkaMockCluster(topics: KafkaRunConfig.topics, directory: directory)
        defer { cluster.stop() }
        try await Self.produceInput(to: cluster)
        let config = try KafkaRunConfig.write(in: directory, bootstrap: cluster.bootstrapServers, state: "checkpointRecords: 1")

        let first = try DaemonProcess(config: config, environment: ["LOGCOT_TEST_KILL_AT": "report-written:1"], directory: directory)
        #expect(await first.waitForExit(seconds: 60))
        #expect(first.process.terminationReason == .uncaughtSignal, "the kill point was not reached; stderr: \(first.stderr)")
        let beforeRestart = try await Self.reports(cluster)
        #expect(!beforeRestart.isEmpty, "the killed process must have produced a report")

        let second = try await Self.startJoined(config, in: directory)
        let delivered = await DaemonProcess.waitUntil(timeout: 60) { Set(((try? await Self.reports(cluster)) ?? []).compactMap(\.key)).count >= 3 }
        #expect(delivered, "fewer than 3 distinct reports within 60 s; stderr: \(second.stderr)")
        // Time for a repeated report to show up, had the restart produced one.
        try await Task.sleep(for: .seconds(4))
        second.terminate()
        #expect(await second.waitForExit(seconds: 30))
        #expect(second.process.terminationStatus == 0, "stderr: \(second.stderr)")

        let records = try await Self.reports(cluster)
        #expect(records.count == 3, "keys: \(records.map { $0.key ?? "" })")
        #expect(Set(records.compactMap(\.key)).count == 3)
        #expect(second.stderr.contains("already_in_topic=\(beforeRestart.count)"), "stderr: \(second.stderr)")
    }

    /// All brokers down for 30 s while windows close: the reports wait and arrive after `up`.
    @Test func brokerOutageDelaysReports() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let cluster = try KafkaMockCluster(topics: KafkaRunConfig.topics, directory: directory)
        defer { cluster.stop() }
        try await Self.produceInput(to: cluster)
        // A checkpoint after each record, logged at debug level, shows when all 13 input records
        // are processed, including the acknowledgement of the dead letter.
        let config = try KafkaRunConfig.write(in: directory, bootstrap: cluster.bootstrapServers, state: "checkpointRecords: 1", extra: #"logLevel: "debug","#)

        let daemon = try await Self.startJoined(config, in: directory)
        // The windows close 2 s after the last record (windowing.idleTimeout), so during the outage.
        let consumed = await DaemonProcess.waitUntil(timeout: 20) {
            daemon.stderr.components(separatedBy: "msg=\"checkpoint committed\"").count > 13
        }
        #expect(consumed, "stderr: \(daemon.stderr)")
        #expect(try cluster.command("down 1") == "OK down 1")
        try await Task.sleep(for: .seconds(30))
        #expect(daemon.process.isRunning, "the outage must not stop the daemon; stderr: \(daemon.stderr)")
        #expect(daemon.stderr.contains("report delivery failed; retrying"), "the windows must close during the outage")
        #expect(try cluster.command("up 1") == "OK up 1")

        let delivered = await DaemonProcess.waitUntil(timeout: 90) { ((try? await Self.reports(cluster))?.count ?? 0) >= 3 }
        #expect(delivered, "fewer than 3 reports within 90 s after up; stderr: \(daemon.stderr)")
        try await Task.sleep(for: .seconds(2))
        daemon.terminate()
        #expect(await daemon.waitForExit(seconds: 30))
        #expect(daemon.process.terminationStatus == 0, "stderr: \(daemon.stderr)")

        let records = try await Self.reports(cluster)
        #expect(records.count == 3, "keys: \(records.map { $0.key ?? "" })")
        #expect(Set(records.compactMap(\.key)).count == 3)
    }

    /// A second instance joins the group: the first one checkpoints and commits on revoke, and the
    /// records produced after the rebalance are reported once across both instances.
    @Test func rebalanceReportsOnce() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let cluster = try KafkaMockCluster(topics: KafkaRunConfig.topics, directory: directory)
        defer { cluster.stop() }
        try await Self.produceInput(to: cluster)
        let firstDirectory = directory.appendingPathComponent("first")
        let secondDirectory = directory.appendingPathComponent("second")
        try FileManager.default.createDirectory(at: firstDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: secondDirectory, withIntermediateDirectories: true)
        let firstConfig = try KafkaRunConfig.write(in: firstDirectory, bootstrap: cluster.bootstrapServers)
        let secondConfig = try KafkaRunConfig.write(in: secondDirectory, bootstrap: cluster.bootstrapServers)

        let first = try await Self.startJoined(firstConfig, in: firstDirectory)
        let firstReports = await DaemonProcess.waitUntil(timeout: 60) { ((try? await Self.reports(cluster))?.count ?? 0) >= 3 }
        #expect(firstReports, "fewer than 3 reports within 60 s; stderr: \(first.stderr)")

        let second = try await Self.startJoined(secondConfig, in: secondDirectory)
        let revoked = await DaemonProcess.waitUntil(timeout: 30) { first.stderr.contains("kafka partitions revoked") }
        #expect(revoked, "first instance stderr: \(first.stderr)")
        // Both members hold partitions once the second assignment of the first instance arrives.
        let reassigned = await DaemonProcess.waitUntil(timeout: 30) {
            first.stderr.components(separatedBy: "kafka partitions assigned").count >= 3
        }
        #expect(reassigned, "first instance stderr: \(first.stderr)")

        var later: [(key: String, value: String)] = []
        for host in Self.hosts {
            later.append(KafkaRunConfig.line(host, minute: 30, "boot ok"))
            later.append(KafkaRunConfig.line(host, minute: 31, "EDAC MC0: 1 UE memory error on DIMM A2"))
        }
        try await Kcat.produce(later, topic: "logs", bootstrap: cluster.bootstrapServers)
        try await Kcat.produce(Self.hosts.map { KafkaRunConfig.fault($0, minute: 31) }, topic: "fault-events", bootstrap: cluster.bootstrapServers)

        let allReports = await DaemonProcess.waitUntil(timeout: 60) { ((try? await Self.reports(cluster))?.count ?? 0) >= 6 }
        #expect(allReports, "fewer than 6 reports within 60 s; first: \(first.stderr)\nsecond: \(second.stderr)")
        try await Task.sleep(for: .seconds(4))
        first.terminate()
        second.terminate()
        #expect(await first.waitForExit(seconds: 30))
        #expect(await second.waitForExit(seconds: 30))
        #expect(first.process.terminationStatus == 0, "stderr: \(first.stderr)")
        #expect(second.process.terminationStatus == 0, "stderr: \(second.stderr)")

        let records = try await Self.reports(cluster)
        #expect(records.count == 6, "keys: \(records.map { $0.key ?? "" })")
        #expect(Set(records.compactMap(\.key)).count == 6)

        // The windows of the later faults reach back 1 h, so they include the lines from before the
        // rebalance, which the state topic moved with the hosts: 3 earlier lines and 2 later ones.
        let laterReports = try records.map(Self.decode).filter { $0.fault.time.contains("12:31") }
        #expect(laterReports.count == 3)
        for report in laterReports {
            #expect(report.lineCounts.seen == 5, "host \(report.host): \(report.lineCounts)")
        }
    }

    /// sources.journald and sources.kafka in one process: both inputs are reported, and a restart
    /// resumes both from the same checkpoint.
    @Test(.enabled(if: JournalFixture.journalRemoteAvailable))
    func journaldAndKafkaTogether() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let cluster = try KafkaMockCluster(topics: KafkaRunConfig.topics, directory: directory)
        defer { cluster.stop() }
        try await Self.produceInput(to: cluster)
        let journal = directory.appendingPathComponent("journal/x.journal")
        // A trigger rule opens the journal host's window at the second entry; the entry 15 minutes
        // later closes it. The Kafka lines match no trigger rule, so only fault-events open theirs.
        try JournalFixture.append([
            JournalFixture.entry(secondsAfterBase: 0, host: "journal1", message: "boot ok"),
            JournalFixture.entry(secondsAfterBase: 60, host: "journal1", message: "EDAC MC0: 1 UE uncorrectable ECC error on DIMM A1"),
            JournalFixture.entry(secondsAfterBase: 120, host: "journal1", message: "mce: memory error"),
            JournalFixture.entry(secondsAfterBase: 900, host: "journal1", message: "heartbeat"),
        ], to: journal)
        let config = try KafkaRunConfig.write(
            in: directory, bootstrap: cluster.bootstrapServers,
            journald: "directory: \"\(journal.deletingLastPathComponent().path)\", startAt: \"head\"", triggers: "on")

        let first = try await Self.startJoined(config, in: directory)
        let delivered = await DaemonProcess.waitUntil(timeout: 60) { ((try? await Self.reports(cluster))?.count ?? 0) >= 4 }
        #expect(delivered, "fewer than 4 reports within 60 s; stderr: \(first.stderr)")
        first.terminate()
        #expect(await first.waitForExit(seconds: 30))
        #expect(first.process.terminationStatus == 0, "stderr: \(first.stderr)")

        let records = try await Self.reports(cluster)
        #expect(records.count == 4)
        let details = try records.map { try Self.decode($0).fault.detail }
        #expect(details.filter { $0 == "uncorrectable-ecc" }.count == 1, "details: \(details)")
        #expect(details.filter { $0.hasPrefix("fault-events/") }.count == 3, "details: \(details)")

        let second = try await Self.startJoined(config, in: directory)
        try await Task.sleep(for: .seconds(3))
        second.terminate()
        #expect(await second.waitForExit(seconds: 30))
        #expect(second.process.terminationStatus == 0, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("resuming after the saved journal cursor"), "stderr: \(second.stderr)")
        #expect(second.stderr.contains("records=0"), "stderr: \(second.stderr)")
        #expect(try await Self.reports(cluster).count == 4)
    }
}
