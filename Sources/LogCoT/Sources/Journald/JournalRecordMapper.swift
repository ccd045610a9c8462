import Foundation

/// Turns journal entries into `LogRecord`s.
///
/// The event time is `_SOURCE_REALTIME_TIMESTAMP` when the entry has it, else `__REALTIME_TIMESTAMP`.
/// journald sets the source stamp from a trusted origin, such as the kernel's own timestamp or
/// the time the message was sent, while the realtime stamp is when journald (or
/// systemd-journal-remote) stored it. Windows are placed around when things happened, so the earlier,
/// source-side stamp is the better event time, and the fallback keeps entries without one.
public struct JournalRecordMapper: Sendable {
    public let maxLineBytes: Int

    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Maps one entry, or returns nil when it has no `MESSAGE` field.
    public func record(from entry: JournalEntry) -> LogRecord? {
        guard let messageBytes = entry.fields["MESSAGE"] else {
            return nil
        }
        let (message, truncated) = Self.decodeMessage(messageBytes, maxBytes: maxLineBytes)

        var timestampField = "__REALTIME_TIMESTAMP"
        var microseconds = entry.realtimeMicroseconds
        if let text = entry.text("_SOURCE_REALTIME_TIMESTAMP"), let value = UInt64(text) {
            timestampField = "_SOURCE_REALTIME_TIMESTAMP"
            microseconds = value
        }

        var fields = ["timestamp_field": timestampField]
        fields["app_name"] = entry.text("SYSLOG_IDENTIFIER")
        fields["systemd_unit"] = entry.text("_SYSTEMD_UNIT")
        fields["pid"] = entry.text("_PID")
        if entry.parts > 1 {
            fields["journal_parts"] = String(entry.parts)
        }

        return LogRecord(
            host: Self.host(of: entry),
            timestamp: Date(timeIntervalSince1970: Double(microseconds) / 1_000_000),
            timestampText: String(microseconds),
            severity: entry.text("PRIORITY").flatMap { Int($0) }.flatMap { Severity(rawValue: $0) },
            message: message,
            fields: fields,
            truncated: truncated
        )
    }

    /// `_HOSTNAME`, else `_MACHINE_ID`, else `unknown`, so that entries without a host still form windows.
    static func host(of entry: JournalEntry) -> String {
        for name in ["_HOSTNAME", "_MACHINE_ID"] {
            if let value = entry.text(name), !value.isEmpty {
                return value
            }
        }
        return "unknown"
    }

    /// Decodes a message that may hold any bytes: invalid UTF-8 becomes U+FFFD, one trailing CR is
    /// removed, and text past `maxBytes` is cut at a character boundary and flagged as truncated.
    public static func decodeMessage(_ bytes: [UInt8], maxBytes: Int) -> (text: String, truncated: Bool) {
        guard bytes.count > maxBytes else {
            var end = bytes.count
            if end > 0, bytes[end - 1] == UInt8(ascii: "\r") {
                end -= 1
            }
            return (String(decoding: bytes[..<end], as: UTF8.self), false)
        }

        // Step back over continuation bytes so that the cut does not split a UTF-8 sequence.
        // Bytes that form no valid sequence stay and decode to U+FFFD.
        var end = maxBytes
        while end > 0, end > maxBytes - 3, bytes[end] & 0xC0 == 0x80 {
            end -= 1
        }
        if bytes[end] & 0xC0 != 0xC0 {
            end = maxBytes
        }
        return (String(decoding: bytes[..<end], as: UTF8.self), true)
    }
}
