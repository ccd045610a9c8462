import Foundation

/// `logcot run` with the Kafka source: consumes log and fault topics in a group, runs the pipeline
/// and delivers reports until SIGTERM or SIGINT. When `sources.journald` is configured too, the same
/// loop also reads the journal, and each checkpoint saves both positions in one transaction.
///
/// Offsets follow the checkpoint protocol: a checkpoint commits the partition positions with the
/// window state and reports in one SQLite transaction, and only then are the same offsets committed
/// to the group. A revoke commits a checkpoint before the partitions are released. On stop the
/// daemon commits a last checkpoint with the open windows still open.
public final class KafkaDaemonRunner {
    static let sourceName = "kafka"
    /// Records read between checks of signals, idle windows, checkpoints and the watchdog.
    static let batchLimit = 1_000
    static let statusInterval: TimeInterval = 10
    /// How long a periodic checkpoint waits for dead letters before it is postponed; short, so that
    /// an outage does not stall the loop.
    static let deadLetterFlushTimeout: TimeInterval = 0.5
    /// How long the checkpoint on a revoke or a stop waits for dead letters.
    static let finalDeadLetterFlushTimeout: TimeInterval = 10
    /// How long a stop keeps retrying report delivery.
    static let stopDeliveryTimeout: TimeInterval = 15

    private let configPath: String
    let config: LogCoTConfig
    let sourceConfig: KafkaSourceConfig
    private let journaldConfig: JournaldSourceConfig?
    let logger: Logger
    private let signals: SignalMonitor
    let hooks: TestHooks

    var recordsSinceCheckpoint = 0
    /// The journal, when `sources.journald` is configured next to `sources.kafka`.
    var journal: JournaldSource?
    var journalReadFailures = 0
    private var windowsClosedAtCheckpoint = 0
    /// The topic that hands window state over at rebalances; nil when `sources.kafka.stateTopic` is "".
    var stateTopic: KafkaStateTopic?
    /// True after the partition counts were checked at the first assignment.
    var partitioningChecked = false
    /// Partition numbers whose window state changed without a record, so that their next
    /// snapshot is due although their positions did not move.
    var unsharedNumbers: Set<Int32> = []
    /// The input partitions' offsets in the last snapshots written to or read from the state topic.
    var sharedPositions: [KafkaTopicPartition: Int64] = [:]

    public init(configPath: String, config: LogCoTConfig, sourceConfig: KafkaSourceConfig, journaldConfig: JournaldSourceConfig? = nil, logger: Logger, signals: SignalMonitor, hooks: TestHooks) {
        self.configPath = configPath
        self.config = config
        self.sourceConfig = sourceConfig
        self.journaldConfig = journaldConfig
        self.logger = logger
        self.signals = signals
        self.hooks = hooks
    }

    /// Runs until a stop signal, on a dedicated thread, because polls block that thread.
    public func run() async throws {
        let executor = SingleThreadExecutor(name: "logcot-kafka")
        try await withTaskExecutorPreference(executor) {
            try await self.runOnOwnThread()
        }
    }

    private func runOnOwnThread() async throws {
        let started = Date()
        let notifier = ServiceNotifier(logger: logger)
        var reloader = try ConfigReloader(path: configPath)
        let core = try DaemonCore(config: config, logger: logger, hooks: hooks)
        let source = try KafkaSource(config: sourceConfig, parsing: config.parsing, timeZone: config.timeZone, logger: logger)
        stateTopic = try sourceConfig.stateTopic.map {
            try KafkaStateTopic(topic: $0, consumerProperties: sourceConfig.properties, chunkBytes: hooks.stateChunkBytes, logger: logger)
        }
        try source.start(from: try savedState(core.store))
        if let journaldConfig {
            let journal = try JournaldSource(config: journaldConfig, maxLineBytes: config.parsing.maxLineBytes, logger: logger)
            try journal.resume(from: try DaemonComponents.savedSourceState(core.store, path: config.state.path))
            self.journal = journal
        }
        core.delivery.deliver()

        logger.info("logcot run started", [
            "config": configPath,
            "source": journal == nil ? "kafka" : "kafka+journald",
            "topics": sourceConfig.subscribedTopics.joined(separator: ","),
            "state": config.state.path,
            "report_file": config.sinks.filePath ?? "(none)",
            "report_topic": config.sinks.kafka?.topic ?? "(none)",
            "stdout": String(config.sinks.stdout),
            "open_windows": String(core.pipeline.windows.openCount),
            "test_hooks": hooks.isActive ? "on" : "off",
        ])
        notifier.ready(status: statusLine(core, source))
        DaemonCore.registerReadiness(source: "kafka consumer subscribed to \(sourceConfig.subscribedTopics.joined(separator: ", "))", diagnoser: core.pipeline.diagnoser)
        var lastStatus = Date()
        var lastLag = Date.distantPast

        while !signals.stopRequested {
            if signals.takeReloadRequest() {
                reloader.reload(into: core.pipeline, logger: logger)
            }

            // Paused partitions return no records, but polling still serves rebalances and keeps the group membership.
            switch core.backPressure.decide(unwritten: core.unwrittenReports) {
            case .pause: source.pauseReading()
            case .resume: source.resumeReading()
            case .read: break
            }
            try await readBatch(core, source, notifier: notifier)
            if !core.backPressure.isPaused {
                try await readJournal(core, source)
            }
            try await closeIdleWindows(core, source)
            if checkpointDue(core) {
                try await checkpoint(core, source)
            }
            core.delivery.deliver()

            notifier.pingWatchdogIfDue()
            if Date().timeIntervalSince(lastLag) >= 1 {
                source.updateLagMetric()
                lastLag = Date()
            }
            if Date().timeIntervalSince(lastStatus) >= Self.statusInterval {
                notifier.status(statusLine(core, source))
                lastStatus = Date()
            }
        }

        try await drain(core, source, notifier: notifier, started: started)
    }

    private func registerReadiness(_ core: DaemonCore, topics: [String]) {
        ReadinessRegistry.shared.register(ReadinessFlag(name: "sources", ready: true, detail: "kafka consumer subscribed to \(topics.joined(separator: ", "))"))
        let detail = core.pipeline.diagnoser.name == "llm"
            ? "LLM diagnosis on; failures fall back to TF-IDF labels"
            : "no LLM configured; the TF-IDF model labels every window"
        ReadinessRegistry.shared.register(ReadinessFlag(name: "llm", ready: true, detail: detail))
    }

    private func savedState(_ store: CheckpointStore) throws -> KafkaSourceState? {
        guard let data = try store.sourceState(Self.sourceName) else {
            return nil
        }
        do {
            return try JSONDecoder().decode(KafkaSourceState.self, from: data)
        } catch {
            throw StateStoreError(path: config.state.path, message: "the saved kafka offsets are invalid (\(error)); move the file aside to start with empty state")
        }
    }

    /// Processes up to `batchLimit` records; the first poll waits up to `sources.kafka.pollTimeout`.
    private func readBatch(_ core: DaemonCore, _ source: KafkaSource, notifier: ServiceNotifier) async throws {
        var timeout = sourceConfig.pollTimeout
        if let watchdog = notifier.timeUntilWatchdog() {
            timeout = min(timeout, max(watchdog, 0.01))
        }
        for _ in 0..<Self.batchLimit {
            guard let input = source.next(timeout: timeout) else {
                return
            }
            timeout = 0

            switch input {
            case .rebalance(let rebalance):
                try await handle(rebalance, core, source)
                continue
            case .line(let line, let message):
                try await process(line, message, core, source)
            case .fault(let result, let message):
                try await process(result, message, core, source)
            }

            recordsSinceCheckpoint += 1
            hooks.recordProcessed()
            if recordsSinceCheckpoint >= config.state.checkpointRecords {
                try await checkpoint(core, source)
            }
            if signals.stopRequested || core.backPressure.isOverLimit(unwritten: core.unwrittenReports) {
                return
            }
        }
    }

    private func process(_ line: RawLine, _ message: KafkaMessage, _ core: DaemonCore, _ source: KafkaSource) async throws {
        switch try await core.pipeline.ingest(line, parser: source.parser) {
        case .record(let record):
            core.checkpointer.markChanged(host: record.host)
            source.noteHost(record.host, of: message)
        case .ignored:
            break
        case .rejected(let error):
            if let host = error.host {
                core.checkpointer.markChanged(host: host)
                source.noteHost(host, of: message)
            }
            try source.reject(message, reason: error.reason)
        }
        source.markProcessed(message)
    }

    private func process(_ result: Result<FaultEvent?, ParseError>, _ message: KafkaMessage, _ core: DaemonCore, _ source: KafkaSource) async throws {
        switch result {
        case .success(let event?):
            // The host's lines come through another topic and may arrive after the event.
            try await core.pipeline.addFault(event, countsAsInput: true)
            core.checkpointer.markChanged(host: event.host)
            source.noteHost(event.host, of: message)
        case .success(nil):
            break
        case .failure(let error):
            try source.reject(message, reason: "invalid fault event: \(error.reason)")
        }
        source.markProcessed(message)
    }

    private func closeIdleWindows(_ core: DaemonCore, _ source: KafkaSource) async throws {
        let windows = core.pipeline.windows
        let openHosts = windows.hostsWithOpenWindows
        let closedBefore = windows.closedCount
        try await core.pipeline.tick()
        if windows.closedCount != closedBefore {
            core.checkpointer.markChanged(hosts: openHosts)
            markStateChanged(hosts: openHosts, source)
        }
    }

    /// True when a window closed since the last checkpoint, so its report waits, or when records
    /// were processed and `state.checkpointInterval` has passed.
    private func checkpointDue(_ core: DaemonCore) -> Bool {
        // While LLM diagnoses run and their queue has room, reading goes on; checkpointRecords still forces one.
        if core.pipeline.canPostponeCheckpoint {
            return false
        }
        if core.pipeline.statistics.windowsClosed != windowsClosedAtCheckpoint {
            return true
        }
        return recordsSinceCheckpoint > 0 && Date().timeIntervalSince(core.checkpointer.lastCommit) >= config.state.checkpointInterval
    }

    /// Commits a checkpoint, writes the changed window state to the state topic, and then commits
    /// the same offsets to the group. Returns false when the checkpoint was postponed because dead
    /// letters are not acknowledged yet.
    ///
    /// When the state topic did not acknowledge the window state, the offsets are not committed, so
    /// that a member that takes the partitions over reads their records again. The next
    /// checkpoint tries again.
    @discardableResult
    func checkpoint(_ core: DaemonCore, _ source: KafkaSource, deadLetterTimeout: TimeInterval = deadLetterFlushTimeout) async throws -> Bool {
        guard source.flushDeadLetters(timeout: deadLetterTimeout) else {
            logger.warning("dead letters are not acknowledged yet; postponing the checkpoint so that their records are read again after a crash", [:], rateLimitKey: "kafka-dead-letter-wait")
            return false
        }
        var states = [(name: Self.sourceName, state: try JSONEncoder().encode(source.state))]
        if let journal {
            states.append((DaemonComponents.sourceName, try JSONEncoder().encode(journal.state)))
        }
        try await core.checkpoint(sources: states)
        if shareChangedState(core, source) {
            source.commitPositions(synchronous: false)
        } else {
            logger.warning("not committing kafka offsets until the state topic has their window state; the state store keeps them", [
                "partitions": String(source.positions.count),
            ], rateLimitKey: "kafka-commit-without-state")
        }
        recordsSinceCheckpoint = 0
        windowsClosedAtCheckpoint = core.pipeline.statistics.windowsClosed
        logger.debug("checkpoint committed", [
            "checkpoint": String(core.checkpointer.committedCount),
            "partitions": String(source.positions.count),
        ])
        return true
    }

    /// Commits a last checkpoint without closing open windows, leaves the group and delivers what
    /// is pending.
    private func drain(_ core: DaemonCore, _ source: KafkaSource, notifier: ServiceNotifier, started: Date) async throws {
        notifier.stopping(status: "stopping: saving state")
        logger.info("stopping: committing a final checkpoint; open windows stay open in the state store", [
            "open_windows": String(core.pipeline.windows.openCount),
        ])
        if try await checkpoint(core, source, deadLetterTimeout: Self.finalDeadLetterFlushTimeout) {
            // The state stays in the state store too; the next assignment decides which copy is newer.
            let handedOver = await handOver(Set(source.assignment.map(\.partition)), core, source)
            if handedOver || !sharesState {
                source.commitPositions(synchronous: true)
            }
        }
        source.close()
        // Reports acknowledged after the last attempt would be produced again at the next start, so
        // delivery is retried for a while before the producer is closed.
        let deadline = Date().addingTimeInterval(Self.stopDeliveryTimeout)
        var delivered = core.delivery.deliverIgnoringBackoff()
        while !delivered, Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            delivered = core.delivery.deliverIgnoringBackoff()
        }
        if !delivered {
            logger.warning("some reports could not be delivered before stopping; they stay in the state store and are delivered at the next start", [
                "pending_reports": String(core.delivery.pendingCount),
            ])
        }
        core.delivery.close(timeout: 10)
        logger.info("logcot run stopped", [
            "uptime": DurationText.format(Date().timeIntervalSince(started).rounded()),
            "kafka_records_read": String(source.recordsRead),
            "records": String(core.pipeline.statistics.records),
            "reports_written": String(core.delivery.deliveredCount),
            "checkpoints": String(core.checkpointer.committedCount),
        ])
    }

    private func statusLine(_ core: DaemonCore, _ source: KafkaSource) -> String {
        var line = "\(core.pipeline.statistics.records) records, \(core.pipeline.windows.openCount) windows open, \(core.delivery.deliveredCount) reports written"
        if core.delivery.pendingCount > 0 {
            line += ", \(core.delivery.pendingCount) reports waiting"
        }
        return line + ", \(source.positions.count) partitions"
    }
}
