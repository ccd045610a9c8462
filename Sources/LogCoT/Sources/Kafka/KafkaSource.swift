import Foundation

/// Reads log lines and fault events from Kafka topics as a member of a consumer group.
///
/// The source tracks the next offset to read of every partition it processed. A checkpoint saves
/// those positions, and only afterwards `commitPositions` commits them to the group, so a committed
/// offset never covers a record whose effects are not in the state store.
public final class KafkaSource {
    /// One input from `next`.
    public enum Input {
        case line(RawLine, KafkaMessage)
        /// A record of the fault topic; nil for a blank value.
        case fault(Result<FaultEvent?, ParseError>, KafkaMessage)
        case rebalance(KafkaRebalance)
    }

    public let config: KafkaSourceConfig
    public let parser: any LineParser
    private let ticketParser: TicketLoader
    let consumer: KafkaConsumer
    private let deadLetters: KafkaDeadLetters?
    let logger: Logger
    private let maxLineBytes: Int

    /// The next offset to read per partition, for every partition processed or resumed.
    public private(set) var positions: [KafkaTopicPartition: Int64] = [:]
    /// Records read since the source started.
    public private(set) var recordsRead = 0

    public init(config: KafkaSourceConfig, parsing: ParsingConfig, timeZone: TimeZone, logger: Logger) throws {
        self.config = config
        self.logger = logger
        maxLineBytes = parsing.maxLineBytes
        let resolver = TimestampResolver(zone: timeZone)
        // Kafka records carry no file to detect a format from, so `auto` means JSON lines.
        let format = LogFormat(rawValue: parsing.format) ?? .jsonLines
        parser = ParserFactory.make(format, resolver: resolver, jsonFields: parsing.jsonFields)
        ticketParser = TicketLoader(resolver: resolver)
        consumer = try KafkaConsumer(config: config.properties, configPrefix: "sources.kafka.properties", clientName: "log-consumer", logger: logger)
        deadLetters = try config.deadLetterTopic.map {
            try KafkaDeadLetters(topic: $0, consumerProperties: config.properties, logger: logger)
        }
    }

    /// Restores the saved positions and subscribes to the topics.
    public func start(from saved: KafkaSourceState?) throws {
        positions = saved?.positions ?? [:]
        try consumer.subscribe(config.subscribedTopics)
        logger.info("kafka source subscribed", [
            "topics": config.subscribedTopics.joined(separator: ","),
            "saved_partitions": String(positions.count),
            "properties": config.properties.loggable,
        ])
    }

    /// The state a checkpoint saves.
    public var state: KafkaSourceState {
        KafkaSourceState(positions: positions)
    }

    /// Waits up to `timeout` seconds for the next record or rebalance.
    public func next(timeout: TimeInterval) -> Input? {
        switch consumer.poll(timeout: timeout) {
        case nil:
            return nil
        case .rebalance(let rebalance)?:
            return .rebalance(rebalance)
        case .message(let message)?:
            recordsRead += 1
            if message.partition.topic == config.faultTopic {
                return .fault(faultEvent(from: message), message)
            }
            return .line(rawLine(from: message), message)
        }
    }

    private func rawLine(from message: KafkaMessage) -> RawLine {
        var bytes = message.value
        var truncated = false
        if bytes.count > maxLineBytes {
            bytes = Array(bytes.prefix(maxLineBytes))
            truncated = true
        }
        // A trailing newline is common when producers write lines; the parsers expect none.
        while bytes.last == 0x0A || bytes.last == 0x0D {
            bytes.removeLast()
        }
        let hostHint = message.key.map { String(decoding: $0, as: UTF8.self) }.flatMap { $0.isEmpty ? nil : $0 }
        return RawLine(text: String(decoding: bytes, as: UTF8.self), origin: message.partition.description,
                       position: Int(message.offset), truncated: truncated, hostHint: hostHint)
    }

    private func faultEvent(from message: KafkaMessage) -> Result<FaultEvent?, ParseError> {
        let line = rawLine(from: message)
        return ticketParser.parse(line).map { event in
            event.map { event in
                var event = event
                event.detail = "\(message.partition)@\(message.offset)"
                return event
            }
        }
    }

    /// Records that `message` and everything before it in its partition was processed.
    public func markProcessed(_ message: KafkaMessage) {
        positions[message.partition] = message.offset + 1
    }

    /// Sends an unparseable record to the dead-letter topic, or only logs it when none is configured.
    public func reject(_ message: KafkaMessage, reason: String) throws {
        guard let deadLetters else {
            logger.warning("record failed to parse; no deadLetterTopic is configured, so it is dropped", [
                "topic": message.partition.topic, "partition": String(message.partition.partition),
                "offset": String(message.offset), "reason": reason,
            ], rateLimitKey: "kafka-reject")
            return
        }
        try deadLetters.send(message, reason: reason)
    }

    /// Waits for the dead letters produced so far; a checkpoint may cover their records only then.
    public func flushDeadLetters(timeout: TimeInterval) -> Bool {
        deadLetters?.flush(timeout: timeout) ?? true
    }

    /// Commits the positions of `partitions`, or of every assigned partition, to the group.
    ///
    /// Call it only after a checkpoint that saved `state`. A failed commit is logged, because the
    /// state store has the same offsets.
    public func commitPositions(of partitions: [KafkaTopicPartition]? = nil, synchronous: Bool) {
        let selected = partitions ?? Array(consumer.assignment)
        var offsets: [KafkaTopicPartition: Int64] = [:]
        for partition in selected {
            offsets[partition] = positions[partition]
        }
        do {
            try consumer.commit(offsets, async: !synchronous)
        } catch {
            logger.warning("committing kafka offsets failed; the state store keeps them, so a restart resumes correctly", [
                "error": String(describing: error), "partitions": String(offsets.count),
            ], rateLimitKey: "kafka-commit")
        }
    }

    /// Starts reading newly assigned partitions at the later of the saved and the committed offset.
    ///
    /// The saved offset covers the case of a lost commit; the committed one covers records that
    /// another group member processed while it owned the partition.
    public func assign(_ partitions: [KafkaTopicPartition]) throws {
        var committed: [KafkaTopicPartition: Int64] = [:]
        do {
            committed = try consumer.committed(partitions, timeout: 10)
        } catch {
            logger.warning("reading committed offsets failed; starting from the saved offsets", ["error": String(describing: error)])
        }

        var start: [KafkaTopicPartition: Int64?] = [:]
        for partition in partitions {
            let offset = [positions[partition], committed[partition]].compactMap { $0 }.max()
            start[partition] = offset
            if let offset {
                positions[partition] = offset
            }
        }
        try consumer.assign(start)
        logger.info("kafka partitions assigned", [
            "partitions": partitions.sorted().map { "\($0)@\(start[$0]!.map(String.init) ?? "committed-or-reset")" }.joined(separator: ","),
        ])
    }

    /// Stops reading revoked partitions; call it after their checkpoint and commit.
    public func unassign(_ partitions: [KafkaTopicPartition]) throws {
        try consumer.unassign(partitions)
        for partition in partitions {
            Metrics.kafka.consumerLag.remove(topic: partition.topic, partition: Int(partition.partition))
        }
        logger.info("kafka partitions revoked", ["partitions": partitions.sorted().map(\.description).joined(separator: ",")])
    }

    /// Sets the consumer lag metric of each assigned partition.
    public func updateLagMetric() {
        for (partition, lag) in consumer.lag(positions: positions) {
            Metrics.kafka.consumerLag.set(topic: partition.topic, partition: Int(partition.partition), messages: Int(lag))
        }
    }

    /// Leaves the group. Offsets are not committed here; the caller commits after its last checkpoint.
    public func close() {
        consumer.close()
    }
}
