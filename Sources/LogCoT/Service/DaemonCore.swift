import Foundation

/// The source-independent parts of a `logcot run` daemon: the state store, the pipeline restored
/// from it, the checkpointer and report delivery.
final class DaemonCore {
    let database: SQLiteDatabase
    let store: CheckpointStore
    let pipeline: Pipeline
    let outbox: ReportOutbox
    let checkpointer: Checkpointer
    let delivery: ReportDelivery
    let backPressure: ReportBackPressure

    /// Opens the state store and restores the pipeline's windows and model. Reports committed but
    /// not delivered before the last stop are queued.
    init(config: LogCoTConfig, logger: Logger, hooks: TestHooks) throws {
        if config.state.path == ":memory:" {
            logger.warning("state.path is :memory:, so the source position, open windows and report log are lost at exit; set state.path to a file")
        }
        database = try SQLiteDatabase(path: config.state.path)
        // FULL makes each checkpoint durable before its reports are written, also across power loss.
        try database.execute("PRAGMA synchronous=FULL")
        store = try CheckpointStore(database: database)
        let modelStore = try ModelStore(database: database)

        let factory = PipelineFactory(config: config, logger: logger)
        outbox = ReportOutbox()
        pipeline = try factory.makePipeline(
            modelStore: modelStore,
            sink: outbox,
            rejects: nil,
            triggersEnabled: config.faults.triggers != "off",
            whenQueueFull: .fallback
        )
        pipeline.windows.restore(try store.hostSnapshots(), closedWindowIDs: try store.reportIDs())
        checkpointer = Checkpointer(database: database, store: store, pipeline: pipeline, outbox: outbox, hooks: hooks)

        delivery = try ReportDelivery(sinks: config.sinks, store: store, logger: logger, hooks: hooks)
        backPressure = ReportBackPressure(limit: config.sinks.maxPendingReports, logger: logger)
        let undelivered = try store.undeliveredReports()
        if !undelivered.isEmpty {
            logger.info("delivering reports that were committed before the last stop", ["reports": String(undelivered.count)])
            delivery.enqueue(undelivered)
        }
    }

    /// Commits a checkpoint with the source's state and queues its reports for delivery.
    func checkpoint(source: String, state: Data) async throws {
        try await checkpoint(sources: [(source, state)])
    }

    /// Commits a checkpoint with the state of every source and queues its reports for delivery.
    func checkpoint(sources: [(name: String, state: Data)]) async throws {
        let added = try await checkpointer.commit(sources: sources)
        delivery.enqueue(added)
    }
}

extension DaemonCore {
    /// Reports the open source and the diagnoser in use on `/readyz`. The LLM check is always ready,
    /// because a failing LLM falls back to TF-IDF labels instead of stopping reports.
    static func registerReadiness(source detail: String, diagnoser: any Diagnoser) {
        ReadinessRegistry.shared.register(ReadinessFlag(name: "sources", ready: true, detail: detail))
        let llmDetail = diagnoser.name == "llm"
            ? "LLM diagnosis on, and failures fall back to TF-IDF labels"
            : "no LLM configured, so the TF-IDF model labels every window"
        ReadinessRegistry.shared.register(ReadinessFlag(name: "llm", ready: true, detail: llmDetail))
    }
}
