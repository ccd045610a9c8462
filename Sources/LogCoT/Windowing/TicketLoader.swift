import Foundation

/// Reads fault tickets: CSV `sn,fault_time[,...]` with an optional header, or JSON lines with
/// `host` (or `sn`) and `fault_time` (or `time`). Extra columns, such as a label file's, are ignored.
public struct TicketLoader: Sendable {
    public let resolver: TimestampResolver

    public init(resolver: TimestampResolver) {
        self.resolver = resolver
    }

    /// Returns the tickets in file order and the lines that could not be read, with reasons.
    public func load(from url: URL) throws -> (tickets: [FaultEvent], rejects: [(line: RawLine, error: ParseError)]) {
        var tickets: [FaultEvent] = []
        var rejects: [(RawLine, ParseError)] = []
        let source = FileLineSource(url: url, maxLineBytes: 65_536, hostHint: "")
        try source.forEachLine { line in
            switch parse(line) {
            case .success(let ticket?):
                tickets.append(ticket)
            case .success(nil):
                break
            case .failure(let error):
                rejects.append((line, error))
            }
        }
        return (tickets, rejects)
    }

    /// Parses one ticket line; `nil` for blank and header lines.
    public func parse(_ line: RawLine) -> Result<FaultEvent?, ParseError> {
        let text = line.text.trimmingCharacters(in: .whitespaces)
        if text.isEmpty {
            return .success(nil)
        }
        let detail = "\(URL(fileURLWithPath: line.origin).lastPathComponent):\(line.position)"

        let host: String
        let timeText: String
        if text.hasPrefix("{") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                return .failure(ParseError("invalid JSON ticket; expected {\"host\": ..., \"fault_time\": ...}"))
            }
            guard let name = JSONLinesParser.text(object["host"] ?? object["sn"]), !name.isEmpty else {
                return .failure(ParseError("ticket has no 'host' or 'sn' field"))
            }
            guard let time = JSONLinesParser.text(object["fault_time"] ?? object["time"]) else {
                return .failure(ParseError("ticket has no 'fault_time' field", host: name))
            }
            host = name
            timeText = time
        } else {
            let fields = CSV.splitRow(text)
            guard fields.count >= 2 else {
                return .failure(ParseError("expected CSV 'sn,fault_time', found \(fields.count) field"))
            }
            if fields[0].lowercased() == "sn" || fields[1].lowercased() == "fault_time" {
                return .success(nil)
            }
            host = fields[0].trimmingCharacters(in: .whitespaces)
            timeText = fields[1].trimmingCharacters(in: .whitespaces)
        }

        guard let time = resolver.parseISOLike(Substring(timeText)) else {
            return .failure(ParseError("invalid fault_time '\(timeText)'; expected YYYY-MM-DD HH:MM:SS or RFC 3339", host: host))
        }
        return .success(FaultEvent(host: host, time: time, origin: .ticket, detail: detail))
    }
}
