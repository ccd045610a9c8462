import Foundation

/// Window state on the state topic before each offset commit: the snapshot of every assigned
/// partition number whose state changed is acknowledged by the brokers before the group's offsets
/// pass it. A member that takes a partition over after a crash then finds every window that the
/// committed offsets cover.
extension KafkaDaemonRunner {
    /// True when window state goes to the state topic: `stateTopic` is set and was checked.
    var sharesState: Bool {
        stateTopic != nil && partitioningChecked
    }

    /// Records that the window state of `hosts` changed without a record of their partitions, such
    /// as when the idle timeout closed a window.
    func markStateChanged(hosts: [String], _ source: KafkaSource) {
        for host in hosts {
            if let number = source.hostPartitions[host] {
                unsharedNumbers.insert(number)
            }
        }
    }

    /// Assigned partition numbers whose state differs from their last snapshot on the state topic:
    /// their positions moved, or their hosts changed without a record.
    func changedNumbers(_ source: KafkaSource) -> Set<Int32> {
        let assignment = source.assignment
        var numbers = unsharedNumbers
        for partition in assignment where source.positions[partition] != sharedPositions[partition] {
            numbers.insert(partition.partition)
        }
        return numbers.intersection(assignment.map(\.partition))
    }

    /// Writes the snapshots of the changed partition numbers; returns true when the brokers
    /// acknowledged them or nothing changed, so the offsets may be committed.
    func shareChangedState(_ core: DaemonCore, _ source: KafkaSource) -> Bool {
        guard sharesState else {
            return true
        }
        let numbers = changedNumbers(source)
        guard !numbers.isEmpty else {
            return true
        }
        return writeSnapshots(numbers, core, source)
    }

    /// Writes the snapshot of each partition number in `numbers`, with the hosts seen there, the
    /// next offsets of its input partitions and the report delivery floor. Returns true when the
    /// brokers acknowledged every record.
    func writeSnapshots(_ numbers: Set<Int32>, _ core: DaemonCore, _ source: KafkaSource) -> Bool {
        guard let stateTopic, partitioningChecked else {
            return false
        }
        let started = Date()
        core.delivery.establishKafkaFloor()
        var snapshots: [KafkaPartitionSnapshot] = []
        for number in numbers.sorted() {
            var positions: [KafkaTopicPartition: Int64] = [:]
            for partition in source.inputPartitions(number: number) {
                positions[partition] = source.positions[partition]
            }
            var hosts: [String: HostWindowSnapshot] = [:]
            for host in source.hosts(onPartition: number) {
                hosts[host] = core.pipeline.windows.snapshot(host: host)
            }
            snapshots.append(KafkaPartitionSnapshot(
                groupID: stateTopic.groupID, partition: number, positions: positions, hosts: hosts,
                reportFloor: core.delivery.kafkaFloor))
        }

        let byteCount: Int
        do {
            if hooks.stateWritesFail {
                throw KafkaStateTopicError(message: "writes fail because LOGCOT_TEST_FAIL_STATE_WRITES_AT is set")
            }
            byteCount = try stateTopic.write(snapshots)
        } catch {
            logger.error("writing window state to the state topic failed", [
                "state_topic": stateTopic.topic, "partitions": numbers.sorted().map(String.init).joined(separator: ","),
                "error": String(describing: error),
            ], rateLimitKey: "kafka-state-write")
            return false
        }

        for snapshot in snapshots {
            sharedPositions.merge(snapshot.positions) { $1 }
            unsharedNumbers.remove(snapshot.partition)
        }
        logger.debug("window state written to the state topic", [
            "state_topic": stateTopic.topic,
            "partitions": numbers.sorted().map(String.init).joined(separator: ","),
            "positions": snapshots.flatMap { $0.positions.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" } }.joined(separator: ","),
            "hosts": String(snapshots.reduce(0) { $0 + $1.hosts.count }),
            "bytes": String(byteCount),
            "duration_ms": String(Int((Date().timeIntervalSince(started) * 1_000).rounded())),
        ])
        return true
    }
}
