import CSQLite
import Foundation

/// A thin wrapper over one SQLite connection in WAL mode. Not thread-safe: one task owns it.
public final class SQLiteDatabase {
    public let path: String
    private var handle: OpaquePointer?

    /// How long a statement waits for another connection's lock before it fails with SQLITE_BUSY.
    public static let busyTimeoutMilliseconds: Int32 = 5_000

    /// Opens or creates the database, switching it to WAL with a busy timeout of 5 s, and checks
    /// that the file is intact.
    ///
    /// Throws `StateStoreError` naming the file and the fix when the file is corrupt, locked by
    /// another process, on a full disk or not writable.
    public init(path: String) throws {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            handle = nil
            throw StateStoreError(path: path, message: "cannot open (\(message)); check that the directory exists and is writable")
        }
        sqlite3_busy_timeout(handle, Self.busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(handle, 1)

        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=NORMAL")
        try checkIntegrity()
    }

    /// Runs `PRAGMA quick_check`, which returns the row `ok` for an intact file and one row per
    /// problem otherwise. A file too damaged to read fails the statement itself.
    private func checkIntegrity() throws {
        var problems: [String] = []
        try prepare("PRAGMA quick_check").query { row in
            problems.append(row.text(0))
        }
        guard problems != ["ok"] else {
            return
        }
        let shown = problems.prefix(3).joined(separator: "; ")
        throw StateStoreError(path: path, message: "the file is corrupt (quick_check: \(shown)); \(StateStoreError.corruptFix)")
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        guard status == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_free(errorMessage)
            throw error(message, status: status)
        }
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back when it throws.
    ///
    /// Inside an open transaction the body runs in a savepoint instead, so that a save such as
    /// `ModelStore.save` can be part of a larger checkpoint and commits only with it.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if sqlite3_get_autocommit(handle) == 0 {
            try execute("SAVEPOINT nested_transaction")
            do {
                let result = try body()
                try execute("RELEASE nested_transaction")
                return result
            } catch {
                try? execute("ROLLBACK TO nested_transaction")
                try? execute("RELEASE nested_transaction")
                throw error
            }
        }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else {
            throw error(String(cString: sqlite3_errmsg(handle)), status: status)
        }
        return SQLiteStatement(statement: statement, database: self)
    }

    func error(_ message: String, status: Int32) -> StateStoreError {
        StateStoreError(path: path, message: message, status: status, systemErrno: sqlite3_system_errno(handle))
    }

    var lastErrorMessage: String {
        String(cString: sqlite3_errmsg(handle))
    }
}

/// A prepared statement with 1-based parameter binding and 0-based column reads.
public final class SQLiteStatement {
    private let statement: OpaquePointer
    private unowned let database: SQLiteDatabase

    init(statement: OpaquePointer, database: SQLiteDatabase) {
        self.statement = statement
        self.database = database
    }

    deinit {
        sqlite3_finalize(statement)
    }

    /// SQLite must copy bound text, because Swift strings do not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    public func bind(_ values: [SQLiteValue]) throws {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(statement, index)
            case .integer(let number): status = sqlite3_bind_int64(statement, index, number)
            case .real(let number): status = sqlite3_bind_double(statement, index, number)
            case .text(let text): status = sqlite3_bind_text(statement, index, text, -1, Self.transient)
            }
            guard status == SQLITE_OK else {
                throw database.error(database.lastErrorMessage, status: status)
            }
        }
    }

    /// Runs a statement that returns no rows.
    public func run(_ values: [SQLiteValue] = []) throws {
        try bind(values)
        let status = sqlite3_step(statement)
        guard status == SQLITE_DONE || status == SQLITE_ROW else {
            throw database.error(database.lastErrorMessage, status: status)
        }
    }

    /// Runs a query and calls `row` for each result row.
    public func query(_ values: [SQLiteValue] = [], row: (SQLiteStatement) throws -> Void) throws {
        try bind(values)
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE {
                return
            }
            guard status == SQLITE_ROW else {
                throw database.error(database.lastErrorMessage, status: status)
            }
            try row(self)
        }
    }

    public func int(_ column: Int32) -> Int64 {
        sqlite3_column_int64(statement, column)
    }

    public func double(_ column: Int32) -> Double {
        sqlite3_column_double(statement, column)
    }

    public func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(statement, column) else {
            return ""
        }
        return String(cString: pointer)
    }
}

public enum SQLiteValue: Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}
