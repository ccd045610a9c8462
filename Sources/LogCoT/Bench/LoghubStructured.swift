import Foundation

/// A loghub `*_structured.csv` file: each message's content and its ground-truth template id.
public struct LoghubStructured: Sendable {
    /// The `Content` column: the message after the header fields.
    public var contents: [String]
    /// The `EventId` column, one per message.
    public var eventIDs: [String]

    /// Reads the file; its header must name `Content` and `EventId`.
    public static func load(from url: URL) throws -> LoghubStructured {
        let text = try String(contentsOf: url, encoding: .utf8)
        var rows = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { CSV.splitRow(String($0)) }
        guard !rows.isEmpty else {
            throw LoghubStructuredError(path: url.path, message: "the file is empty")
        }
        let header = rows.removeFirst()
        guard let contentColumn = header.firstIndex(of: "Content"), let eventColumn = header.firstIndex(of: "EventId") else {
            throw LoghubStructuredError(path: url.path, message: "the header lacks the Content or EventId column")
        }

        var result = LoghubStructured(contents: [], eventIDs: [])
        for (index, row) in rows.enumerated() {
            guard row.count == header.count else {
                throw LoghubStructuredError(path: url.path, message: "row \(index + 2) has \(row.count) fields, expected \(header.count)")
            }
            result.contents.append(row[contentColumn])
            result.eventIDs.append(row[eventColumn])
        }
        return result
    }
}

/// A loghub structured file that could not be read; the message names the problem.
public struct LoghubStructuredError: Error, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String {
        "cannot read loghub structured file '\(path)': \(message)"
    }
}
