import Foundation
import Testing

@testable import LogCoT

/// The report delivery floor that state-topic snapshots carry to the next partition owner.
@Suite struct KafkaReportFloorTests {
    @Test func snapshotCarriesReportFloor() throws {
        let floor = ReportDeliveryFloor(topic: "diagnoses", offsets: [0: 12, 1: 30])
        let snapshot = KafkaPartitionSnapshot(
            groupID: "group", partition: 2, positions: [KafkaTopicPartition(topic: "logs", partition: 2): 9],
            hosts: [:], reportFloor: floor)
        let decoded = try KafkaPartitionSnapshot.decode(try snapshot.encoded())
        #expect(decoded.reportFloor == floor)
    }

    @Test func snapshotWithoutFloorDecodes() throws {
        // A snapshot written before the floor existed.
        let json = #"{"formatVersion":1,"groupID":"group","partition":0,"offsets":[],"hosts":{},"writtenAt":"2024-05-01T12:00:00Z"}"#
        let decoded = try KafkaPartitionSnapshot.decode(Data(json.utf8))
        #expect(decoded.reportFloor == nil)
        #expect(decoded.partition == 0)
    }

    @Test func loweredTakesMinimumPerPartition() {
        let first = ReportDeliveryFloor(topic: "diagnoses", offsets: [0: 12, 1: 30, 2: 5])
        let second = ReportDeliveryFloor(topic: "diagnoses", offsets: [0: 20, 1: 3])
        let lowered = first.lowered(to: second)
        #expect(lowered.offsets[0] == 12)
        #expect(lowered.offsets[1] == 3)
        #expect(lowered.offsets[2] == nil, "a partition missing from either floor starts at the low watermark")
        #expect(lowered.topic == "diagnoses")
    }
}
