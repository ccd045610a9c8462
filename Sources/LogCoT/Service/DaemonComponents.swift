import Foundation

/// The parts of a `logcot run` daemon, built from config and restored from the state store.
final class DaemonComponents {
    static let sourceName = "journald"

    let database: SQLiteDatabase
    let store: CheckpointStore
    let pipeline: Pipeline
    let outbox: ReportOutbox
    let checkpointer: Checkpointer
    let delivery: ReportDelivery
    let source: JournaldSource

    /// Opens the state store, restores the pipeline's windows and model, and positions the journal
    /// after the last checkpoint. Reports committed but not delivered before the last stop are queued.
    init(config: LogCoTConfig, sourceConfig: JournaldSourceConfig, logger: Logger, hooks: TestHooks) throws {
        if config.state.path == ":memory:" {
            logger.warning("state.path is :memory:, so the journal cursor, open windows and report log are lost at exit; set state.path to a file")
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
            triggersEnabled: config.faults.triggers != "off"
        )
        pipeline.windows.restore(try store.hostSnapshots(), closedWindowIDs: try store.reportIDs())
        checkpointer = Checkpointer(database: database, store: store, pipeline: pipeline, outbox: outbox, hooks: hooks)

        delivery = try ReportDelivery(sinks: config.sinks, store: store, logger: logger, hooks: hooks)
        let undelivered = try store.undeliveredReports()
        if !undelivered.isEmpty {
            logger.info("delivering reports that were committed before the last stop", ["reports": String(undelivered.count)])
            delivery.enqueue(undelivered)
        }

        source = try JournaldSource(config: sourceConfig, maxLineBytes: config.parsing.maxLineBytes, logger: logger)
        try source.resume(from: try Self.savedSourceState(store, path: config.state.path))
    }

    private static func savedSourceState(_ store: CheckpointStore, path: String) throws -> JournaldSourceState? {
        guard let data = try store.sourceState(sourceName) else {
            return nil
        }
        do {
            return try JSONDecoder().decode(JournaldSourceState.self, from: data)
        } catch {
            throw StateStoreError(path: path, message: "the saved journald position is invalid (\(error)); move the file aside to start with empty state")
        }
    }

    /// Commits a checkpoint and queues its reports for delivery.
    func checkpoint() async throws {
        let state = try JSONEncoder().encode(source.state)
        let added = try await checkpointer.commit(source: Self.sourceName, state: state)
        delivery.enqueue(added)
    }
}
