import Foundation
import Testing

@testable import LogCoT

/// Two `logcot run` instances in one group, one of them killed with SIGKILL: the survivor takes the
/// killed member's partitions over after the session timeout. These tests belong to
/// `KafkaRunTests`, so they run one at a time with its other tests.
extension KafkaRunTests {
    /// The killed member read a host's lines and fault and committed their offsets with the window
    /// still open. The survivor restores the window from the state topic and reports it once, with
    /// the lines the killed member read.
    @Test func crashedMembersWindowMovesToSurvivor() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let cluster = try KafkaMockCluster(topics: KafkaRunConfig.topics, directory: directory)
        defer { cluster.stop() }
        // The idle timeout keeps the window open until the heartbeat's timestamp closes it.
        let (first, second) = try await Self.startPair(cluster, in: directory, idleTimeout: "1h")
        let (firstNumbers, _) = await Self.waitForSplit(first, second)
        let number = try #require(firstNumbers.min(), "first stderr: \(first.stderr)\nsecond stderr: \(second.stderr)")

        try await Self.produceHost("node-a", partition: number, cluster)
        // Every record is checkpointed and committed; the last write covers all 4 records.
        let written = await DaemonProcess.waitUntil(timeout: 30) {
            Self.stateWrites(first).contains { $0.contains("logs/\(number)@3") && $0.contains("fault-events/\(number)@1") }
        }
        #expect(written, "first stderr: \(first.stderr)")
        // Time for the asynchronous commit that follows the write to reach the broker.
        try await Task.sleep(for: .seconds(1))
        #expect(try await Self.reports(cluster).isEmpty, "the window must still be open")
        kill(first.process.processIdentifier, SIGKILL)
        #expect(await first.waitForExit(seconds: 10))

        let ownsAll = await Self.waitForAllPartitions(second)
        #expect(ownsAll, "second stderr: \(second.stderr)")
        #expect(second.stderr.contains("msg=\"window state restored from the state topic\""), "second stderr: \(second.stderr)")
        try await Kcat.produce([KafkaRunConfig.line("node-a", minute: 20, "heartbeat")], topic: "logs", partition: Int(number), bootstrap: cluster.bootstrapServers)
        let delivered = await DaemonProcess.waitUntil(timeout: 60) { ((try? await Self.reports(cluster))?.count ?? 0) >= 1 }
        #expect(delivered, "no report within 60 s; second stderr: \(second.stderr)")
        // Time for a repeated report to show up, had one been produced.
        try await Task.sleep(for: .seconds(4))
        second.terminate()
        #expect(await second.waitForExit(seconds: 30))
        #expect(second.process.terminationStatus == 0, "stderr: \(second.stderr)")

        let records = try await Self.reports(cluster)
        #expect(records.count == 1, "keys: \(records.map { $0.key ?? "" })")
        for record in records {
            let report = try Self.decode(record)
            #expect(report.lineCounts.seen == 3, "the window must hold the 3 lines the killed member read; \(record.payload ?? "")")
            #expect(report.keyLines.contains { $0.text.contains("EDAC") }, "key lines: \(report.keyLines.map(\.text))")
        }
    }

    /// The killed member produced a report but could not commit its offsets, because the state
    /// topic stopped acknowledging its writes. The survivor closes the same window from the last
    /// snapshot, finds the report in the topic from the snapshot's delivery floor, and does not
    /// produce it again.
    @Test func crashedMembersReportIsNotRepeated() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let cluster = try KafkaMockCluster(topics: KafkaRunConfig.topics, directory: directory)
        defer { cluster.stop() }
        let crash = ["LOGCOT_TEST_FAIL_STATE_WRITES_AT": "report-committed:1", "LOGCOT_TEST_KILL_AT": "report-written:1"]
        let (first, second) = try await Self.startPair(cluster, in: directory, idleTimeout: "2s", firstEnvironment: crash)
        let (firstNumbers, secondNumbers) = await Self.waitForSplit(first, second)
        let firstNumber = try #require(firstNumbers.min(), "first stderr: \(first.stderr)\nsecond stderr: \(second.stderr)")
        let secondNumber = try #require(secondNumbers.min(), "first stderr: \(first.stderr)\nsecond stderr: \(second.stderr)")

        // The survivor delivers a report first, so its own check of the topic at the first
        // delivery is over before it takes the partition over.
        try await Self.produceHost("node-b", partition: secondNumber, cluster)
        let secondReported = await DaemonProcess.waitUntil(timeout: 60) { ((try? await Self.reports(cluster))?.count ?? 0) >= 1 }
        #expect(secondReported, "second stderr: \(second.stderr)")

        try await Self.produceHost("node-a", partition: firstNumber, cluster)
        #expect(await first.waitForExit(seconds: 60))
        #expect(first.process.terminationReason == .uncaughtSignal, "the kill point was not reached; stderr: \(first.stderr)")
        #expect(first.stderr.contains("msg=\"writing window state to the state topic failed\""), "first stderr: \(first.stderr)")
        let beforeTakeOver = try await Self.reports(cluster)
        #expect(beforeTakeOver.count == 2, "keys: \(beforeTakeOver.map { $0.key ?? "" })")

        let ownsAll = await Self.waitForAllPartitions(second)
        #expect(ownsAll, "second stderr: \(second.stderr)")
        #expect(second.stderr.contains("msg=\"window state restored from the state topic\""), "second stderr: \(second.stderr)")
        // The idle timeout closes the restored window at once; then delivery runs after a checkpoint.
        let closedAgain = await DaemonProcess.waitUntil(timeout: 30) {
            second.stderr.components(separatedBy: "msg=\"report written\"").count > 2
        }
        #expect(closedAgain, "the survivor must close the restored window; stderr: \(second.stderr)")
        try await Task.sleep(for: .seconds(2))
        second.terminate()
        #expect(await second.waitForExit(seconds: 30))
        #expect(second.process.terminationStatus == 0, "stderr: \(second.stderr)")

        let records = try await Self.reports(cluster)
        #expect(records.count == 2, "keys: \(records.map { $0.key ?? "" })")
        #expect(Set(records.compactMap(\.key)).count == 2)
        #expect(Set(try records.map { try Self.decode($0).host }).count == 2, "one report per host")
        #expect(second.stderr.contains("msg=\"a previous owner of the partition already produced this report; not producing it again\""), "stderr: \(second.stderr)")
    }

    /// Starts two instances with their own state directories and waits until both joined.
    static func startPair(_ cluster: KafkaMockCluster, in directory: URL, idleTimeout: String, firstEnvironment: [String: String] = [:]) async throws -> (DaemonProcess, DaemonProcess) {
        var daemons: [DaemonProcess] = []
        for (name, environment) in [("first", firstEnvironment), ("second", [:])] {
            let instanceDirectory = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: instanceDirectory, withIntermediateDirectories: true)
            let config = try KafkaRunConfig.write(
                in: instanceDirectory, bootstrap: cluster.bootstrapServers, state: "checkpointRecords: 1",
                extra: #"logLevel: "debug","#, idleTimeout: idleTimeout)
            daemons.append(try await startJoined(config, in: instanceDirectory, environment: environment))
        }
        return (daemons[0], daemons[1])
    }

    /// Waits until the two members split the 3 log partitions, and returns each one's numbers.
    static func waitForSplit(_ first: DaemonProcess, _ second: DaemonProcess) async -> (Set<Int32>, Set<Int32>) {
        var split: (Set<Int32>, Set<Int32>) = ([], [])
        _ = await DaemonProcess.waitUntil(timeout: 30) {
            split = (assignedNumbers(first), assignedNumbers(second))
            return !split.0.isEmpty && !split.1.isEmpty && split.0.union(split.1).count == 3
        }
        return split
    }

    static func waitForAllPartitions(_ daemon: DaemonProcess) async -> Bool {
        await DaemonProcess.waitUntil(timeout: 30) { assignedNumbers(daemon) == [0, 1, 2] }
    }

    /// Returns the log partition numbers in the daemon's latest assignment line.
    static func assignedNumbers(_ daemon: DaemonProcess) -> Set<Int32> {
        guard let line = daemon.stderr.split(separator: "\n").last(where: { $0.contains("kafka partitions assigned") }) else {
            return []
        }
        let numbers = line.matches(of: /logs\/(\d+)@/).compactMap { Int32($0.output.1) }
        return Set(numbers)
    }

    /// Returns the daemon's log lines of state-topic writes.
    static func stateWrites(_ daemon: DaemonProcess) -> [Substring] {
        daemon.stderr.split(separator: "\n").filter { $0.contains("msg=\"window state written to the state topic\"") }
    }

    /// Produces three lines of `host` and its fault event to partition `partition` of both input topics.
    static func produceHost(_ host: String, partition: Int32, _ cluster: KafkaMockCluster) async throws {
        let lines = [
            KafkaRunConfig.line(host, minute: 0, "boot ok"),
            KafkaRunConfig.line(host, minute: 1, "EDAC MC0: 1 UE memory error on DIMM A1"),
            KafkaRunConfig.line(host, minute: 2, "mce: memory error"),
        ]
        try await Kcat.produce(lines, topic: "logs", partition: Int(partition), bootstrap: cluster.bootstrapServers)
        try await Kcat.produce([KafkaRunConfig.fault(host, minute: 1)], topic: "fault-events", partition: Int(partition), bootstrap: cluster.bootstrapServers)
    }
}
