import Foundation

/// The state a checkpoint saves for the Kafka source: the next offset to read per partition, and
/// the partition number each host's records arrive on.
///
/// The same offsets are committed to the group after the checkpoint. The saved copy lets a restart
/// resume correctly when that commit was lost, such as after SIGKILL right after the checkpoint.
public struct KafkaSourceState: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var topic: String
        public var partition: Int32
        /// The offset after the last record that the checkpoint covers.
        public var nextOffset: Int64
    }

    public var offsets: [Entry]
    /// The partition number of each host seen on a Kafka topic; nil in files saved before it existed.
    public var hostPartitions: [String: Int32]?

    public init(positions: [KafkaTopicPartition: Int64], hostPartitions: [String: Int32]? = nil) {
        offsets = positions.keys.sorted().map { Entry(topic: $0.topic, partition: $0.partition, nextOffset: positions[$0]!) }
        self.hostPartitions = hostPartitions
    }

    public var positions: [KafkaTopicPartition: Int64] {
        var positions: [KafkaTopicPartition: Int64] = [:]
        for entry in offsets {
            positions[KafkaTopicPartition(topic: entry.topic, partition: entry.partition)] = entry.nextOffset
        }
        return positions
    }
}
