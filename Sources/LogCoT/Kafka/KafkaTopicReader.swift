import CRdKafka
import Foundation

/// A consumer outside any consumer group that reads one partition between two offsets and runs
/// metadata and watermark queries.
///
/// It uses librdkafka's simple consumer API (`rd_kafka_consume_start`), which needs no `group.id`,
/// so reading the state or report topic never joins or disturbs the daemon's group.
final class KafkaTopicReader {
    /// Properties that only producers use; librdkafka warns about each of them on a consumer.
    static let producerProperties: Set<String> = [
        "acks", "request.required.acks", "enable.idempotence", "message.timeout.ms", "delivery.timeout.ms",
        "queue.buffering.max.ms", "linger.ms", "queue.buffering.max.messages", "queue.buffering.max.kbytes",
        "batch.num.messages", "batch.size", "compression.type", "compression.codec", "compression.level",
        "retries", "message.send.max.retries", "partitioner", "sticky.partitioning.linger.ms",
        "transactional.id", "transaction.timeout.ms", "enable.gapless.guarantee", "request.timeout.ms",
    ]

    private let handle: OpaquePointer
    private let context: KafkaCallbackContext
    private let logger: Logger

    /// Creates the reader from a client's properties, leaving out the group and producer ones.
    init(properties: KafkaClientConfig, configPrefix: String, clientName: String, logger: Logger) throws {
        self.logger = logger
        var selected = properties.properties.filter {
            !KafkaDeadLetters.consumerProperties.contains($0.key) && !Self.producerProperties.contains($0.key)
        }
        selected["enable.auto.commit"] = "false"
        selected["enable.auto.offset.store"] = "false"
        selected["enable.partition.eof"] = "false"
        let conf = try KafkaClientConfig(properties: selected).makeConf(prefix: configPrefix)
        context = KafkaCallbackContext(logger: logger, clientName: clientName)
        context.install(on: conf, deliveryReports: false, rebalance: false)

        var buffer = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &buffer, buffer.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(operation: "creating the kafka reader for \(configPrefix)", code: -1, message: String(cString: buffer))
        }
        self.handle = handle
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// Returns the number of partitions of `topic`; throws when the topic does not exist.
    func partitionCount(topic: String, timeout: TimeInterval) throws -> Int {
        guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else {
            throw KafkaError(operation: "opening topic '\(topic)'", code: rd_kafka_last_error())
        }
        defer { rd_kafka_topic_destroy(topicHandle) }
        var metadata: UnsafePointer<rd_kafka_metadata_t>?
        let result = rd_kafka_metadata(handle, 0, topicHandle, &metadata, Int32(timeout * 1_000))
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(operation: "reading the metadata of topic '\(topic)'", code: result)
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt > 0, let topics = metadata.pointee.topics else {
            throw KafkaError(operation: "reading the metadata of topic '\(topic)'", code: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        }
        let entry = topics[0]
        guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR, entry.partition_cnt > 0 else {
            let code = entry.err == RD_KAFKA_RESP_ERR_NO_ERROR ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : entry.err
            throw KafkaError(operation: "reading the metadata of topic '\(topic)'", code: code)
        }
        return Int(entry.partition_cnt)
    }

    /// Returns the low and high watermark of a partition, asking the partition leader.
    func watermarks(_ partition: KafkaTopicPartition, timeout: TimeInterval) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let result = rd_kafka_query_watermark_offsets(handle, partition.topic, partition.partition, &low, &high, Int32(timeout * 1_000))
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(operation: "querying the watermarks of \(partition)", code: result)
        }
        return (low, high)
    }

    /// Calls `body` for every record of `partition` from offset `start` up to, not including,
    /// `end`, which is usually the high watermark. Throws when that takes longer than `timeout`.
    ///
    /// Offsets that compaction removed are skipped by the broker, so the records are fewer than
    /// `end - start` on a compacted topic.
    func read(_ partition: KafkaTopicPartition, from start: Int64, to end: Int64, timeout: TimeInterval, _ body: (KafkaMessage) throws -> Void) throws {
        guard start < end else {
            return
        }
        guard let topicHandle = rd_kafka_topic_new(handle, partition.topic, nil) else {
            throw KafkaError(operation: "opening topic '\(partition.topic)'", code: rd_kafka_last_error())
        }
        defer { rd_kafka_topic_destroy(topicHandle) }
        guard rd_kafka_consume_start(topicHandle, partition.partition, start) == 0 else {
            throw KafkaError(operation: "starting to read \(partition) at offset \(start)", code: rd_kafka_last_error())
        }
        defer { rd_kafka_consume_stop(topicHandle, partition.partition) }

        let deadline = Date().addingTimeInterval(timeout)
        var next = start
        while next < end {
            rd_kafka_poll(handle, 0)
            guard Date() < deadline else {
                throw KafkaError(operation: "reading \(partition) from offset \(start) to \(end)", code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue,
                                 message: "timed out after \(DurationText.format(timeout)) at offset \(next); check that the brokers are reachable")
            }
            guard let message = rd_kafka_consume(topicHandle, partition.partition, 100) else {
                continue
            }
            defer { rd_kafka_message_destroy(message) }
            let pointee = message.pointee
            if pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                continue
            }
            guard pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(operation: "reading \(partition) at offset \(next)", code: pointee.err)
            }
            let value = pointee.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: pointee.len)) } ?? []
            let key = pointee.key.map { Array(UnsafeRawBufferPointer(start: $0, count: pointee.key_len)) }
            next = pointee.offset + 1
            try body(KafkaMessage(partition: partition, offset: pointee.offset, key: key, value: value))
        }
    }
}
