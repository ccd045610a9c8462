import CSQLite
import Foundation

/// A failure of the SQLite state store, naming the file and what to do.
public struct StateStoreError: Error, CustomStringConvertible {
    public var path: String
    public var message: String

    /// The fix for a corrupt file, shared by the open-time check and failed statements.
    static let corruptFix = "move it aside (keep it for inspection) to start with empty state, or restore a backup; with empty state, reports of windows that close again are delivered again"

    public var description: String {
        "state store \(path): \(message)"
    }

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// Builds the error for a failed SQLite call from its result code (extended or primary) and
    /// the `errno` of the last failed system call, which tells a full disk from other I/O errors.
    init(path: String, message: String, status: Int32, systemErrno: Int32) {
        self.path = path
        self.message = "\(message) (\(Self.hint(status: status, systemErrno: systemErrno, path: path)))"
    }

    static func hint(status: Int32, systemErrno: Int32, path: String) -> String {
        let primary = status & 0xFF
        if primary == SQLITE_FULL || (primary == SQLITE_IOERR && (systemErrno == ENOSPC || systemErrno == EDQUOT)) {
            return "the disk is full; free space on its file system and restart logcot, which resumes from the last checkpoint"
        }
        switch primary {
        case SQLITE_BUSY, SQLITE_LOCKED:
            let seconds = SQLiteDatabase.busyTimeoutMilliseconds / 1_000
            return "the file is locked by another process after waiting \(seconds) s; stop the other process using it (`fuser \(path)` names it) or set another state.path"
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            return "the file is corrupt; \(corruptFix)"
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM:
            return "the file or its directory is not writable; fix the permissions"
        case SQLITE_IOERR:
            let reason = systemErrno == 0 ? "" : ": \(String(cString: strerror(systemErrno)))"
            return "I/O error\(reason); check the disk and the kernel log, then restart"
        default:
            return "SQLite error \(status)"
        }
    }
}
