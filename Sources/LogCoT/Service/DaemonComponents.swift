import Foundation

/// The parts of a `logcot run` daemon, built from config and restored from the state store.
final class DaemonComponents {
    static let sourceName = "journald"

    let core: DaemonCore
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
        core = try DaemonCore(config: config, logger: logger, hooks: hooks)
        database = core.database
        store = core.store
        pipeline = core.pipeline
        outbox = core.outbox
        checkpointer = core.checkpointer
        delivery = core.delivery

        source = try JournaldSource(config: sourceConfig, maxLineBytes: config.parsing.maxLineBytes, logger: logger)
        try source.resume(from: try Self.savedSourceState(store, path: config.state.path))
    }

    static func savedSourceState(_ store: CheckpointStore, path: String) throws -> JournaldSourceState? {
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
        try await core.checkpoint(source: Self.sourceName, state: state)
    }
}
