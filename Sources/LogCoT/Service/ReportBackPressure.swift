import Foundation

/// Decides when `logcot run` stops reading its source because too many reports are unwritten.
///
/// A report is unwritten from the moment its window closes until every sink has it: while it is
/// diagnosed, while it waits in the outbox for a checkpoint and while delivery retries a failing
/// sink. At `sinks.maxPendingReports` such reports the runner stops reading (the Kafka consumer
/// pauses its partitions, the journal is not read) and only commits checkpoints and retries
/// delivery, so memory stays bounded by the limit instead of growing with the sink's outage.
/// Reading resumes below the limit. The limit can be passed by the windows that one record closes.
final class ReportBackPressure {
    /// The runner's action for one loop iteration.
    enum Decision: Equatable {
        case read
        /// Reports are over the limit; read nothing until delivery catches up.
        case pause
        /// The first iteration below the limit after a pause; resume the source, then read.
        case resume
    }

    let limit: Int
    private let logger: Logger
    private let metrics: DeliveryMetrics
    private(set) var isPaused = false
    private var pausedAt = Date()
    /// The maximum number of unwritten reports during the current or last pause.
    private(set) var maxUnwrittenInPause = 0
    /// The maximum number of unwritten reports since the start.
    private(set) var maxUnwritten = 0

    init(limit: Int, logger: Logger, metrics: DeliveryMetrics = Metrics.delivery) {
        self.limit = max(1, limit)
        self.logger = logger
        self.metrics = metrics
        metrics.unwrittenCapacity.labels().set(self.limit)
        metrics.sourcePaused.labels().set(0)
    }

    /// Returns true when reading must stop now; cheap enough to call after every record.
    func isOverLimit(unwritten: Int) -> Bool {
        maxUnwritten = max(maxUnwritten, unwritten)
        return unwritten >= limit
    }

    /// Updates the gauges, logs a pause or a resume, and returns what the runner does next.
    func decide(unwritten: Int, now: Date = Date()) -> Decision {
        metrics.unwrittenReports.labels().set(unwritten)
        maxUnwritten = max(maxUnwritten, unwritten)
        if isPaused {
            maxUnwrittenInPause = max(maxUnwrittenInPause, unwritten)
        }

        switch (isPaused, unwritten >= limit) {
        case (false, true):
            isPaused = true
            pausedAt = now
            maxUnwrittenInPause = unwritten
            metrics.sourcePaused.labels().set(1)
            metrics.sourcePauses.increment()
            logger.warning("report delivery is behind; reading the source pauses until reports are written", [
                "unwritten_reports": String(unwritten), "max_pending_reports": String(limit),
            ])
            return .pause
        case (true, true):
            return .pause
        case (true, false):
            isPaused = false
            metrics.sourcePaused.labels().set(0)
            logger.info("report delivery caught up; reading the source resumes", [
                "unwritten_reports": String(unwritten),
                "max_unwritten_reports": String(maxUnwrittenInPause),
                "paused_for": DurationText.format(now.timeIntervalSince(pausedAt).rounded()),
            ])
            return .resume
        case (false, false):
            return .read
        }
    }
}

extension DaemonCore {
    /// Reports of closed windows that no sink has yet: in the diagnosis queue, in the outbox and
    /// waiting for delivery.
    var unwrittenReports: Int {
        pipeline.queue.entries.count + outbox.count + delivery.pendingCount
    }
}
