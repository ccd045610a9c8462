import Foundation

extension KafkaSource {
    /// Pauses every assigned partition; called on each loop while reports wait, so that partitions
    /// assigned during the pause are paused too. A failure is logged, and reading goes on.
    public func pauseReading() {
        do {
            try consumer.pause(consumer.assignment)
        } catch {
            logger.error("pausing the kafka partitions failed; records keep arriving while reports wait", ["error": String(describing: error)], rateLimitKey: "kafka-pause")
        }
    }

    /// Resumes every assigned partition after a pause.
    public func resumeReading() {
        do {
            try consumer.resume(consumer.assignment)
        } catch {
            logger.error("resuming the kafka partitions failed; no records arrive until the next rebalance", ["error": String(describing: error)], rateLimitKey: "kafka-pause")
        }
    }
}
