import Foundation

/// Reads log records from the systemd journal, resuming after a saved cursor.
///
/// Must be created and used on one thread, because the sd-journal handle inside is bound to the
/// thread that opened it.
public final class JournaldSource {
    public let config: JournaldSourceConfig
    private let mapper: JournalRecordMapper
    private let logger: Logger
    private var reader: JournalReader
    private var joiner: JournalLineJoiner

    /// The last entry read; a checkpoint saves it.
    public private(set) var position: JournalPosition?
    /// Entries read since the source opened.
    public private(set) var entriesRead = 0
    /// Entries without a `MESSAGE` field, which produce no record.
    public private(set) var entriesWithoutMessage = 0

    /// Opens the journal and applies the configured matches.
    public init(config: JournaldSourceConfig, maxLineBytes: Int, logger: Logger) throws {
        self.config = config
        self.mapper = JournalRecordMapper(maxLineBytes: maxLineBytes)
        self.logger = logger
        self.joiner = JournalLineJoiner(maxBytes: maxLineBytes)
        self.reader = try Self.open(config, maxLineBytes: maxLineBytes)
    }

    private static func open(_ config: JournaldSourceConfig, maxLineBytes: Int) throws -> JournalReader {
        let reader = try JournalReader(location: config.location)
        // Room for `MESSAGE=` and one byte past the maximum, so that the mapper can see the overflow.
        try reader.setDataThreshold(maxLineBytes + 64)
        for term in config.matchTerms {
            switch term {
            case .match(let match): try reader.addMatch(match)
            case .disjunction: try reader.addDisjunction()
            case .conjunction: try reader.addConjunction()
            }
        }
        return reader
    }

    /// The state a checkpoint saves: the position and the unfinished split lines.
    public var state: JournaldSourceState {
        JournaldSourceState(position: position, joiner: joiner)
    }

    /// Positions the reader after `saved`, or at `startAt` when nothing was saved.
    ///
    /// When the saved cursor's entry no longer exists (its file was rotated away or vacuumed),
    /// reading resumes at the first entry received after the saved entry's realtime stamp, so the
    /// source neither stalls nor replays the whole journal.
    public func resume(from saved: JournaldSourceState?) throws {
        if let saved {
            joiner = saved.joiner
            joiner.maxBytes = mapper.maxLineBytes
        }
        guard let position = saved?.position else {
            // A saved state without a position means the journal had no matching entry at the last
            // start, so every entry there now is new, whatever startAt says.
            try seekStart(fromHead: saved != nil)
            return
        }
        self.position = position
        try resume(after: position)
    }

    private func resume(after saved: JournalPosition) throws {
        if try seekExactly(saved.cursor) {
            logger.info("resuming after the saved journal cursor", ["cursor": saved.cursor])
            return
        }
        let resumeTime = saved.realtimeMicroseconds + 1
        logger.warning("the saved journal cursor was not found, because its journal file was rotated or vacuumed or the entry no longer matches the configured matches; resuming at the first entry received after the saved entry", [
            "cursor": saved.cursor,
            "resume_realtime_usec": String(resumeTime),
            "resume_time": RFC3339.format(Date(timeIntervalSince1970: Double(resumeTime) / 1_000_000)),
        ])
        try reader.seekRealtime(resumeTime)
    }

    /// Seeks to `cursor` and returns true when the entry there is the one the cursor names.
    private func seekExactly(_ cursor: String) throws -> Bool {
        do {
            try reader.seekCursor(cursor)
            guard try reader.next() else {
                return false
            }
            return try reader.testCursor(cursor)
        } catch let error as JournalError {
            logger.warning("seeking to the saved journal cursor failed", ["cursor": cursor, "error": error.description])
            return false
        }
    }

    private func seekStart(fromHead: Bool) throws {
        if fromHead || config.startAt == "head" {
            try reader.seekHead()
            logger.info("no saved journal cursor; reading from the oldest entry", ["start_at": fromHead ? "head (nothing was read before)" : config.startAt])
            return
        }
        try reader.seekTail()
        // The tail is after the last entry; stepping back onto it makes that entry the last one read.
        if try reader.previous() {
            position = JournalPosition(cursor: try reader.cursor(), realtimeMicroseconds: try reader.realtimeMicroseconds())
        }
        logger.info("no saved journal cursor; reading new entries only (startAt tail)")
    }

    /// Reads the next entry and returns the records it completes, or nil at the end of the journal.
    ///
    /// An entry returns no record while it is a piece of a split line or when it has no message,
    /// and two when it evicts an unfinished line. The caller must process every returned record
    /// before it saves `state`, because `position` already points past them.
    public func nextRecords() throws -> [LogRecord]? {
        guard try reader.next() else {
            return nil
        }
        entriesRead += 1
        let entry = try readEntry()
        position = JournalPosition(cursor: try reader.cursor(), realtimeMicroseconds: entry.realtimeMicroseconds)
        Metrics.journald.cursor.update(entryTime: Date(timeIntervalSince1970: Double(entry.realtimeMicroseconds) / 1_000_000))

        var records: [LogRecord] = []
        for complete in joiner.feed(entry) {
            if let record = mapper.record(from: complete) {
                records.append(record)
            } else {
                entriesWithoutMessage += 1
            }
        }
        return records
    }

    private func readEntry() throws -> JournalEntry {
        var fields: [String: [UInt8]] = [:]
        for name in JournalEntry.fieldNames {
            do {
                fields[name] = try reader.data(name)
            } catch let error as JournalError {
                // A damaged field loses only itself; the rest of the entry is still usable.
                logger.warning("reading a journal field failed; the entry is used without it", ["field": name, "error": error.description], rateLimitKey: "journal-field")
            }
        }
        return JournalEntry(fields: fields, realtimeMicroseconds: try reader.realtimeMicroseconds())
    }

    /// Blocks until entries arrive or `timeout` seconds pass.
    public func wait(timeout: TimeInterval) throws -> JournalChange {
        try reader.wait(timeout: timeout)
    }

    /// Closes and reopens the journal, then resumes after the last entry read, to recover from read errors.
    public func reopen() throws {
        reader = try Self.open(config, maxLineBytes: mapper.maxLineBytes)
        try resume(from: state)
    }
}
