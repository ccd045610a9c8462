import Foundation
import Testing

@testable import LogCoT

@Suite struct KafkaStateManifestTests {
    @Test func splitAndJoinRoundTrip() throws {
        let data = Data((0..<1_000).map { UInt8($0 % 251) })
        let pieces = KafkaStateManifest.split(data, chunkBytes: 300)
        #expect(pieces.map(\.count) == [300, 300, 300, 100])

        let manifest = KafkaStateManifest(generation: "g1", chunkCount: pieces.count, byteCount: data.count)
        var chunks: [String: [UInt8]] = [:]
        for (index, piece) in pieces.enumerated() {
            chunks[manifest.chunkKey(index, partitionKey: "group/2")] = Array(piece)
        }
        #expect(chunks.keys.sorted() == ["group/2/g1/0", "group/2/g1/1", "group/2/g1/2", "group/2/g1/3"])
        #expect(try manifest.join(chunks, partitionKey: "group/2") == data)
    }

    @Test func joinRejectsMissingChunk() {
        let manifest = KafkaStateManifest(generation: "g1", chunkCount: 2, byteCount: 4)
        let chunks = ["group/0/g1/0": [UInt8]([1, 2])]
        #expect(throws: KafkaStateTopicError.self) {
            try manifest.join(chunks, partitionKey: "group/0")
        }
    }

    @Test func joinRejectsWrongSize() {
        let manifest = KafkaStateManifest(generation: "g1", chunkCount: 1, byteCount: 5)
        let chunks = ["group/0/g1/0": [UInt8]([1, 2])]
        #expect(throws: KafkaStateTopicError.self) {
            try manifest.join(chunks, partitionKey: "group/0")
        }
    }

    @Test func snapshotRoundTripsThroughJSON() throws {
        let snapshot = KafkaPartitionSnapshot(
            groupID: "group", partition: 1,
            positions: [KafkaTopicPartition(topic: "logs", partition: 1): 42, KafkaTopicPartition(topic: "fault-events", partition: 1): 7],
            hosts: [:])
        let decoded = try KafkaPartitionSnapshot.decode(try snapshot.encoded())
        #expect(decoded.positions == snapshot.positions)
        #expect(decoded.groupID == "group")
        #expect(decoded.partition == 1)
    }

    @Test func offsetsCoverComparison() {
        let logs = KafkaTopicPartition(topic: "logs", partition: 0)
        let faults = KafkaTopicPartition(topic: "fault-events", partition: 0)
        let partitions = [logs, faults]
        #expect([logs: 5, faults: 2].covers([logs: 5, faults: 1], in: partitions))
        #expect(![logs: 5].covers([logs: 5, faults: 1], in: partitions), "a missing offset is before every record")
        #expect([logs: 5].covers([:], in: partitions))
        #expect(![logs: 4, faults: 2].covers([logs: 5], in: partitions))
    }
}
