import Foundation
import Testing

@testable import LogCoT

/// Window state that moves with partitions between two `logcot run` instances through the state
/// topic. These tests belong to `KafkaRunTests`, so they run one at a time with its other tests.
extension KafkaRunTests {
    /// Instance A reads every host's lines and fault, with the windows still open; B joins, and A
    /// stops. B then owns every partition, closes the windows and reports the lines A had read.
    @Test func windowStateMovesToNewOwner() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let cluster = try KafkaMockCluster(topics: KafkaRunConfig.topics, directory: directory)
        defer { cluster.stop() }
        try await Self.produceInput(to: cluster)
        let firstDirectory = directory.appendingPathComponent("first")
        let secondDirectory = directory.appendingPathComponent("second")
        try FileManager.default.createDirectory(at: firstDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: secondDirectory, withIntermediateDirectories: true)
        // The idle timeout keeps the windows open until the heartbeats' timestamps close them.
        let settings = (state: "checkpointRecords: 1", extra: #"logLevel: "debug","#, idleTimeout: "1h")
        let firstConfig = try KafkaRunConfig.write(in: firstDirectory, bootstrap: cluster.bootstrapServers, state: settings.state, extra: settings.extra, idleTimeout: settings.idleTimeout)
        let secondConfig = try KafkaRunConfig.write(in: secondDirectory, bootstrap: cluster.bootstrapServers, state: settings.state, extra: settings.extra, idleTimeout: settings.idleTimeout)

        // Small chunks split each snapshot into several records.
        let chunking = ["LOGCOT_TEST_STATE_CHUNK_BYTES": "300"]
        let first = try await Self.startJoined(firstConfig, in: firstDirectory, environment: chunking)
        // One checkpoint per record for 13 records, but the one that waits for the dead letter's
        // acknowledgement can be merged into the next, so 12 checkpoints and a pause.
        let consumed = await DaemonProcess.waitUntil(timeout: 30) {
            first.stderr.components(separatedBy: "msg=\"checkpoint committed\"").count > 12
        }
        #expect(consumed, "first instance stderr: \(first.stderr)")
        try await Task.sleep(for: .seconds(2))
        #expect(try await Self.reports(cluster).isEmpty, "the windows must still be open")

        let second = try await Self.startJoined(secondConfig, in: secondDirectory, environment: chunking)
        let handedOver = await DaemonProcess.waitUntil(timeout: 30) { first.stderr.contains("msg=\"window state handed over\"") }
        #expect(handedOver, "first instance stderr: \(first.stderr)")
        first.terminate()
        #expect(await first.waitForExit(seconds: 30))
        #expect(first.process.terminationStatus == 0, "stderr: \(first.stderr)")

        // The second instance owns all three log partitions after the first one left the group.
        let ownsAll = await DaemonProcess.waitUntil(timeout: 30) {
            second.stderr.split(separator: "\n").last { $0.contains("kafka partitions assigned") }.map {
                $0.contains("logs/0@") && $0.contains("logs/1@") && $0.contains("logs/2@")
            } ?? false
        }
        #expect(ownsAll, "second instance stderr: \(second.stderr)")
        #expect(second.stderr.contains("msg=\"window state restored from the state topic\""), "stderr: \(second.stderr)")

        let heartbeats = Self.hosts.map { KafkaRunConfig.line($0, minute: 20, "heartbeat") }
        try await Kcat.produce(heartbeats, topic: "logs", bootstrap: cluster.bootstrapServers)
        let delivered = await DaemonProcess.waitUntil(timeout: 60) { ((try? await Self.reports(cluster))?.count ?? 0) >= 3 }
        #expect(delivered, "fewer than 3 reports within 60 s; second instance stderr: \(second.stderr)")
        try await Task.sleep(for: .seconds(2))
        second.terminate()
        #expect(await second.waitForExit(seconds: 30))
        #expect(second.process.terminationStatus == 0, "stderr: \(second.stderr)")

        let records = try await Self.reports(cluster)
        #expect(records.count == 3, "keys: \(records.map { $0.key ?? "" })")
        #expect(Set(try records.map { try Self.decode($0).host }).count == 3, "one report per host")
        for record in records {
            let report = try Self.decode(record)
            #expect(report.lineCounts.seen == 3, "the window must hold the 3 lines the first instance read; \(record.payload ?? "")")
            #expect(report.keyLines.contains { $0.text.contains("EDAC") }, "key lines: \(report.keyLines.map(\.text))")
            #expect(report.window.closedBy != "end-of-input")
        }
        #expect(first.stderr.components(separatedBy: "msg=\"report written\"").count == 1, "the first instance must report nothing")

        // Keys are group/partition for manifests and group/partition/generation/index for chunks.
        let stateRecords = try await Kcat.consume(topic: "logcot-state", bootstrap: cluster.bootstrapServers)
        let chunkKeys = stateRecords.compactMap(\.key).filter { $0.split(separator: "/").count == 4 }
        #expect(chunkKeys.contains { $0.hasSuffix("/1") }, "a snapshot must span several chunks; keys: \(chunkKeys)")
        #expect(stateRecords.contains { $0.payload == nil }, "a later write must delete the chunks of the earlier one")
        #expect(second.stderr.components(separatedBy: "msg=\"report written\"").count == 4, "stderr: \(second.stderr)")
    }

    /// With the state topic on, a fault topic whose partition count differs from the log topic's
    /// stops the daemon with an error that names both counts.
    @Test func stateTopicRejectsUnequalPartitions() async throws {
        let directory = try TestSupport.temporaryDirectory()
        var topics = KafkaRunConfig.topics
        topics["fault-events"] = 1
        let cluster = try KafkaMockCluster(topics: topics, directory: directory)
        defer { cluster.stop() }
        let config = try KafkaRunConfig.write(in: directory, bootstrap: cluster.bootstrapServers)

        let daemon = try DaemonProcess(config: config, directory: directory)
        #expect(await daemon.waitForExit(seconds: 60), "the daemon must stop; stderr: \(daemon.stderr)")
        #expect(daemon.process.terminationStatus != 0)
        #expect(daemon.stderr.contains("'logs' has 3, 'fault-events' has 1"), "stderr: \(daemon.stderr)")
        #expect(daemon.stderr.contains("Recreate the topics with equal counts"), "stderr: \(daemon.stderr)")
    }
}
