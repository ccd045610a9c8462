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
    /// The partition number that each host's records arrive on.
    public private(set) var hostPartitions: [String: Int32] = [:]
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
        hostPartitions = saved?.hostPartitions ?? [:]
        try consumer.subscribe(config.subscribedTopics)
        logger.info("kafka source subscribed", [
            "topics": config.subscribedTopics.joined(separator: ","),
            "saved_partitions": String(positions.count),
            "properties": config.properties.loggable,
        ])
    }

    /// The state a checkpoint saves.
    public var state: KafkaSourceState {
        KafkaSourceState(positions: positions, hostPartitions: hostPartitions)
    }

    /// Partitions currently assigned to this member.
    public var assignment: Set<KafkaTopicPartition> {
        consumer.assignment
    }

    /// Records that `host`'s records arrive on `message`'s partition number.
    ///
    /// A host seen on two partition numbers is logged, because its window state can then move with
    /// only one of them at a rebalance.
    public func noteHost(_ host: String, of message: KafkaMessage) {
        let partition = message.partition.partition
        let previous = hostPartitions.updateValue(partition, forKey: host)
        if let previous, previous != partition {
            logger.warning("host seen on two partition numbers; key the records of every input topic by host", [
                "host": host, "partition": String(partition), "previous_partition": String(previous),
                "topic": message.partition.topic,
            ], rateLimitKey: "kafka-host-partition")
        }
    }

    /// Records that `host`'s window state came with partition number `partition` from another member.
    public func noteHost(_ host: String, onPartition partition: Int32) {
        hostPartitions[host] = partition
    }

    /// Hosts whose records arrive on partition number `partition`.
    public func hosts(onPartition partition: Int32) -> [String] {
        hostPartitions.filter { $0.value == partition }.keys.sorted()
    }

    /// Forgets which partition `hosts` arrive on, after their state moved to another member.
    public func forgetHosts(_ hosts: [String]) {
        for host in hosts {
            hostPartitions[host] = nil
        }
    }

    /// The input partitions with partition number `partition`, one per subscribed topic.
    public func inputPartitions(number partition: Int32) -> [KafkaTopicPartition] {
        config.subscribedTopics.map { KafkaTopicPartition(topic: $0, partition: partition) }
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

    /// Returns the group's committed offsets of `partitions`, or none when reading them failed.
    public func committedOffsets(_ partitions: [KafkaTopicPartition]) -> [KafkaTopicPartition: Int64] {
        do {
            return try consumer.committed(partitions, timeout: 10)
        } catch {
            logger.warning("reading committed offsets failed; starting from the saved offsets", ["error": String(describing: error)])
            return [:]
        }
    }

    /// Starts reading newly assigned partitions at the latest of the saved offset, the committed
    /// offset and the offset of restored window state.
    ///
    /// The saved offset covers the case of a lost commit; the committed one covers records that
    /// another group member processed while it owned the partition. `restored` contains the offsets
    /// of window state that the state topic handed over.
    public func assign(_ partitions: [KafkaTopicPartition], committed: [KafkaTopicPartition: Int64], restored: [KafkaTopicPartition: Int64] = [:]) throws {
        var start: [KafkaTopicPartition: Int64?] = [:]
        for partition in partitions {
            let offset = [positions[partition], committed[partition], restored[partition]].compactMap { $0 }.max()
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
