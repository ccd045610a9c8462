import Foundation

/// The fields of one journal entry that LogCoT reads, as raw bytes.
public struct JournalEntry: Sendable, Equatable, Codable {
    /// The journal fields read for each entry; other fields are not loaded.
    public static let fieldNames = [
        "MESSAGE", "_HOSTNAME", "_MACHINE_ID", "PRIORITY", "SYSLOG_IDENTIFIER", "_SYSTEMD_UNIT",
        "_SOURCE_REALTIME_TIMESTAMP", "_LINE_BREAK", "_STREAM_ID", "_PID",
    ]

    /// Field values without the `FIELD=` prefix; `MESSAGE` may hold any bytes.
    public var fields: [String: [UInt8]]
    /// `__REALTIME_TIMESTAMP`: when the journal received the entry, in microseconds since 1970.
    public var realtimeMicroseconds: UInt64
    /// How many journal entries this one joins; more than 1 after `JournalLineJoiner` joined a split line.
    public var parts: Int

    public init(fields: [String: [UInt8]], realtimeMicroseconds: UInt64, parts: Int = 1) {
        self.fields = fields
        self.realtimeMicroseconds = realtimeMicroseconds
        self.parts = parts
    }

    /// Returns the field as text, with invalid UTF-8 replaced by U+FFFD.
    public func text(_ name: String) -> String? {
        fields[name].map { String(decoding: $0, as: UTF8.self) }
    }

    /// True when journald cut this entry's line at `LineMax=` and the next entry of its stream continues it.
    public var continuesInNextEntry: Bool {
        text("_LINE_BREAK") == "line-max"
    }
}
