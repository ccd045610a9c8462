import Foundation

/// Per partition of the report topic, an offset before which no report still pending delivery can
/// be: the high watermark at the last moment when every report was delivered.
///
/// After a crash, the report sink reads the topic only from these offsets to find the pending
/// reports that the brokers had already acknowledged. The state store keeps the floor under the
/// name `stateKey` in its `source_state` table.
public struct ReportDeliveryFloor: Codable, Sendable, Equatable {
    static let stateKey = "kafka-report-floor"

    /// The report topic the offsets belong to; a floor of another topic is ignored.
    public var topic: String
    public var offsets: [Int32: Int64]

    /// Loads the saved floor, or nil when none was saved or it does not decode.
    static func load(from store: CheckpointStore, logger: Logger) -> ReportDeliveryFloor? {
        do {
            guard let data = try store.sourceState(stateKey) else {
                return nil
            }
            return try JSONDecoder().decode(ReportDeliveryFloor.self, from: data)
        } catch {
            // Without a floor the sink reads the report topic from its low watermark, which is
            // slower but finds the same reports.
            logger.warning("the saved report delivery floor is unreadable; the report topic is read from its start", ["error": String(describing: error)])
            return nil
        }
    }

    func save(to store: CheckpointStore) throws {
        try store.saveSourceState(Self.stateKey, try JSONEncoder().encode(self))
    }

    /// Returns the lower of the two floors per partition. A partition missing from either floor is
    /// missing from the result, because a missing offset means the low watermark.
    func lowered(to other: ReportDeliveryFloor) -> ReportDeliveryFloor {
        var offsets: [Int32: Int64] = [:]
        for (partition, offset) in self.offsets {
            if let otherOffset = other.offsets[partition] {
                offsets[partition] = min(offset, otherOffset)
            }
        }
        return ReportDeliveryFloor(topic: topic, offsets: offsets)
    }
}
