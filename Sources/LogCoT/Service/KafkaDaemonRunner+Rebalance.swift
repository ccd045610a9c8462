import Foundation

/// Rebalances: the window state of a partition number moves between group members through the
/// state topic (`KafkaStateTopic`), so that a host's open windows keep their lines when its
/// partitions move.
extension KafkaDaemonRunner {
    /// How long a revoke or a stop waits for pending reports before it writes the window state.
    static let handOverDeliveryTimeout: TimeInterval = 10

    /// Applies a rebalance. Before a revoke takes effect, a checkpoint saves what the partitions'
    /// records produced, the state topic receives their hosts' windows, and their offsets are
    /// committed, so the next owner starts after them with the same windows.
    func handle(_ rebalance: KafkaRebalance, _ core: DaemonCore, _ source: KafkaSource) async throws {
        switch rebalance.kind {
        case .assign:
            try assign(rebalance.partitions, core, source)
        case .revoke:
            try await revoke(rebalance.partitions, core, source)
        }
    }

    private func revoke(_ partitions: [KafkaTopicPartition], _ core: DaemonCore, _ source: KafkaSource) async throws {
        guard try await checkpoint(core, source, deadLetterTimeout: Self.finalDeadLetterFlushTimeout) else {
            logger.warning("partitions revoked without a checkpoint; their next owner reads the records since the last commit again", [
                "partitions": partitions.map(\.description).joined(separator: ","),
            ])
            try source.unassign(partitions)
            return
        }
        let numbers = Set(partitions.map(\.partition))
        let handedOver = await handOver(numbers, core, source)
        source.commitPositions(of: partitions, synchronous: true)

        if handedOver {
            // The next owner restores these hosts, so their windows must not also close here.
            let hosts = numbers.flatMap { source.hosts(onPartition: $0) }
            core.pipeline.windows.remove(hosts: hosts)
            core.checkpointer.markRemoved(hosts: hosts)
            source.forgetHosts(hosts)
            try await checkpoint(core, source, deadLetterTimeout: Self.finalDeadLetterFlushTimeout)
        }
        try source.unassign(partitions)
    }

    /// Delivers pending reports, then writes the window state of each partition number in
    /// `numbers` that changed since its last snapshot. Call it right after a checkpoint. Returns true
    /// when the state topic has the current state of every number.
    @discardableResult
    func handOver(_ numbers: Set<Int32>, _ core: DaemonCore, _ source: KafkaSource) async -> Bool {
        guard let stateTopic, partitioningChecked, !numbers.isEmpty else {
            return false
        }
        // Reports of windows closed here reach the report topic before the next owner starts.
        let deadline = Date().addingTimeInterval(Self.handOverDeliveryTimeout)
        while !core.delivery.deliverIgnoringBackoff(), Date() < deadline {
            try? await Task.sleep(for: .milliseconds(200))
        }
        if core.delivery.pendingCount > 0 {
            logger.warning("handing over window state with reports still pending; this process delivers them later", [
                "pending_reports": String(core.delivery.pendingCount),
            ])
        }

        // The checkpoint before this call wrote the numbers that changed, unless that write failed.
        let changed = numbers.intersection(changedNumbers(source))
        guard changed.isEmpty || writeSnapshots(changed, core, source) else {
            // The windows then stay here and close with the lines this process has, as without a
            // state topic.
            logger.error("handing window state over failed; the windows stay on this member", [
                "state_topic": stateTopic.topic, "partitions": numbers.sorted().map(String.init).joined(separator: ","),
            ])
            return false
        }
        logger.info("window state handed over", [
            "state_topic": stateTopic.topic, "partitions": numbers.sorted().map(String.init).joined(separator: ","),
            "hosts": String(numbers.reduce(0) { $0 + source.hosts(onPartition: $1).count }),
        ])
        return true
    }

    /// Starts reading assigned partitions and decides, per partition number, which window state is
    /// the newest: the state topic's, this process's own, or none, when the group moved past both.
    private func assign(_ partitions: [KafkaTopicPartition], _ core: DaemonCore, _ source: KafkaSource) throws {
        if let stateTopic, !partitioningChecked {
            do {
                try stateTopic.checkPartitioning(inputTopics: sourceConfig.subscribedTopics)
                partitioningChecked = true
            } catch let error as KafkaError {
                logger.error("checking the state topic failed; window state is not handed over until a later assignment checks it", [
                    "state_topic": stateTopic.topic, "error": error.description,
                ])
            }
        }
        guard let stateTopic, partitioningChecked else {
            try source.assign(partitions, committed: source.committedOffsets(partitions))
            return
        }
        let assigned = Set(partitions.map(\.partition))
        warnIfSplit(partitions, source)

        // Numbers of hosts held here but not assigned come from a stop or crash before a hand-over.
        let numbers = assigned.union(source.hostPartitions.values)
        let inputs = numbers.sorted().flatMap { source.inputPartitions(number: $0) }
        let committed = source.committedOffsets(inputs)
        var snapshots: [Int32: KafkaPartitionSnapshot] = [:]
        do {
            snapshots = try stateTopic.read(partitions: numbers)
        } catch {
            logger.error("reading window state from the state topic failed; starting from this member's own state", [
                "state_topic": stateTopic.topic, "error": String(describing: error),
            ])
        }

        var restored: [KafkaTopicPartition: Int64] = [:]
        for number in numbers.sorted() {
            let offsets = choose(number, isAssigned: assigned.contains(number), snapshot: snapshots[number], committed: committed, core, source)
            restored.merge(offsets) { $1 }
        }
        try source.assign(partitions, committed: committed, restored: restored)
        // Restored numbers match their snapshot; the others get one at the next checkpoint.
        let restoredNumbers = Set(restored.keys.map(\.partition))
        unsharedNumbers.formUnion(assigned.subtracting(restoredNumbers))
    }

    /// Applies the newest window state of one partition number and returns the offsets to start at
    /// when that is the state topic's snapshot.
    private func choose(_ number: Int32, isAssigned: Bool, snapshot: KafkaPartitionSnapshot?, committed: [KafkaTopicPartition: Int64], _ core: DaemonCore, _ source: KafkaSource) -> [KafkaTopicPartition: Int64] {
        let inputs = source.inputPartitions(number: number)
        let local = source.positions
        let localHosts = source.hosts(onPartition: number)

        if let snapshot, snapshot.positions.covers(local, in: inputs), snapshot.positions.covers(committed, in: inputs) {
            drop(localHosts, core, source)
            guard isAssigned else {
                return [:]
            }
            core.pipeline.windows.merge(snapshot.hosts)
            sharedPositions.merge(snapshot.positions) { $1 }
            if let floor = snapshot.reportFloor {
                // The previous owner may have reported windows after this snapshot and crashed
                // before its next commit, so this member can close them again.
                core.delivery.recognizeReports(producedSince: floor)
            }
            core.checkpointer.markChanged(hosts: snapshot.hosts.keys)
            for host in snapshot.hosts.keys {
                source.noteHost(host, onPartition: number)
            }
            logger.info("window state restored from the state topic", [
                "partition": String(number), "hosts": String(snapshot.hosts.count),
                "open_windows": String(snapshot.hosts.values.reduce(0) { $0 + $1.openWindowIDs.count }),
                "written_at": snapshot.writtenAt,
            ])
            return snapshot.positions
        }
        if local.covers(committed, in: inputs) {
            if !isAssigned, !localHosts.isEmpty {
                // NOTE: the next owner starts at the committed offset, before this state, so it can
                // report a window that closes here too.
                logger.warning("keeping window state of a partition that another member now reads; its windows close here", [
                    "partition": String(number), "hosts": String(localHosts.count),
                ])
            }
            return [:]
        }
        // The group committed past both copies, because a member stopped without handing over.
        if !localHosts.isEmpty {
            logger.warning("the group read past this member's saved window state of a partition; dropping it, so its open windows are not reported", [
                "partition": String(number), "hosts": String(localHosts.count),
            ])
        } else if isAssigned, let snapshot {
            logger.warning("the state topic's window state of a partition is older than the committed offset; starting without it, so its open windows are not reported", [
                "partition": String(number), "written_at": snapshot.writtenAt,
            ])
        }
        drop(localHosts, core, source)
        return [:]
    }

    private func drop(_ hosts: [String], _ core: DaemonCore, _ source: KafkaSource) {
        guard !hosts.isEmpty else {
            return
        }
        core.pipeline.windows.remove(hosts: hosts)
        core.checkpointer.markRemoved(hosts: hosts)
        source.forgetHosts(hosts)
    }

    /// Logs partition numbers assigned for some input topics and not others, which happens with an
    /// assignor other than range or with topics of different partition counts.
    private func warnIfSplit(_ partitions: [KafkaTopicPartition], _ source: KafkaSource) {
        let assigned = Set(partitions)
        for number in Set(partitions.map(\.partition)) {
            let missing = source.inputPartitions(number: number).filter { !assigned.contains($0) }
            if !missing.isEmpty {
                logger.error("a partition number is split between group members, so hosts there lose lines or faults; use the range assignor and equal partition counts", [
                    "partition": String(number), "missing": missing.map(\.description).joined(separator: ","),
                ])
            }
        }
    }
}
