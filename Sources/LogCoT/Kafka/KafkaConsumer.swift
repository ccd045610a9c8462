import CRdKafka
import Foundation

/// One record read from a partition.
public struct KafkaMessage: Sendable {
    public var partition: KafkaTopicPartition
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
}

/// The result of one `KafkaConsumer.poll`.
public enum KafkaConsumerEvent: Sendable {
    case message(KafkaMessage)
    /// A change of this consumer's partitions. The caller saves what revoked partitions need and
    /// then calls `assign` or `unassign` before it polls again.
    case rebalance(KafkaRebalance)
}

/// A librdkafka high-level consumer in a group, with manual offset commits.
///
/// LogCoT turns off automatic commits and offset stores, because an offset may be committed only
/// after a checkpoint covers its record. Rebalances are returned by `poll` instead of being
/// applied inside librdkafka's callback, so that the caller can checkpoint first.
public final class KafkaConsumer {
    /// Properties LogCoT sets on every consumer, after the configured ones.
    public static let requiredProperties = ["enable.auto.commit": "false", "enable.auto.offset.store": "false"]

    let handle: OpaquePointer
    private let context: KafkaCallbackContext
    private let logger: Logger
    /// Partitions currently assigned to this consumer.
    public private(set) var assignment: Set<KafkaTopicPartition> = []

    public init(config: KafkaClientConfig, configPrefix: String, clientName: String, logger: Logger) throws {
        self.logger = logger
        var properties = config.properties
        properties.merge(Self.requiredProperties) { _, required in required }
        let conf = try KafkaClientConfig(properties: properties).makeConf(prefix: configPrefix)
        context = KafkaCallbackContext(logger: logger, clientName: clientName)
        context.install(on: conf, deliveryReports: false, rebalance: true)

        var buffer = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &buffer, buffer.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(operation: "creating the kafka consumer for \(configPrefix)", code: -1, message: String(cString: buffer))
        }
        self.handle = handle
        // Serves error and log callbacks from rd_kafka_consumer_poll as well.
        rd_kafka_poll_set_consumer(handle)
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    public func subscribe(_ topics: [String]) throws {
        let list = makeKafkaPartitionList(topics.map { (KafkaTopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA), Int64(RD_KAFKA_OFFSET_INVALID)) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let result = rd_kafka_subscribe(handle, list)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(operation: "subscribe to \(topics.joined(separator: ", "))", code: result)
        }
    }

    /// Waits up to `timeout` seconds for a message or a rebalance.
    ///
    /// Consumer errors, such as a broker that cannot be reached, are logged and return nil, because
    /// librdkafka recovers from them itself.
    public func poll(timeout: TimeInterval) -> KafkaConsumerEvent? {
        if let rebalance = context.takeRebalance() {
            return .rebalance(rebalance)
        }
        guard let message = rd_kafka_consumer_poll(handle, Int32(timeout * 1_000)) else {
            return context.takeRebalance().map { .rebalance($0) }
        }
        defer { rd_kafka_message_destroy(message) }

        let pointee = message.pointee
        let topic = pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        guard pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            logger.error("kafka consumer error; librdkafka retries", [
                "topic": topic, "partition": String(pointee.partition),
                "error": String(cString: rd_kafka_err2str(pointee.err)),
            ], rateLimitKey: "kafka-consume")
            return nil
        }
        let value = pointee.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: pointee.len)) } ?? []
        let key = pointee.key.map { Array(UnsafeRawBufferPointer(start: $0, count: pointee.key_len)) }
        return .message(KafkaMessage(
            partition: KafkaTopicPartition(topic: topic, partition: pointee.partition),
            offset: pointee.offset, key: key, value: value))
    }

    /// True when the group uses the cooperative protocol, where rebalances add or remove
    /// partitions instead of replacing the whole assignment.
    private var isCooperative: Bool {
        kafkaUsesCooperativeProtocol(handle)
    }

    /// Starts reading `partitions`, each at its offset, or at the committed offset for `nil`.
    public func assign(_ partitions: [KafkaTopicPartition: Int64?]) throws {
        let entries = partitions.keys.sorted().map { ($0, (partitions[$0] ?? nil) ?? Int64(RD_KAFKA_OFFSET_INVALID)) }
        let list = makeKafkaPartitionList(entries)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if isCooperative {
            if let error = rd_kafka_incremental_assign(handle, list) {
                defer { rd_kafka_error_destroy(error) }
                throw KafkaError(operation: "incremental assign", code: rd_kafka_error_code(error))
            }
            assignment.formUnion(partitions.keys)
        } else {
            let result = rd_kafka_assign(handle, list)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(operation: "assign", code: result)
            }
            assignment = Set(partitions.keys)
        }
    }

    /// Stops reading `partitions` after a revoke.
    public func unassign(_ partitions: [KafkaTopicPartition]) throws {
        if isCooperative {
            let list = makeKafkaPartitionList(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            if let error = rd_kafka_incremental_unassign(handle, list) {
                defer { rd_kafka_error_destroy(error) }
                throw KafkaError(operation: "incremental unassign", code: rd_kafka_error_code(error))
            }
            assignment.subtract(partitions)
        } else {
            let result = rd_kafka_assign(handle, nil)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(operation: "unassign", code: result)
            }
            assignment.removeAll()
        }
    }

    /// Returns the group's committed offsets of `partitions`; a partition without one is left out.
    public func committed(_ partitions: [KafkaTopicPartition], timeout: TimeInterval) throws -> [KafkaTopicPartition: Int64] {
        let list = makeKafkaPartitionList(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let result = rd_kafka_committed(handle, list, Int32(timeout * 1_000))
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(operation: "reading committed offsets", code: result)
        }
        var offsets: [KafkaTopicPartition: Int64] = [:]
        for (partition, offset) in kafkaPartitions(list) where offset >= 0 {
            offsets[partition] = offset
        }
        return offsets
    }

    /// Commits `offsets` (each the next offset to read) for the group.
    ///
    /// With `async` the call returns at once and a failure is not reported. The state store keeps the
    /// same offsets, so a lost commit costs only records read again after a restart.
    public func commit(_ offsets: [KafkaTopicPartition: Int64], async: Bool) throws {
        guard !offsets.isEmpty else {
            return
        }
        let list = makeKafkaPartitionList(offsets.keys.sorted().map { ($0, offsets[$0]!) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let result = rd_kafka_commit(handle, list, async ? 1 : 0)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(operation: "committing offsets", code: result)
        }
    }

    /// Returns the lag of each assigned partition from the cached high watermark, where known.
    public func lag(positions: [KafkaTopicPartition: Int64]) -> [KafkaTopicPartition: Int64] {
        var lags: [KafkaTopicPartition: Int64] = [:]
        for partition in assignment {
            var low: Int64 = 0
            var high: Int64 = 0
            let result = rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else {
                continue
            }
            let position = positions[partition] ?? low
            lags[partition] = max(0, high - position)
        }
        return lags
    }

    /// Leaves the group; librdkafka serves the final revoke inside this call.
    public func close() {
        context.applyRebalancesInCallback()
        let result = rd_kafka_consumer_close(handle)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("closing the kafka consumer failed", ["error": String(cString: rd_kafka_err2str(result))])
        }
    }
}
