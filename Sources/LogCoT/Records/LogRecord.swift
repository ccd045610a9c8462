import Foundation

/// One parsed log line from any source.
public struct LogRecord: Sendable, Equatable {
    /// Host identity as the source names it: a serial number, a host name or a file-derived name.
    public var host: String

    /// The event time as a UTC instant.
    public var timestamp: Date

    /// The timestamp exactly as it appeared in the input.
    public var timestampText: String

    /// Syslog severity when the format carries one.
    public var severity: Severity?

    /// The message text, without the header fields that the parser extracted.
    public var message: String

    /// Format-specific fields, such as `server_model`, `app_name` or `facility`.
    public var fields: [String: String]

    /// True when the input line was longer than the configured maximum and was cut.
    public var truncated: Bool

    public init(
        host: String,
        timestamp: Date,
        timestampText: String,
        severity: Severity? = nil,
        message: String,
        fields: [String: String] = [:],
        truncated: Bool = false
    ) {
        self.host = host
        self.timestamp = timestamp
        self.timestampText = timestampText
        self.severity = severity
        self.message = message
        self.fields = fields
        self.truncated = truncated
    }
}

/// Syslog severity levels of RFC 5424, section 6.2.1, from most to least severe.
public enum Severity: Int, Sendable, Comparable, CaseIterable, Codable {
    case emergency = 0
    case alert = 1
    case critical = 2
    case error = 3
    case warning = 4
    case notice = 5
    case informational = 6
    case debug = 7

    /// Orders by urgency, so `.critical > .warning` holds.
    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs.rawValue > rhs.rawValue
    }

    /// Reads a severity from a keyword (`err`, `warning`, `crit`) or a number 0-7.
    public init?(name: String) {
        let lowered = name.lowercased()
        if let code = Int(lowered), let level = Severity(rawValue: code) {
            self = level
            return
        }
        switch lowered {
        case "emerg", "emergency", "panic": self = .emergency
        case "alert": self = .alert
        case "crit", "critical", "fatal": self = .critical
        case "err", "error": self = .error
        case "warn", "warning": self = .warning
        case "notice": self = .notice
        case "info", "informational": self = .informational
        case "debug", "trace": self = .debug
        default: return nil
        }
    }

    /// The short keyword syslog uses, such as `err`.
    public var keyword: String {
        switch self {
        case .emergency: "emerg"
        case .alert: "alert"
        case .critical: "crit"
        case .error: "err"
        case .warning: "warning"
        case .notice: "notice"
        case .informational: "info"
        case .debug: "debug"
        }
    }
}

/// One line of input before parsing, with where it came from.
public struct RawLine: Sendable {
    /// The decoded text, with invalid UTF-8 replaced by U+FFFD and the line ending removed.
    public var text: String

    /// The source name, such as a file path or `topic/partition`.
    public var origin: String

    /// The 1-based line number within the origin, or the Kafka offset.
    public var position: Int

    /// True when the line exceeded the maximum length and `text` holds only its start.
    public var truncated: Bool

    /// A host name that the source supplies, such as one derived from a file name or a Kafka key.
    public var hostHint: String?

    public init(text: String, origin: String, position: Int, truncated: Bool = false, hostHint: String? = nil) {
        self.text = text
        self.origin = origin
        self.position = position
        self.truncated = truncated
        self.hostHint = hostHint
    }
}
