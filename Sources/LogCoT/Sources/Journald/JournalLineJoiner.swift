import Foundation

/// Joins the entries into which journald split one long line back into one entry.
///
/// journald cuts a stdout/stderr line at `LineMax=` (48 KiB by default) and stores each piece as its
/// own entry. Every piece but the last carries `_LINE_BREAK=line-max`, and the next entry of the
/// same stream (`_STREAM_ID`) continues it. The joined entry keeps the first piece's fields and
/// timestamps. Its message keeps at most `maxBytes + 1` bytes, so that the record mapper detects the
/// overflow and flags the record as truncated.
///
/// The joiner is part of the durable state: pieces that wait for their continuation are saved with
/// the journal cursor, because the cursor already points past them.
public struct JournalLineJoiner: Sendable, Codable, Equatable {
    /// The pieces of one unfinished line.
    struct Partial: Sendable, Codable, Equatable {
        var first: JournalEntry
        var message: [UInt8]
        var parts: Int
        /// Arrival order, to evict the oldest unfinished line first.
        var order: UInt64
    }

    /// Streams with an unfinished line kept at once; past this the oldest is emitted as it is.
    public static let maxOpenLines = 256

    public var maxBytes: Int
    var partials: [String: Partial] = [:]
    private var nextOrder: UInt64 = 0

    public init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// How many streams have an unfinished line.
    public var openLines: Int { partials.count }

    /// Feeds one entry and returns the entries that are complete: none while a line continues, else
    /// the entry itself or the joined line, preceded by an evicted unfinished line if any.
    public mutating func feed(_ entry: JournalEntry) -> [JournalEntry] {
        let key = Self.streamKey(entry)
        let message = entry.fields["MESSAGE"] ?? []

        if entry.continuesInNextEntry {
            if var partial = partials[key] {
                append(message, to: &partial.message)
                partial.parts += 1
                partials[key] = partial
                return []
            }
            var first = Partial(first: entry, message: [], parts: 1, order: nextOrder)
            nextOrder += 1
            append(message, to: &first.message)
            partials[key] = first
            return evictOldestIfFull()
        }

        guard let partial = partials.removeValue(forKey: key) else {
            return [entry]
        }
        var joined = partial.first
        var bytes = partial.message
        append(message, to: &bytes)
        joined.fields["MESSAGE"] = bytes
        joined.fields["_LINE_BREAK"] = entry.fields["_LINE_BREAK"]
        joined.parts = partial.parts + 1
        return [joined]
    }

    private func append(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        let room = maxBytes + 1 - buffer.count
        if room > 0 {
            buffer.append(contentsOf: bytes.prefix(room))
        }
    }

    private mutating func evictOldestIfFull() -> [JournalEntry] {
        guard partials.count > Self.maxOpenLines, let oldest = partials.min(by: { $0.value.order < $1.value.order }) else {
            return []
        }
        partials.removeValue(forKey: oldest.key)
        return [Self.entry(from: oldest.value)]
    }

    private static func entry(from partial: Partial) -> JournalEntry {
        var entry = partial.first
        entry.fields["MESSAGE"] = partial.message
        entry.parts = partial.parts
        return entry
    }

    /// `_STREAM_ID` identifies a stdout stream; entries without one fall back to host, unit, identifier and PID.
    static func streamKey(_ entry: JournalEntry) -> String {
        if let stream = entry.text("_STREAM_ID"), !stream.isEmpty {
            return "stream:" + stream
        }
        let parts = ["_HOSTNAME", "_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER", "_PID"].map { entry.text($0) ?? "" }
        return "process:" + parts.joined(separator: "\u{1F}")
    }
}
