import Foundation

extension KafkaDaemonRunner {
    /// Reads up to `batchLimit` journal entries without waiting; the Kafka poll is the loop's wait.
    func readJournal(_ core: DaemonCore, _ source: KafkaSource) async throws {
        guard let journal else {
            return
        }
        do {
            for _ in 0..<Self.batchLimit {
                guard let records = try journal.nextRecords() else {
                    break
                }
                for record in records {
                    try await core.pipeline.process(record)
                    core.checkpointer.markChanged(host: record.host)
                    recordsSinceCheckpoint += 1
                    hooks.recordProcessed()
                }
                if recordsSinceCheckpoint >= config.state.checkpointRecords {
                    try await checkpoint(core, source)
                }
                if core.backPressure.isOverLimit(unwritten: core.unwrittenReports) {
                    break
                }
            }
            if journalReadFailures > 0 {
                logger.info("reading the journal works again", ["failed_attempts": String(journalReadFailures)])
                journalReadFailures = 0
            }
        } catch let error as JournalError {
            // The next iteration reads again after the reopen; Kafka keeps being read meanwhile.
            journalReadFailures += 1
            logger.error("reading the journal failed; reopening it", [
                "error": error.description, "attempt": String(journalReadFailures),
            ], rateLimitKey: "journal-read")
            do {
                try journal.reopen()
            } catch {
                logger.error("reopening the journal failed; retrying", ["error": String(describing: error)], rateLimitKey: "journal-read")
            }
        }
    }
}
