import Foundation
import Testing

@testable import LogCoT

@Suite struct KafkaConfigTests {
    private func issues(_ text: String, environment: [String: String] = [:]) -> [ConfigIssue] {
        do {
            _ = try LogCoTConfig.parse(Data(text.utf8), source: "test.json5", environment: EnvironmentSubstitution(environment: environment))
            return []
        } catch let error as ConfigError {
            return error.issues
        } catch {
            return [ConfigIssue(path: "?", message: "\(error)")]
        }
    }

    @Test func exampleConfigLoads() throws {
        let url = TestSupport.packageRoot.appendingPathComponent("config/kafka.json5")
        let config = try LogCoTConfig.load(from: url, environment: EnvironmentSubstitution(environment: ["KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092"]))
        let source = try #require(config.sources.kafka)
        #expect(source.topics == ["logs"])
        #expect(source.faultTopic == "fault-events")
        #expect(source.deadLetterTopic == "logs-dlq")
        #expect(source.properties.properties["bootstrap.servers"] == "127.0.0.1:9092")
        #expect(source.properties.properties["group.id"] == "logcot")
        #expect(config.sinks.kafka?.topic == "diagnoses")
        #expect(config.sinks.kafka?.properties.properties["bootstrap.servers"] == "127.0.0.1:9092")
        #expect(source.stateTopic == "logcot-state")
    }

    @Test func stateTopicDefaultsAndTurnsOff() throws {
        let base = #"topics: ["logs"], properties: { "bootstrap.servers": "b:1", "group.id": "g" }"#
        let unset = try LogCoTConfig.parse(Data("{ sources: { kafka: { \(base) } } }".utf8), source: "test.json5")
        #expect(unset.sources.kafka?.stateTopic == KafkaSourceConfig.defaultStateTopic)
        let off = try LogCoTConfig.parse(Data(#"{ sources: { kafka: { stateTopic: "", \#(base) } } }"#.utf8), source: "test.json5")
        #expect(off.sources.kafka?.stateTopic == nil)
    }

    @Test func stateTopicNeedsRangeAssignor() {
        let found = issues("""
            { sources: { kafka: { topics: ["logs"], stateTopic: "logs",
              properties: { "bootstrap.servers": "b:1", "group.id": "g", "partition.assignment.strategy": "cooperative-sticky" } } } }
            """)
        #expect(found.map(\.path).sorted() == ["sources.kafka.properties.partition.assignment.strategy", "sources.kafka.stateTopic"])
        #expect(issues("""
            { sources: { kafka: { topics: ["logs"], stateTopic: "",
              properties: { "bootstrap.servers": "b:1", "group.id": "g", "partition.assignment.strategy": "cooperative-sticky" } } } }
            """).isEmpty, "without a state topic any assignor works")
        #expect(issues("""
            { sources: { kafka: { topics: ["logs"],
              properties: { "bootstrap.servers": "b:1", "group.id": "g", "partition.assignment.strategy": "range,roundrobin" } } } }
            """).isEmpty)
    }

    @Test func missingKeysNamed() {
        let found = issues(#"{ sources: { kafka: { properties: {} } }, sinks: { kafka: { properties: {} } } }"#)
        let paths = Set(found.map(\.path))
        #expect(paths.contains("sources.kafka.topics"))
        #expect(paths.contains("sources.kafka.properties.bootstrap.servers"))
        #expect(paths.contains("sources.kafka.properties.group.id"))
        #expect(paths.contains("sinks.kafka.topic"))
        #expect(paths.contains("sinks.kafka.properties.bootstrap.servers"))
    }

    @Test func conflictingPropertiesRejected() {
        let found = issues("""
            { sources: { kafka: { topics: ["logs"], properties: { "bootstrap.servers": "b:1", "group.id": "g", "enable.auto.commit": "true" } } },
              sinks: { kafka: { topic: "d", properties: { "bootstrap.servers": "b:1", "acks": "1", "enable.idempotence": "true" } } } }
            """)
        #expect(found.map(\.path).sorted() == ["sinks.kafka.properties.acks", "sources.kafka.properties.enable.auto.commit"])
    }

    @Test func topicOverlapsRejected() {
        let found = issues("""
            { sources: { kafka: { topics: ["logs"], faultTopic: "logs", deadLetterTopic: "logs",
              properties: { "bootstrap.servers": "b:1", "group.id": "g" } } } }
            """)
        #expect(found.map(\.path).sorted() == ["sources.kafka.deadLetterTopic", "sources.kafka.faultTopic"])
    }

    @Test func unknownKeyRejected() {
        let found = issues(#"{ sources: { kafka: { topic: ["logs"], properties: { "bootstrap.servers": "b:1", "group.id": "g" } } } }"#)
        #expect(found.contains { $0.path == "sources.kafka.topic" && $0.message.contains("did you mean 'topics'") })
    }

    @Test func invalidPropertyNamed() {
        let config = KafkaClientConfig(properties: ["bootstrap.servers": "b:1", "queue.buffering.max.ms": "not-a-number"])
        #expect {
            try KafkaProducer(config: config, configPrefix: "sinks.kafka.properties", clientName: "test", logger: Logger(label: "test"))
        } throws: { error in
            "\(error)".contains("sinks.kafka.properties.queue.buffering.max.ms")
        }
    }

    @Test func secretValueNeverEchoed() {
        let config = KafkaClientConfig(properties: ["bootstrap.servers": "b:1", "sasl.password": "hunter2", "sasl.mechanisms": "PLAIN"])
        #expect(!config.loggable.contains("hunter2"))
        #expect(config.loggable.contains("sasl.password=(hidden)"))
        #expect(throws: (any Error).self) {
            try KafkaProducer(config: KafkaClientConfig(properties: ["ssl.key.password": "hunter2", "sasl.password.bogus": "hunter2"]),
                              configPrefix: "p", clientName: "test", logger: Logger(label: "test"))
        }
        do {
            _ = try KafkaProducer(config: KafkaClientConfig(properties: ["sasl.password.bogus": "hunter2"]), configPrefix: "p", clientName: "test", logger: Logger(label: "test"))
        } catch {
            #expect("\(error)".contains("p.sasl.password.bogus"))
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}
