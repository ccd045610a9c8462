import CSystemd
import Foundation

/// A failed sd-journal call, with the function name and the errno text.
public struct JournalError: Error, CustomStringConvertible {
    public var operation: String
    /// The positive errno value that the call returned negated.
    public var code: Int32
    public var detail: String

    init(_ operation: String, status: Int32, detail: String = "") {
        self.operation = operation
        self.code = -status
        self.detail = detail
    }

    public var description: String {
        let reason = String(cString: strerror(code))
        return detail.isEmpty ? "\(operation) failed: \(reason)" : "\(operation) failed for \(detail): \(reason)"
    }
}

/// The set of journal files to open.
public enum JournalLocation: Sendable, Equatable {
    /// The local system journal, as `journalctl` without options reads it.
    case local
    /// Every journal file in one directory, such as the output folder of systemd-journal-remote.
    case directory(String)
    /// The named journal files only.
    case files([String])
}

/// The change that `sd_journal_wait` reports.
public enum JournalChange: Sendable {
    /// The timeout passed with no change.
    case none
    /// Entries were appended to the end of the journal.
    case append
    /// Journal files were added or removed, for example by rotation or vacuuming.
    case invalidate
}

/// A thin wrapper over one `sd_journal` handle; the C calls stay in this file.
///
/// sd-journal(3) allows a handle to be used only from the thread that opened it, so every method
/// checks that it runs on that thread and stops the process otherwise, because a call from another
/// thread is a programming error.
public final class JournalReader {
    private var handle: OpaquePointer?
    private let ownerThread = pthread_self()

    /// Opens the journal at `location`.
    public init(location: JournalLocation) throws {
        var opened: OpaquePointer?
        let status: Int32
        switch location {
        case .local:
            status = sd_journal_open(&opened, Int32(SD_JOURNAL_LOCAL_ONLY))
        case .directory(let path):
            status = sd_journal_open_directory(&opened, path, 0)
        case .files(let paths):
            status = Self.withCStringArray(paths) { sd_journal_open_files(&opened, $0, 0) }
        }
        guard status >= 0, let opened else {
            throw JournalError("sd_journal_open", status: status, detail: Self.describe(location))
        }
        handle = opened
    }

    deinit {
        sd_journal_close(handle)
    }

    static func describe(_ location: JournalLocation) -> String {
        switch location {
        case .local: "the local journal"
        case .directory(let path): "directory \(path)"
        case .files(let paths): "files \(paths.joined(separator: ", "))"
        }
    }

    /// Calls `body` with a NULL-terminated `const char **` array of the strings.
    private static func withCStringArray<T>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        pointers.append(nil)
        return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    private func checkThread() {
        precondition(pthread_equal(ownerThread, pthread_self()) != 0, "sd_journal handle used from a thread other than the one that opened it")
    }

    private func check(_ status: Int32, _ operation: String, _ detail: String = "") throws {
        guard status >= 0 else {
            throw JournalError(operation, status: status, detail: detail)
        }
    }

    /// Adds a `FIELD=value` match; matches on one field are ORed, matches on different fields ANDed.
    public func addMatch(_ match: String) throws {
        checkThread()
        let bytes = Array(match.utf8)
        try check(sd_journal_add_match(handle, bytes, bytes.count), "sd_journal_add_match", match)
    }

    /// Starts a new OR term, as `+` does on the journalctl command line.
    public func addDisjunction() throws {
        checkThread()
        try check(sd_journal_add_disjunction(handle), "sd_journal_add_disjunction")
    }

    /// Starts a new AND term one level above the disjunctions.
    public func addConjunction() throws {
        checkThread()
        try check(sd_journal_add_conjunction(handle), "sd_journal_add_conjunction")
    }

    /// Sets how many bytes of a field the library decompresses; 0 means whole fields.
    public func setDataThreshold(_ bytes: Int) throws {
        checkThread()
        try check(sd_journal_set_data_threshold(handle, bytes), "sd_journal_set_data_threshold")
    }

    /// Moves to the next entry; returns false at the end of the journal.
    public func next() throws -> Bool {
        checkThread()
        let status = sd_journal_next(handle)
        try check(status, "sd_journal_next")
        return status > 0
    }

    /// Moves to the previous entry; returns false at the start of the journal.
    public func previous() throws -> Bool {
        checkThread()
        let status = sd_journal_previous(handle)
        try check(status, "sd_journal_previous")
        return status > 0
    }

    /// Returns the bytes of `field` in the current entry without the `FIELD=` prefix, or nil when absent.
    public func data(_ field: String) throws -> [UInt8]? {
        checkThread()
        var pointer: UnsafeRawPointer?
        var length = 0
        let status = sd_journal_get_data(handle, field, &pointer, &length)
        if status == -ENOENT {
            return nil
        }
        try check(status, "sd_journal_get_data", field)
        guard let pointer else {
            return nil
        }
        let prefix = field.utf8.count + 1
        guard length >= prefix else {
            return []
        }
        return Array(UnsafeRawBufferPointer(start: pointer + prefix, count: length - prefix))
    }

    /// Returns the current entry's `__REALTIME_TIMESTAMP`: when the journal received it, in microseconds since 1970.
    public func realtimeMicroseconds() throws -> UInt64 {
        checkThread()
        var value: UInt64 = 0
        try check(sd_journal_get_realtime_usec(handle, &value), "sd_journal_get_realtime_usec")
        return value
    }

    /// Returns the cursor of the current entry.
    public func cursor() throws -> String {
        checkThread()
        var pointer: UnsafeMutablePointer<CChar>?
        try check(sd_journal_get_cursor(handle, &pointer), "sd_journal_get_cursor")
        defer { free(pointer) }
        return pointer.map { String(cString: $0) } ?? ""
    }

    /// Returns true when the current entry is the one `cursor` names.
    public func testCursor(_ cursor: String) throws -> Bool {
        checkThread()
        let status = sd_journal_test_cursor(handle, cursor)
        try check(status, "sd_journal_test_cursor")
        return status > 0
    }

    public func seekHead() throws {
        checkThread()
        try check(sd_journal_seek_head(handle), "sd_journal_seek_head")
    }

    public func seekTail() throws {
        checkThread()
        try check(sd_journal_seek_tail(handle), "sd_journal_seek_tail")
    }

    public func seekCursor(_ cursor: String) throws {
        checkThread()
        try check(sd_journal_seek_cursor(handle, cursor), "sd_journal_seek_cursor", cursor)
    }

    /// Seeks to the first entry received at or after `microseconds` since 1970.
    public func seekRealtime(_ microseconds: UInt64) throws {
        checkThread()
        try check(sd_journal_seek_realtime_usec(handle, microseconds), "sd_journal_seek_realtime_usec")
    }

    /// Blocks until the journal changes or `timeout` seconds pass.
    public func wait(timeout: TimeInterval) throws -> JournalChange {
        checkThread()
        let microseconds = UInt64(max(0, timeout) * 1_000_000)
        let status = sd_journal_wait(handle, microseconds)
        try check(status, "sd_journal_wait")
        switch status {
        case Int32(SD_JOURNAL_APPEND): return .append
        case Int32(SD_JOURNAL_INVALIDATE): return .invalidate
        default: return .none
        }
    }
}
