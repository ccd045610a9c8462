import Foundation

/// Writes committed reports to the configured sinks and marks them delivered in the state store.
///
/// The protocol that makes each report reach the file once, even across SIGKILL:
/// 1. A checkpoint commits the window state, the source position and the new reports (undelivered)
///    in one transaction; nothing reaches a sink before that.
/// 2. Delivery produces the reports to Kafka and waits for their delivery reports, appends them to
///    the file, syncs it, writes them to standard output, and then marks them delivered.
/// 3. After a start or a failed write, and before appending again, the file's tail is read: a
///    partial last line is removed, and undelivered reports already in the tail are only marked.
/// Standard output cannot be read back, so a crash between steps 2 and 3 can print a report twice.
/// The Kafka topic is read back like the file's tail: see `KafkaReportSink` and `ReportDeliveryFloor`.
public final class ReportDelivery {
    private let file: ReportFile?
    private let kafka: KafkaReportSink?
    private let standardOutput: Bool
    private let store: CheckpointStore
    private let logger: Logger
    private let hooks: TestHooks?
    private var queue: [StoredReport] = []
    /// True until the file's tail was checked since the start or the last failure.
    private var fileNeedsRecovery = true
    private var consecutiveFailures = 0
    private var nextAttempt = Date.distantPast

    /// Waits up to `timeout` seconds for Kafka messages in flight, before the process exits.
    public func close(timeout: TimeInterval) {
        kafka?.close(timeout: timeout)
    }

    /// The report topic's delivery floor, or nil without a Kafka sink.
    var kafkaFloor: ReportDeliveryFloor? { kafka?.floor }

    /// Makes the Kafka sink skip pending reports that a previous partition owner produced after
    /// `floor`; see `KafkaReportSink.recognizeReports`.
    func recognizeReports(producedSince floor: ReportDeliveryFloor) {
        kafka?.recognizeReports(producedSince: floor)
    }

    /// Reports delivered by this process.
    public private(set) var deliveredCount = 0

    public init(sinks: SinksConfig, store: CheckpointStore, logger: Logger, hooks: TestHooks?) throws {
        self.file = try sinks.filePath.map { try ReportFile(path: $0, logger: logger) }
        let floor = ReportDeliveryFloor.load(from: store, logger: logger)
        self.kafka = try sinks.kafka.map { try KafkaReportSink(config: $0, floor: floor, logger: logger) }
        self.standardOutput = sinks.stdout
        self.store = store
        self.logger = logger
        self.hooks = hooks
    }

    /// Reports waiting for delivery.
    public var pendingCount: Int { queue.count }

    /// Queues committed reports; `deliver()` writes them.
    public func enqueue(_ reports: [StoredReport]) {
        queue += reports
    }

    /// Writes the queued reports, or logs the failure and keeps them for a retry with backoff.
    ///
    /// Returns true when the queue is empty afterwards. A failure leaves the reports undelivered in
    /// the state store too, so a restart delivers them as well.
    @discardableResult
    public func deliver(now: Date = Date()) -> Bool {
        guard !queue.isEmpty else {
            return true
        }
        guard now >= nextAttempt else {
            return false
        }
        do {
            try deliverQueue()
            if consecutiveFailures > 0 {
                logger.info("report delivery recovered", ["failed_attempts": String(consecutiveFailures)])
            }
            consecutiveFailures = 0
            return true
        } catch {
            consecutiveFailures += 1
            fileNeedsRecovery = true
            let delay = min(60, pow(2, Double(min(consecutiveFailures, 6) - 1)))
            nextAttempt = now.addingTimeInterval(delay)
            logger.error("report delivery failed; retrying", [
                "error": String(describing: error),
                "pending_reports": String(queue.count),
                "attempt": String(consecutiveFailures),
                "retry_in": DurationText.format(delay),
            ], rateLimitKey: "report-delivery")
            return false
        }
    }

    /// Writes the queued reports now, whatever the backoff after earlier failures says; for a stop.
    @discardableResult
    public func deliverIgnoringBackoff() -> Bool {
        nextAttempt = .distantPast
        return deliver()
    }

    private func deliverQueue() throws {
        if let delay = hooks?.sinkDelay, delay > 0 {
            Thread.sleep(forTimeInterval: delay)
        }
        if hooks?.takeSinkFailure() == true {
            throw SinkError(path: "(all sinks)", message: "delivery failed on purpose because LOGCOT_TEST_SINK_FAILURES is set")
        }
        // Kafka goes first, so that a report not yet acknowledged there is not written to the other
        // sinks again at each retry.
        try kafka?.deliver(queue)
        var unwritten = queue
        if let file {
            try file.reopenIfReplaced()
            if fileNeedsRecovery {
                let tailBytes = queue.reduce(0) { $0 + $1.json.utf8.count + 1 }
                let present = try file.recover(findingIDs: Set(queue.map(\.reportID)), tailBytes: tailBytes)
                fileNeedsRecovery = false
                if !present.isEmpty {
                    logger.info("reports from before a crash are already in the report file; marking them delivered without writing them again", [
                        "file": file.path, "reports": String(present.count),
                    ])
                    unwritten.removeAll { present.contains($0.reportID) }
                }
            }
            try file.append(unwritten.map(\.json), hooks: hooks)
        }
        if standardOutput {
            // Every queued report goes to standard output, because it cannot be read back to check.
            let text = queue.map { $0.json + "\n" }.joined()
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        }
        hooks?.reportsWrittenDurably(queue.count)

        try store.markDelivered(queue.map(\.sequence))
        kafka?.markedDelivered(queue.map(\.sequence))
        deliveredCount += queue.count
        for report in queue {
            logger.info("report written", ["report_id": report.reportID, "sequence": String(report.sequence)])
        }
        queue.removeAll()
        raiseKafkaFloor()
    }

    /// Sets the Kafka delivery floor to the report topic's high watermarks when no floor is known
    /// yet and no report is pending, so that state-topic snapshots carry a floor before the first
    /// delivery of this process. Without it, a reader of such a snapshot reads the whole topic.
    func establishKafkaFloor() {
        guard let kafka, kafka.floor.offsets.isEmpty, queue.isEmpty else {
            return
        }
        raiseKafkaFloor()
    }

    /// Saves the report topic's high watermarks as the new delivery floor, now that no report is
    /// pending. A failure keeps the old, lower floor, which only makes the next check read more.
    private func raiseKafkaFloor() {
        guard let kafka else {
            return
        }
        do {
            let floor = try kafka.currentHighWatermarks()
            try floor.save(to: store)
            kafka.floor = floor
        } catch {
            logger.warning("saving the report delivery floor failed; keeping the previous one", ["error": String(describing: error)], rateLimitKey: "report-floor")
        }
    }
}
