import Foundation

/// Commits the source position with the state it produced in one SQLite transaction.
///
/// One checkpoint saves the source's state (journal cursor and unfinished split lines), every host
/// whose windows changed, the TF-IDF model changes and the reports of windows closed since the last
/// checkpoint. After a crash the daemon restarts from the last checkpoint and processes the later
/// entries again, which closes the same windows with the same report ids, so no report is lost and
/// none is committed twice.
public final class Checkpointer {
    private let database: SQLiteDatabase
    private let store: CheckpointStore
    private let pipeline: Pipeline
    private let outbox: ReportOutbox
    private let hooks: TestHooks?
    private var changedHosts: Set<String> = []
    private var removedHosts: Set<String> = []

    /// Checkpoints committed by this process.
    public private(set) var committedCount = 0
    public private(set) var lastCommit = Date()

    public init(database: SQLiteDatabase, store: CheckpointStore, pipeline: Pipeline, outbox: ReportOutbox, hooks: TestHooks?) {
        self.database = database
        self.store = store
        self.pipeline = pipeline
        self.outbox = outbox
        self.hooks = hooks
    }

    /// Records that a host's windowing state changed and must be saved with the next checkpoint.
    public func markChanged(host: String) {
        changedHosts.insert(host)
        removedHosts.remove(host)
    }

    public func markChanged<S: Sequence>(hosts: S) where S.Element == String {
        changedHosts.formUnion(hosts)
        removedHosts.subtract(hosts)
    }

    /// Records that hosts were removed from the windowing state, so the next checkpoint deletes them.
    public func markRemoved<S: Sequence>(hosts: S) where S.Element == String {
        removedHosts.formUnion(hosts)
        changedHosts.subtract(hosts)
    }

    /// Writes the reports of running diagnoses, then commits everything and returns the new reports.
    public func commit(source: String, state: Data) async throws -> [StoredReport] {
        try await commit(sources: [(source, state)])
    }

    /// Commits like `commit(source:state:)`, saving the state of several sources in one transaction.
    public func commit(sources: [(name: String, state: Data)]) async throws -> [StoredReport] {
        try await pipeline.writeReportsForCheckpoint()
        let reports = try outbox.takeAll().map { (id: $0.reportId, json: try $0.jsonLine()) }
        // NOTE: each changed host is saved whole, history included (up to windowing.history limits,
        // 4 MiB per host by default), so a checkpoint costs time in proportion to those histories.
        var snapshots: [(host: String, data: Data)] = []
        for host in changedHosts.sorted() {
            if let snapshot = pipeline.windows.snapshot(host: host) {
                snapshots.append((host, try snapshot.encoded()))
            }
        }

        let added = try database.transaction {
            for source in sources {
                try store.saveSourceState(source.name, source.state)
            }
            for snapshot in snapshots {
                try store.saveHost(snapshot.host, snapshot: snapshot.data)
            }
            for host in removedHosts.sorted() {
                try store.deleteHost(host)
            }
            let added = try store.addReports(reports)
            try pipeline.saveModel()
            return added
        }
        changedHosts.removeAll()
        removedHosts.removeAll()
        committedCount += 1
        lastCommit = Date()
        hooks?.reportsCommitted(added.count)

        if added.count < reports.count {
            pipeline.logger.warning("dropped reports whose window id already has a committed report", [
                "dropped": String(reports.count - added.count),
            ])
        }
        return added
    }
}
