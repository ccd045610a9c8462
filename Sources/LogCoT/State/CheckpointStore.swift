import Foundation

/// A report that is committed in the state store, in the order windows closed.
public struct StoredReport: Sendable, Equatable {
    /// Increases with every report committed; delivery follows it.
    public var sequence: Int64
    public var reportID: String
    /// The report as one line of JSON, without the newline.
    public var json: String
}

/// The SQLite tables of `logcot run`: source positions, per-host window state and the report log.
///
/// The caller groups the writes of one checkpoint in one `SQLiteDatabase.transaction`, so that a
/// source position is never saved without the window state and reports it produced.
public final class CheckpointStore {
    private let database: SQLiteDatabase

    public init(database: SQLiteDatabase) throws {
        self.database = database
        try database.execute("""
            CREATE TABLE IF NOT EXISTS source_state (source TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS window_host_state (host TEXT PRIMARY KEY, snapshot TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS window_report (sequence INTEGER PRIMARY KEY, report_id TEXT NOT NULL UNIQUE,
                report_json TEXT, delivered_at TEXT);
            """)
    }

    /// Returns the saved state of `source` as JSON, or nil when none was saved.
    public func sourceState(_ source: String) throws -> Data? {
        var state: Data?
        try database.prepare("SELECT state FROM source_state WHERE source = ?").query([.text(source)]) {
            state = Data($0.text(0).utf8)
        }
        return state
    }

    public func saveSourceState(_ source: String, _ state: Data) throws {
        try database.prepare("""
            INSERT INTO source_state (source, state, updated_at) VALUES (?, ?, ?)
            ON CONFLICT(source) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
            """).run([.text(source), .text(String(decoding: state, as: UTF8.self)), .text(RFC3339.format(Date()))])
    }

    /// Loads every saved host; a snapshot that does not decode is reported with the fix.
    public func hostSnapshots() throws -> [String: HostWindowSnapshot] {
        var snapshots: [String: HostWindowSnapshot] = [:]
        try database.prepare("SELECT host, snapshot FROM window_host_state").query { row in
            let host = row.text(0)
            do {
                snapshots[host] = try HostWindowSnapshot.decode(Data(row.text(1).utf8))
            } catch {
                throw StateStoreError(path: database.path, message: "the saved window state of host '\(host)' is invalid (\(error)); move the file aside to start with empty state")
            }
        }
        return snapshots
    }

    public func saveHost(_ host: String, snapshot: Data) throws {
        try database.prepare("""
            INSERT INTO window_host_state (host, snapshot) VALUES (?, ?)
            ON CONFLICT(host) DO UPDATE SET snapshot = excluded.snapshot
            """).run([.text(host), .text(String(decoding: snapshot, as: UTF8.self))])
    }

    /// Deletes a saved host, after its state moved to another process.
    public func deleteHost(_ host: String) throws {
        try database.prepare("DELETE FROM window_host_state WHERE host = ?").run([.text(host)])
    }

    /// Ids of every report ever committed, delivered or not.
    public func reportIDs() throws -> Set<String> {
        var ids: Set<String> = []
        try database.prepare("SELECT report_id FROM window_report").query { ids.insert($0.text(0)) }
        return ids
    }

    /// Reports committed but not yet marked delivered, oldest first.
    public func undeliveredReports() throws -> [StoredReport] {
        var reports: [StoredReport] = []
        try database.prepare("SELECT sequence, report_id, report_json FROM window_report WHERE delivered_at IS NULL ORDER BY sequence").query {
            reports.append(StoredReport(sequence: $0.int(0), reportID: $0.text(1), json: $0.text(2)))
        }
        return reports
    }

    /// Adds reports as undelivered and returns those added; a report id already stored is skipped,
    /// because that window's report exists.
    public func addReports(_ reports: [(id: String, json: String)]) throws -> [StoredReport] {
        let insert = try database.prepare("INSERT INTO window_report (report_id, report_json) VALUES (?, ?) ON CONFLICT(report_id) DO NOTHING RETURNING sequence")
        var added: [StoredReport] = []
        for report in reports {
            try insert.query([.text(report.id), .text(report.json)]) {
                added.append(StoredReport(sequence: $0.int(0), reportID: report.id, json: report.json))
            }
        }
        return added
    }

    /// Marks reports as delivered and drops their text; the ids stay to recognise repeated windows.
    // NOTE: ids are never pruned, so the table grows by one short row per report for the life of the file.
    public func markDelivered(_ sequences: [Int64]) throws {
        guard !sequences.isEmpty else {
            return
        }
        try database.transaction {
            let update = try database.prepare("UPDATE window_report SET report_json = NULL, delivered_at = ? WHERE sequence = ?")
            let now = RFC3339.format(Date())
            for sequence in sequences {
                try update.run([.text(now), .integer(sequence)])
            }
        }
    }
}
