import Foundation

/// Settings for producing reports to a Kafka topic (`sinks.kafka`).
public struct KafkaSinkConfig: Sendable {
    public var topic = ""
    /// librdkafka producer properties, such as `bootstrap.servers`.
    public var properties = KafkaClientConfig(properties: [:])

    public init(topic: String, properties: [String: String]) {
        self.topic = topic
        self.properties = KafkaClientConfig(properties: properties)
    }

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys(["topic", "properties"])
        topic = object.string("topic", default: "")
        if topic.isEmpty {
            object.reader.report(object.keyPath("topic"), "missing topic; name the topic that reports are produced to, such as \"diagnoses\"")
        }
        properties = KafkaClientConfig(properties: object.stringMap("properties"))
        KafkaPropertyCheck.require(["bootstrap.servers"], in: properties, at: object.object("properties"))
        KafkaPropertyCheck.reject(conflictingWith: KafkaProducer.requiredProperties, in: properties, at: object.object("properties"))
    }
}

/// Settings for reading log lines and fault events from Kafka topics (`sources.kafka`).
public struct KafkaSourceConfig: Sendable {
    /// Topics whose record values are log lines and whose keys are host names.
    public var topics: [String] = []
    /// A topic of fault events, JSON objects with `host` and `fault_time`; nil reads none.
    public var faultTopic: String?
    /// The topic that records which fail to parse are produced to; nil only logs and counts them.
    public var deadLetterTopic: String?
    /// librdkafka consumer properties; `bootstrap.servers` and `group.id` are required.
    public var properties = KafkaClientConfig(properties: [:])
    /// The maximum time one poll blocks, so that idle closing and checkpoints run.
    public var pollTimeout: TimeInterval = 0.5
    /// The compacted topic that carries window state between group members at rebalances; nil keeps
    /// window state local to each process.
    public var stateTopic: String? = KafkaSourceConfig.defaultStateTopic
    public static let defaultStateTopic = "logcot-state"

    public init(topics: [String], properties: [String: String]) {
        self.topics = topics
        self.properties = KafkaClientConfig(properties: properties)
    }

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys(["topics", "faultTopic", "deadLetterTopic", "properties", "pollTimeout", "stateTopic"])
        topics = object.stringArray("topics") ?? []
        if topics.isEmpty || topics.contains(where: \.isEmpty) {
            object.reader.report(object.keyPath("topics"), "missing topics; list the topics of log lines, such as [\"logs\"]")
        }
        faultTopic = object.optionalString("faultTopic").flatMap { $0.isEmpty ? nil : $0 }
        deadLetterTopic = object.optionalString("deadLetterTopic").flatMap { $0.isEmpty ? nil : $0 }
        if let faultTopic, topics.contains(faultTopic) {
            object.reader.report(object.keyPath("faultTopic"), "topic '\(faultTopic)' is also in topics; a topic carries either log lines or fault events")
        }
        if let deadLetterTopic, topics.contains(deadLetterTopic) || deadLetterTopic == faultTopic {
            object.reader.report(object.keyPath("deadLetterTopic"), "topic '\(deadLetterTopic)' is also read by this source; use a topic of its own")
        }
        // An empty string turns the state topic off.
        stateTopic = object.string("stateTopic", default: Self.defaultStateTopic)
        if stateTopic == "" {
            stateTopic = nil
        }
        if let stateTopic, subscribedTopics.contains(stateTopic) || stateTopic == deadLetterTopic {
            object.reader.report(object.keyPath("stateTopic"), "topic '\(stateTopic)' is also used for records; use a topic of its own")
        }
        pollTimeout = object.duration("pollTimeout", default: pollTimeout)
        if pollTimeout <= 0 || pollTimeout > 60 {
            object.reader.report(object.keyPath("pollTimeout"), "\(DurationText.format(pollTimeout)) is out of range; use a duration from 1ms to 60s")
            pollTimeout = 0.5
        }

        properties = KafkaClientConfig(properties: object.stringMap("properties"))
        let propertiesObject = object.object("properties")
        KafkaPropertyCheck.require(["bootstrap.servers", "group.id"], in: properties, at: propertiesObject)
        KafkaPropertyCheck.reject(conflictingWith: KafkaConsumer.requiredProperties, in: properties, at: propertiesObject)
        if stateTopic != nil, let strategy = properties.properties["partition.assignment.strategy"],
           strategy.split(separator: ",").first?.trimmingCharacters(in: .whitespaces) != "range" {
            object.reader.report(propertiesObject.keyPath("partition.assignment.strategy"), "'\(strategy)' may give a host's log and fault partitions to different members; the state topic needs the range assignor, so remove the property or set it to \"range\", or set stateTopic to \"\" to keep window state local")
        }
    }

    /// Every topic the consumer subscribes to.
    public var subscribedTopics: [String] {
        topics + (faultTopic.map { [$0] } ?? [])
    }
}

enum KafkaPropertyCheck {
    static func require(_ names: [String], in config: KafkaClientConfig, at object: ConfigObject) {
        for name in names where (config.properties[name] ?? "").isEmpty {
            object.reader.report(object.keyPath(name), "missing; librdkafka needs \(name) for this client")
        }
    }

    /// Reports properties that would undo a setting LogCoT relies on.
    static func reject(conflictingWith required: [String: String], in config: KafkaClientConfig, at object: ConfigObject) {
        for (name, value) in required.sorted(by: { $0.key < $1.key }) {
            guard let configured = config.properties[name] else {
                continue
            }
            let equivalent = configured == value || (name == "acks" && configured == "-1")
            if !equivalent {
                object.reader.report(object.keyPath(name), "LogCoT sets \(name)=\(value) itself, because delivery and offset commits depend on it; remove the property")
            }
        }
    }
}
