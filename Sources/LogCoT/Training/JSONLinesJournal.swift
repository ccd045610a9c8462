import Foundation

/// An append-only JSON-lines file that survives a kill: each record is written as one line and flushed to disk
/// with `fsync` before `append` returns.
///
/// Opening reads the records already there, so a restarted command can skip the work they cover. A last line
/// without its newline comes from a write that a kill cut short. Opening removes and logs that line, so the
/// command redoes its record.
public actor JSONLinesJournal<Record: Codable & Sendable> {
    public nonisolated let path: String
    private let handle: FileHandle
    private let encoder: JSONEncoder

    /// Opens or creates the file and returns the journal with the complete records already in it.
    public static func open(path: String, logger: Logger) throws -> (journal: JSONLinesJournal, records: [Record]) {
        let url = URL(fileURLWithPath: path)
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw OutputJournalError(path: path, message: "cannot create the file; check that its folder exists and is writable")
            }
        }

        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw OutputJournalError(path: path, message: "cannot read the file: \(error.localizedDescription)")
        }
        let (records, completeLength) = try decodeCompleteLines(data, path: path)

        let handle: FileHandle
        do {
            handle = try FileHandle(forUpdating: url)
            if completeLength < data.count {
                logger.warning("removing a record cut short by an earlier run; it will be redone", [
                    "file": path,
                    "bytes": String(data.count - completeLength),
                ])
                try handle.truncate(atOffset: UInt64(completeLength))
            }
            try handle.seekToEnd()
        } catch {
            throw OutputJournalError(path: path, message: "cannot open the file for appending: \(error.localizedDescription)")
        }
        return (JSONLinesJournal(path: path, handle: handle), records)
    }

    private init(path: String, handle: FileHandle) {
        self.path = path
        self.handle = handle
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// Writes one record as one line and waits until the file system has it on disk.
    public func append(_ record: Record) throws {
        var line = try encoder.encode(record)
        line.append(UInt8(ascii: "\n"))
        do {
            try handle.write(contentsOf: line)
            try handle.synchronize()
        } catch {
            throw OutputJournalError(path: path, message: "cannot append a record: \(error.localizedDescription)")
        }
    }

    public func close() {
        try? handle.close()
    }

    /// Decodes every newline-terminated line and returns the records with the byte length they cover.
    static func decodeCompleteLines(_ data: Data, path: String) throws -> ([Record], Int) {
        guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else {
            return ([], 0)
        }
        let complete = data[data.startIndex...lastNewline]
        var records: [Record] = []
        let decoder = JSONDecoder()
        for (index, line) in complete.split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            do {
                records.append(try decoder.decode(Record.self, from: Data(line)))
            } catch {
                throw OutputJournalError(path: path, message: "line \(index + 1) is not a valid record (\(describeDecodingError(error))); fix or remove that line, or start with a new output file")
            }
        }
        return (records, complete.count)
    }
}

/// A problem reading or writing a resumable output file.
public struct OutputJournalError: Error, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String {
        "output file \(path): \(message)"
    }
}
