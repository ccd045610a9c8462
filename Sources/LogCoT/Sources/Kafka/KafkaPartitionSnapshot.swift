import Foundation

/// The window state of the hosts whose records arrive on one partition number, as one record of
/// the state topic stores it.
///
/// Every input topic has the same partition count and is keyed by host, so one partition number
/// covers a host's log lines and fault events. `offsets` are the next offsets to read of the input
/// partitions with that number, and `hosts` is the windowing state after every record before them.
public struct KafkaPartitionSnapshot: Codable, Sendable {
    public static let formatVersion = 1

    public var formatVersion: Int
    /// The consumer group whose members share this state; several groups can share one state topic.
    public var groupID: String
    public var partition: Int32
    public var offsets: [KafkaSourceState.Entry]
    public var hosts: [String: HostWindowSnapshot]
    /// The writer's report delivery floor: every report it produced after this snapshot, or still
    /// had pending, is at or past these offsets. Nil without a Kafka report sink, and in snapshots
    /// written before the field existed.
    public var reportFloor: ReportDeliveryFloor?
    /// The time of writing in RFC 3339, for people reading the topic.
    public var writtenAt: String

    public init(groupID: String, partition: Int32, positions: [KafkaTopicPartition: Int64], hosts: [String: HostWindowSnapshot], reportFloor: ReportDeliveryFloor? = nil) {
        formatVersion = Self.formatVersion
        self.groupID = groupID
        self.partition = partition
        offsets = KafkaSourceState(positions: positions).offsets
        self.hosts = hosts
        self.reportFloor = reportFloor
        writtenAt = RFC3339.format(Date())
    }

    /// The record key: the group id and the partition number, such as `logcot/2`.
    public static func key(groupID: String, partition: Int32) -> String {
        "\(groupID)/\(partition)"
    }

    public var positions: [KafkaTopicPartition: Int64] {
        var state = KafkaSourceState(positions: [:])
        state.offsets = offsets
        return state.positions
    }

    /// Encodes as JSON, with the same number handling as the SQLite host snapshots.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> KafkaPartitionSnapshot {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(KafkaPartitionSnapshot.self, from: data)
    }
}

extension Dictionary where Key == KafkaTopicPartition, Value == Int64 {
    /// True when, for every partition in `partitions`, this offset is at least the one in `other`;
    /// a missing offset counts as before every record.
    func covers(_ other: [KafkaTopicPartition: Int64], in partitions: [KafkaTopicPartition]) -> Bool {
        partitions.allSatisfy { (self[$0] ?? -1) >= (other[$0] ?? -1) }
    }
}
