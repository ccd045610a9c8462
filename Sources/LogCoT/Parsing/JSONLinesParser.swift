import Foundation

/// Parses one JSON object per line with configurable field names.
///
/// The timestamp may be RFC 3339 text, `YYYY-MM-DD HH:MM:SS` in the configured zone, or a number of
/// seconds since the epoch (values above 10^11 are read as milliseconds). Every other top-level
/// field is kept as text in `fields`.
public struct JSONLinesParser: LineParser {
    public let resolver: TimestampResolver
    public let mapping: JSONFieldMapping

    public init(resolver: TimestampResolver, fields: JSONFieldMapping) {
        self.resolver = resolver
        self.mapping = fields
    }

    public func parse(_ line: RawLine) -> ParseResult {
        if line.text.allSatisfy(\.isWhitespace) {
            return .ignored
        }

        let object: [String: Any]
        do {
            guard let decoded = try JSONSerialization.jsonObject(with: Data(line.text.utf8)) as? [String: Any] else {
                return .rejected(ParseError("expected a JSON object per line"))
            }
            object = decoded
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "syntax error"
            let reason = line.truncated ? "invalid JSON (the line was truncated at the maximum length): \(detail)" : "invalid JSON: \(detail)"
            return .rejected(ParseError(reason))
        }

        let host = Self.text(Self.value(at: mapping.host, in: object)) ?? line.hostHint
        guard let host, !host.isEmpty else {
            return .rejected(ParseError("missing host field '\(mapping.host)'; set parsing.jsonFields.host to the field that names the host"))
        }
        guard let rawTime = Self.value(at: mapping.timestamp, in: object) else {
            return .rejected(ParseError("missing timestamp field '\(mapping.timestamp)'; set parsing.jsonFields.timestamp", host: host))
        }
        guard let (timestamp, timeText) = parseTime(rawTime) else {
            return .rejected(ParseError("invalid timestamp '\(rawTime)'; use RFC 3339 such as 2024-05-01T12:00:00Z or epoch seconds", host: host))
        }
        guard let message = Self.text(Self.value(at: mapping.message, in: object)) else {
            return .rejected(ParseError("missing message field '\(mapping.message)'; set parsing.jsonFields.message", host: host))
        }

        let severity = Self.text(Self.value(at: mapping.severity, in: object)).flatMap(Severity.init(name:))
        var fields: [String: String] = [:]
        let mapped: Set<String> = [mapping.host, mapping.timestamp, mapping.message, mapping.severity]
        for (key, value) in object where !mapped.contains(key) {
            fields[key] = Self.text(value) ?? ""
        }

        return .record(LogRecord(
            host: host,
            timestamp: timestamp,
            timestampText: timeText,
            severity: severity,
            message: message,
            fields: fields,
            truncated: line.truncated
        ))
    }

    private func parseTime(_ value: Any) -> (Date, String)? {
        if let number = value as? NSNumber, !(value is Bool) {
            let raw = number.doubleValue
            let seconds = raw > 1e11 ? raw / 1000 : raw
            return (Date(timeIntervalSince1970: seconds), number.stringValue)
        }
        guard let text = value as? String, let date = resolver.parseISOLike(Substring(text)) else {
            return nil
        }
        return (date, text)
    }

    static func value(at path: String, in object: [String: Any]) -> Any? {
        if let direct = object[path] {
            return direct
        }
        var current: Any? = object
        for component in path.split(separator: ".") {
            current = (current as? [String: Any])?[String(component)]
        }
        return current
    }

    static func text(_ value: Any?) -> String? {
        switch value {
        case let text as String:
            return text
        case let number as NSNumber:
            return number.stringValue
        case nil, is NSNull:
            return nil
        case let other?:
            guard let data = try? JSONSerialization.data(withJSONObject: other, options: [.sortedKeys]) else {
                return nil
            }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
