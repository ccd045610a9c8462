import Foundation

/// The input formats that parsers understand.
public enum LogFormat: String, Sendable, CaseIterable {
    /// Tianchi SEL CSV: `sn,time,msg,server_model`.
    case selCSV = "sel-csv"
    /// One JSON object per line, with configurable field names.
    case jsonLines = "jsonl"
    /// RFC 5424, RFC 3164 and the Cisco IOS, IOS-XR and NX-OS forms, detected per line.
    case syslog
}

/// The reason a line was not turned into a record.
public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    /// The host, when the parser could read it before failing, so the reject can count against its window.
    public var host: String?

    public init(_ reason: String, host: String? = nil) {
        self.reason = reason
        self.host = host
    }

    public var description: String { reason }
}

/// The outcome of parsing one line.
public enum ParseResult: Sendable {
    case record(LogRecord)
    /// A line with no log content, such as a blank line or a CSV header.
    case ignored
    case rejected(ParseError)
}

/// Parses single input lines of one format into records.
public protocol LineParser: Sendable {
    func parse(_ line: RawLine) -> ParseResult
}

/// Field names for JSON-lines input; a dotted name such as `log.host` reads a nested object.
public struct JSONFieldMapping: Sendable, Equatable {
    public var host = "host"
    public var timestamp = "timestamp"
    public var message = "message"
    public var severity = "severity"

    public init(host: String = "host", timestamp: String = "timestamp", message: String = "message", severity: String = "severity") {
        self.host = host
        self.timestamp = timestamp
        self.message = message
        self.severity = severity
    }
}

/// Chooses a parser for a format, or detects the format from a file's first lines.
public enum ParserFactory {
    public static func make(_ format: LogFormat, resolver: TimestampResolver, jsonFields: JSONFieldMapping = JSONFieldMapping()) -> any LineParser {
        switch format {
        case .selCSV: SELCSVParser(resolver: resolver)
        case .jsonLines: JSONLinesParser(resolver: resolver, fields: jsonFields)
        case .syslog: SyslogParser(resolver: resolver)
        }
    }

    /// Picks the format from sample lines: a `sn,time,` header or a `serial,YYYY-MM-DD HH:MM:SS,` row
    /// means SEL CSV, a line starting with `{` means JSON lines, anything else syslog.
    public static func detect(sampleLines: [String]) -> LogFormat {
        for line in sampleLines {
            let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\u{FEFF}" }
            if trimmed.isEmpty {
                continue
            }
            if trimmed.hasPrefix("{") {
                return .jsonLines
            }
            if trimmed.lowercased().hasPrefix("sn,time,") || looksLikeSELRow(trimmed) {
                return .selCSV
            }
            return .syslog
        }
        return .syslog
    }

    private static func looksLikeSELRow(_ line: Substring) -> Bool {
        let fields = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3 else {
            return false
        }
        return TimestampResolver(zone: .gmt).parseISOLike(fields[1]) != nil
    }
}
