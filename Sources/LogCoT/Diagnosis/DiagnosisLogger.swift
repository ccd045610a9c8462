import Foundation

/// A sink for the diagnosis client's structured log events.
///
/// `level` is one of `debug`, `info`, `warning` or `error`. The client never puts the API key into
/// `message` or `fields`, and it replaces the key with `[REDACTED]` in text that it copies from server responses.
public protocol DiagnosisLogger: Sendable {
    func log(_ level: String, _ message: String, _ fields: [String: String])
}

/// A logger that writes one logfmt line per event to standard error, such as
/// `level=warning msg="retrying request" attempt=1 status=503`.
///
/// Fields are sorted by key so that lines are stable. Values that contain spaces, quotes or `=` are quoted.
public struct StandardErrorDiagnosisLogger: DiagnosisLogger {
    public init() {}

    public func log(_ level: String, _ message: String, _ fields: [String: String]) {
        let line = Self.formatLine(level: level, message: message, fields: fields) + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Formats one event as a logfmt line without the trailing newline.
    public static func formatLine(level: String, message: String, fields: [String: String]) -> String {
        var parts = ["level=\(quoteIfNeeded(level))", "msg=\(quoteIfNeeded(message))"]
        for key in fields.keys.sorted() {
            parts.append("\(key)=\(quoteIfNeeded(fields[key] ?? ""))")
        }
        return parts.joined(separator: " ")
    }

    private static func quoteIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline || $0 == "\\" }
        guard needsQuotes else {
            return value
        }
        var escaped = ""
        for character in value {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            default: escaped.append(character)
            }
        }
        return "\"\(escaped)\""
    }
}
