import Foundation

/// `logcot run`: follows the journal, runs the pipeline and delivers reports until SIGTERM or SIGINT.
///
/// The loop reads up to `batchLimit` entries, closes idle windows, commits a checkpoint when one
/// is due, delivers reports, pings the watchdog, and then blocks in `sd_journal_wait` for at most
/// `sources.journald.waitTimeout` (shorter when the watchdog is due sooner). On stop it commits a
/// last checkpoint with the open windows still open, delivers what it can and returns.
public final class DaemonRunner {
    /// Entries read between checks of signals, idle windows, checkpoints and the watchdog.
    static let batchLimit = 1_000
    /// How often STATUS= is sent to systemd.
    static let statusInterval: TimeInterval = 10
    /// The sleep between delivery retries while reading waits for the sinks.
    static let deliveryWaitInterval: Duration = .milliseconds(200)

    private let configPath: String
    private let config: LogCoTConfig
    private let sourceConfig: JournaldSourceConfig
    private let logger: Logger
    private let signals: SignalMonitor
    private let hooks: TestHooks

    private var recordsSinceCheckpoint = 0
    private var entriesAtCheckpoint = 0
    private var windowsClosedAtCheckpoint = 0
    private var readFailures = 0

    public init(configPath: String, config: LogCoTConfig, sourceConfig: JournaldSourceConfig, logger: Logger, signals: SignalMonitor, hooks: TestHooks) {
        self.configPath = configPath
        self.config = config
        self.sourceConfig = sourceConfig
        self.logger = logger
        self.signals = signals
        self.hooks = hooks
    }

    /// Runs until a stop signal, on a dedicated thread that owns the journal handle.
    public func run() async throws {
        let executor = SingleThreadExecutor(name: "logcot-journal")
        try await withTaskExecutorPreference(executor) {
            try await self.runOnJournalThread()
        }
    }

    private func runOnJournalThread() async throws {
        let started = Date()
        let notifier = ServiceNotifier(logger: logger)
        var reloader = try ConfigReloader(path: configPath)
        let parts = try DaemonComponents(config: config, sourceConfig: sourceConfig, logger: logger, hooks: hooks)
        parts.delivery.deliver()
        entriesAtCheckpoint = parts.source.entriesRead

        logger.info("logcot run started", [
            "config": configPath,
            "journal": JournalReader.describe(sourceConfig.location),
            "state": config.state.path,
            "report_file": config.sinks.filePath ?? "(none)",
            "stdout": String(config.sinks.stdout),
            "open_windows": String(parts.pipeline.windows.openCount),
            "watchdog_interval": notifier.watchdogInterval.map(DurationText.format) ?? "(none)",
            "test_hooks": hooks.isActive ? "on" : "off",
        ])
        notifier.ready(status: statusLine(parts))
        DaemonCore.registerReadiness(source: "journald open: \(JournalReader.describe(sourceConfig.location))", diagnoser: parts.pipeline.diagnoser)
        var lastStatus = Date()

        while !signals.stopRequested {
            if signals.takeReloadRequest() {
                reloader.reload(into: parts.pipeline, logger: logger)
            }

            if try await waitForDelivery(parts, notifier: notifier) {
                continue
            }
            let caughtUp = try await readBatch(parts)
            try await closeIdleWindows(parts)
            if checkpointDue(parts) {
                try await checkpoint(parts)
            }
            parts.delivery.deliver()

            notifier.pingWatchdogIfDue()
            if Date().timeIntervalSince(lastStatus) >= Self.statusInterval {
                notifier.status(statusLine(parts))
                lastStatus = Date()
            }

            guard caughtUp == true else {
                continue
            }
            if hooks.exitWhenCaughtUp {
                logger.info("read every journal entry; stopping because LOGCOT_TEST_EXIT_WHEN_CAUGHT_UP is set")
                break
            }
            try waitForEntries(parts, notifier: notifier)
        }

        try await drain(parts, notifier: notifier, started: started)
    }

    /// Reads and processes up to `batchLimit` entries.
    ///
    /// Returns true at the end of the journal and false when more entries may follow. After a read
    /// error it returns nil, and the next iteration reads again.
    private func readBatch(_ parts: DaemonComponents) async throws -> Bool? {
        do {
            for _ in 0..<Self.batchLimit {
                guard let records = try parts.source.nextRecords() else {
                    noteReadSuccess()
                    return true
                }
                for record in records {
                    try await parts.pipeline.process(record, source: DaemonComponents.sourceName)
                    parts.checkpointer.markChanged(host: record.host)
                    recordsSinceCheckpoint += 1
                    hooks.recordProcessed()
                }
                if recordsSinceCheckpoint >= config.state.checkpointRecords {
                    try await checkpoint(parts)
                }
                if parts.core.backPressure.isOverLimit(unwritten: parts.core.unwrittenReports) {
                    break
                }
            }
            noteReadSuccess()
            return false
        } catch let error as JournalError {
            try await recoverFromReadError(error, parts)
            return nil
        }
    }

    /// While `sinks.maxPendingReports` reports are unwritten, commits due checkpoints and retries
    /// delivery instead of reading; returns true when this iteration read nothing for that reason.
    private func waitForDelivery(_ parts: DaemonComponents, notifier: ServiceNotifier) async throws -> Bool {
        guard parts.core.backPressure.decide(unwritten: parts.core.unwrittenReports) == .pause else {
            return false
        }
        if checkpointDue(parts) {
            try await checkpoint(parts)
        }
        parts.delivery.deliver()
        notifier.pingWatchdogIfDue()
        try await Task.sleep(for: Self.deliveryWaitInterval)
        return true
    }

    private func noteReadSuccess() {
        if readFailures > 0 {
            logger.info("reading the journal works again", ["failed_attempts": String(readFailures)])
            readFailures = 0
        }
    }

    /// Waits with exponential backoff and reopens the journal after the last entry read.
    private func recoverFromReadError(_ error: JournalError, _ parts: DaemonComponents) async throws {
        readFailures += 1
        let delay = min(30, pow(2, Double(min(readFailures, 6) - 1)))
        logger.error("reading the journal failed; reopening it", [
            "error": error.description, "attempt": String(readFailures), "retry_in": DurationText.format(delay),
        ], rateLimitKey: "journal-read")
        try await Task.sleep(for: .seconds(delay))
        do {
            try parts.source.reopen()
        } catch {
            logger.error("reopening the journal failed; retrying", ["error": String(describing: error)], rateLimitKey: "journal-read")
        }
    }

    private func closeIdleWindows(_ parts: DaemonComponents) async throws {
        let windows = parts.pipeline.windows
        let openHosts = windows.hostsWithOpenWindows
        let closedBefore = windows.closedCount
        try await parts.pipeline.tick()
        if windows.closedCount != closedBefore {
            parts.checkpointer.markChanged(hosts: openHosts)
        }
    }

    /// True when a window closed since the last checkpoint, so its report waits, or when entries were
    /// read and `state.checkpointInterval` has passed. While LLM diagnoses run and the queue has
    /// room, the checkpoint waits, so that reading goes on; `state.checkpointRecords` still forces one.
    private func checkpointDue(_ parts: DaemonComponents) -> Bool {
        if parts.pipeline.canPostponeCheckpoint {
            return false
        }
        if parts.pipeline.statistics.windowsClosed != windowsClosedAtCheckpoint {
            return true
        }
        let entriesRead = parts.source.entriesRead != entriesAtCheckpoint
        return entriesRead && Date().timeIntervalSince(parts.checkpointer.lastCommit) >= config.state.checkpointInterval
    }

    private func checkpoint(_ parts: DaemonComponents) async throws {
        try await parts.checkpoint()
        recordsSinceCheckpoint = 0
        entriesAtCheckpoint = parts.source.entriesRead
        windowsClosedAtCheckpoint = parts.pipeline.statistics.windowsClosed
        logger.debug("checkpoint committed", [
            "checkpoint": String(parts.checkpointer.committedCount),
            "cursor": parts.source.position?.cursor ?? "(none)",
        ])
    }

    private func waitForEntries(_ parts: DaemonComponents, notifier: ServiceNotifier) throws {
        var timeout = sourceConfig.waitTimeout
        if let watchdog = notifier.timeUntilWatchdog() {
            timeout = min(timeout, max(watchdog, 0.01))
        }
        do {
            if try parts.source.wait(timeout: timeout) == .invalidate {
                logger.debug("journal files were added or removed")
            }
        } catch let error as JournalError {
            logger.error("waiting for journal entries failed; polling instead", ["error": error.description], rateLimitKey: "journal-wait")
            Thread.sleep(forTimeInterval: timeout)
        }
    }

    /// Commits a last checkpoint without closing open windows, then delivers what is pending.
    private func drain(_ parts: DaemonComponents, notifier: ServiceNotifier, started: Date) async throws {
        notifier.stopping(status: "stopping: saving state")
        logger.info("stopping: committing a final checkpoint; open windows stay open in the state store", [
            "open_windows": String(parts.pipeline.windows.openCount),
        ])
        try await checkpoint(parts)
        if !parts.delivery.deliver(now: .distantFuture) {
            logger.warning("some reports could not be written before stopping; they stay in the state store and are written at the next start", [
                "pending_reports": String(parts.delivery.pendingCount),
            ])
        }
        logger.info("logcot run stopped", [
            "uptime": DurationText.format(Date().timeIntervalSince(started).rounded()),
            "entries_read": String(parts.source.entriesRead),
            "records": String(parts.pipeline.statistics.records),
            "reports_written": String(parts.delivery.deliveredCount),
            "checkpoints": String(parts.checkpointer.committedCount),
            "max_unwritten_reports": String(parts.core.backPressure.maxUnwritten),
        ])
    }

    private func statusLine(_ parts: DaemonComponents) -> String {
        let statistics = parts.pipeline.statistics
        var line = "\(statistics.records) records, \(parts.pipeline.windows.openCount) windows open, \(parts.delivery.deliveredCount) reports written"
        if parts.delivery.pendingCount > 0 {
            line += ", \(parts.delivery.pendingCount) reports waiting"
        }
        if let position = parts.source.position {
            line += ", at \(RFC3339.format(Date(timeIntervalSince1970: Double(position.realtimeMicroseconds) / 1_000_000)))"
        }
        return line
    }
}
