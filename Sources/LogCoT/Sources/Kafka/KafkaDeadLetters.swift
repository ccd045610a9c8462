import Foundation

/// Produces records that failed to parse to the dead-letter topic, with the reason in a header.
///
/// A checkpoint must not cover a record whose dead letter is not acknowledged, because a crash would
/// then lose the record. `flush` returns whether every dead letter was acknowledged.
final class KafkaDeadLetters {
    /// Consumer-only properties that are left out of the producer's config, because librdkafka
    /// warns about each of them on a producer.
    static let consumerProperties: Set<String> = [
        "group.id", "group.instance.id", "session.timeout.ms", "heartbeat.interval.ms", "auto.offset.reset",
        "max.poll.interval.ms", "partition.assignment.strategy", "isolation.level", "enable.partition.eof",
        "fetch.wait.max.ms", "fetch.min.bytes", "fetch.max.bytes", "fetch.message.max.bytes",
        "queued.min.messages", "queued.max.messages.kbytes", "check.crcs", "auto.commit.interval.ms",
    ]

    let topic: String
    private let logger: Logger
    private var producer: KafkaProducer
    private let properties: KafkaClientConfig
    /// Dead letters not yet acknowledged, by message id, so that a failed one is produced again.
    private var pending: [UInt64: DeadLetter] = [:]
    /// Dead letters that librdkafka did not accept into its queue yet, such as when the queue was full.
    private var unsent: [DeadLetter] = []

    private struct DeadLetter {
        var key: [UInt8]?
        var value: [UInt8]
        var headers: [(String, String)]
    }

    init(topic: String, consumerProperties: KafkaClientConfig, logger: Logger) throws {
        self.topic = topic
        self.logger = logger
        properties = KafkaClientConfig(properties: consumerProperties.properties.filter { !Self.consumerProperties.contains($0.key) })
        producer = try KafkaProducer(config: properties, configPrefix: "sources.kafka.properties", clientName: "dead-letter-producer", logger: logger)
    }

    /// Queues one record for the dead-letter topic.
    func send(_ message: KafkaMessage, reason: String) throws {
        let headers = [
            ("reason", reason),
            ("source_topic", message.partition.topic),
            ("source_partition", String(message.partition.partition)),
            ("source_offset", String(message.offset)),
        ]
        try produce(DeadLetter(key: message.key, value: message.value, headers: headers))
        logger.warning("record failed to parse; sent to the dead-letter topic", [
            "topic": message.partition.topic, "partition": String(message.partition.partition),
            "offset": String(message.offset), "dead_letter_topic": topic, "reason": reason,
        ], rateLimitKey: "kafka-dead-letter")
    }

    private func produce(_ letter: DeadLetter) throws {
        let id = try producer.produce(topic: topic, key: letter.key, value: letter.value, headers: letter.headers)
        pending[id] = letter
    }

    /// Produces a failed dead letter again, or keeps it for the next flush when librdkafka rejects it.
    private func retry(_ letter: DeadLetter) {
        do {
            try produce(letter)
        } catch {
            logger.error("queueing a dead letter again failed; retrying at the next checkpoint", ["error": String(describing: error)], rateLimitKey: "kafka-dead-letter-retry")
            unsent.append(letter)
        }
    }

    /// Waits up to `timeout` seconds until every dead letter is acknowledged, and produces failed ones
    /// again. Returns true when none is pending.
    // NOTE: a fatal idempotence error of this producer is not recovered, so dead letters then stay
    // pending and every checkpoint is postponed until a restart.
    func flush(timeout: TimeInterval) -> Bool {
        let retries = unsent
        unsent.removeAll()
        retries.forEach(retry)

        let deadline = Date().addingTimeInterval(timeout)
        while !pending.isEmpty {
            producer.poll(timeout: min(0.1, max(0, deadline.timeIntervalSinceNow)))
            for (id, outcome) in producer.takeOutcomes() {
                guard let letter = pending.removeValue(forKey: id), let error = outcome else {
                    continue
                }
                logger.error("producing a dead letter failed; retrying", ["dead_letter_topic": topic, "error": error.description], rateLimitKey: "kafka-dead-letter-retry")
                retry(letter)
            }
            if Date() >= deadline {
                break
            }
        }
        return pending.isEmpty && unsent.isEmpty
    }
}
