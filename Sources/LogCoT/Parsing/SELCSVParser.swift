import Foundation

/// Parses BMC System Event Log rows in the Tianchi CSV form `sn,time,msg,server_model`.
///
/// `msg` is an IPMI SEL event such as ` Memory Memory_Status | Correctable ECC | Asserted`. The parser
/// trims it and also stores its `|`-separated parts as the fields `sensor`, `event` and `assertion`.
/// Unquoted commas inside `msg` are tolerated: the first two fields and the last one are fixed, and
/// everything between them is the message.
public struct SELCSVParser: LineParser {
    public let resolver: TimestampResolver

    public init(resolver: TimestampResolver) {
        self.resolver = resolver
    }

    public func parse(_ line: RawLine) -> ParseResult {
        if let record = parseSimpleASCII(line) {
            return .record(record)
        }
        return parseGeneral(line)
    }

    /// Parses any row: quoted fields, non-ASCII text, headers, blank lines and rejects.
    func parseGeneral(_ line: RawLine) -> ParseResult {
        let text = line.text
        if text.allSatisfy(\.isWhitespace) {
            return .ignored
        }

        let fields = CSV.splitRow(text)
        if fields.count >= 2, fields[0].lowercased() == "sn", fields[1].lowercased() == "time" {
            return .ignored
        }
        guard fields.count >= 4 else {
            return .rejected(ParseError("expected 4 CSV fields (sn,time,msg,server_model), found \(fields.count)", host: fields.first.flatMap { $0.isEmpty ? nil : $0 }))
        }

        let serial = fields[0].trimmingCharacters(in: .whitespaces)
        guard !serial.isEmpty else {
            return .rejected(ParseError("empty serial number in field 'sn'"))
        }
        let timeText = fields[1].trimmingCharacters(in: .whitespaces)
        guard let timestamp = resolver.parseISOLike(Substring(timeText)) else {
            return .rejected(ParseError("invalid time '\(timeText)'; expected YYYY-MM-DD HH:MM:SS", host: serial))
        }

        let message = fields[2..<(fields.count - 1)].joined(separator: ",").trimmingCharacters(in: .whitespaces)
        var recordFields = ["server_model": fields[fields.count - 1].trimmingCharacters(in: .whitespaces)]
        let parts = message.components(separatedBy: " | ")
        if parts.count == 3 {
            recordFields["sensor"] = parts[0]
            recordFields["event"] = parts[1]
            recordFields["assertion"] = parts[2]
        }

        return .record(LogRecord(
            host: serial,
            timestamp: timestamp,
            timestampText: timeText,
            message: message,
            fields: recordFields,
            truncated: line.truncated
        ))
    }
}

/// RFC 4180 row splitting: quoted fields may hold commas and doubled quotes.
enum CSV {
    static func splitRow(_ text: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var iterator = text.makeIterator()
        var pending: Character? = nil

        while let character = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if character == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        current.append("\"")
                    } else {
                        inQuotes = false
                        pending = next
                    }
                } else {
                    current.append(character)
                }
            } else if character == "," {
                fields.append(current)
                current = ""
            } else if character == "\"" && current.allSatisfy(\.isWhitespace) {
                current = ""
                inQuotes = true
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
