import Foundation
import Testing

@testable import LogCoT

/// `logcot run` with the Kafka source while its sink fails: the partitions pause at
/// `sinks.maxPendingReports` unwritten reports and resume once delivery works again.
@Suite(.serialized, .enabled(if: KafkaMockCluster.available))
struct KafkaBackPressureTests {
    /// Writes a Kafka config like `KafkaRunConfig.write` with `sinks.maxPendingReports` set.
    static func writeConfig(in directory: URL, bootstrap: String, maxPendingReports: Int) throws -> URL {
        let url = directory.appendingPathComponent("logcot-kafka.json5")
        let text = """
            {
              masking: { secret: "test-secret" },
              metrics: { address: "127.0.0.1:0" },
              llm: { enabled: false },
              faults: { triggers: "off" },
              windowing: { before: "1h", after: "5m", allowedLateness: "1m", idleTimeout: "2s" },
              sources: { kafka: {
                topics: ["logs"], faultTopic: "fault-events", deadLetterTopic: "logs-dlq", pollTimeout: "200ms",
                properties: {
                  "bootstrap.servers": "\(bootstrap)", "group.id": "logcot-test",
                  "session.timeout.ms": "6000", "heartbeat.interval.ms": "1000", "auto.offset.reset": "earliest",
                },
              } },
              sinks: {
                kafka: { topic: "diagnoses", properties: { "bootstrap.servers": "\(bootstrap)" } },
                maxPendingReports: \(maxPendingReports),
              },
              state: { path: "\(directory.appendingPathComponent("state.sqlite").path)" },
            }
            """
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func failingSinkPausesPartitions() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let cluster = try KafkaMockCluster(topics: KafkaRunConfig.topics, directory: directory)
        defer { cluster.stop() }
        try await KafkaRunTests.produceInput(to: cluster, heartbeats: true)
        let config = try Self.writeConfig(in: directory, bootstrap: cluster.bootstrapServers, maxPendingReports: 1)

        let daemon = try await KafkaRunTests.startJoined(config, in: directory, environment: ["LOGCOT_TEST_SINK_FAILURES": "2"])
        let delivered = await DaemonProcess.waitUntil(timeout: 60) { ((try? await KafkaRunTests.reports(cluster))?.count ?? 0) >= 3 }
        #expect(delivered, "fewer than 3 reports within 60 s; stderr: \(daemon.stderr)")
        daemon.terminate()
        #expect(await daemon.waitForExit(seconds: 30))
        let stderr = daemon.stderr

        #expect(daemon.process.terminationStatus == 0, "stderr: \(stderr)")
        #expect(stderr.contains("reading the source pauses"), "stderr: \(stderr)")
        #expect(stderr.contains("reading the source resumes"), "stderr: \(stderr)")
        #expect(!stderr.contains("pausing the kafka partitions failed"), "stderr: \(stderr)")
        let peaks = BackPressureRunTests.values(of: "max_unwritten_reports", in: stderr)
        #expect(!peaks.isEmpty)
        // NOTE: the fault events sit on three partitions, so one poll can close all three windows
        // before the check pauses the partitions. The journald back-pressure tests check the exact
        // bound. This test checks that the partitions pause and resume.
        #expect(peaks.allSatisfy { $0 <= 3 }, "more unwritten reports than windows: \(peaks)")
        let records = try await KafkaRunTests.reports(cluster)
        #expect(records.count == 3)
        #expect(Set(records.compactMap(\.key)).count == 3, "each window reported once")
    }
}
