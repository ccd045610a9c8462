import CRdKafka
import Foundation

extension KafkaConsumer {
    /// Stops fetching from `partitions`. The consumer keeps polling, so it stays in the group and
    /// rebalances are still served. Pausing a paused partition does nothing.
    public func pause(_ partitions: Set<KafkaTopicPartition>) throws {
        try setPaused(partitions, paused: true)
    }

    /// Fetches from `partitions` again, from the position where reading stopped.
    public func resume(_ partitions: Set<KafkaTopicPartition>) throws {
        try setPaused(partitions, paused: false)
    }

    private func setPaused(_ partitions: Set<KafkaTopicPartition>, paused: Bool) throws {
        guard !partitions.isEmpty else {
            return
        }
        let list = makeKafkaPartitionList(partitions.sorted().map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let result = paused ? rd_kafka_pause_partitions(handle, list) : rd_kafka_resume_partitions(handle, list)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(operation: paused ? "pausing partitions" : "resuming partitions", code: result)
        }
    }
}
