import Foundation

/// One window of a windows file: the masked log lines of one host around one fault, with an
/// optional ground-truth label and reasoning.
///
/// A window with a label is "labelled"; evaluation and preference data need one, pool building does not.
public struct WindowRecord: Sendable, Codable, Equatable {
    public var id: String
    public var host: String?
    /// The fault time as RFC 3339 text, kept as written.
    public var faultTime: String?
    /// The window's masked log lines, oldest first.
    public var lines: [String]
    /// A label id from the configured label set; `load` resolves codes to ids.
    public var label: String?
    public var reasoning: String?

    enum CodingKeys: String, CodingKey {
        case id, host, faultTime = "fault_time", lines, label, reasoning
    }

    public init(id: String, host: String? = nil, faultTime: String? = nil, lines: [String], label: String? = nil, reasoning: String? = nil) {
        self.id = id
        self.host = host
        self.faultTime = faultTime
        self.lines = lines
        self.label = label
        self.reasoning = reasoning
    }

    /// The window as a few-shot pool example; nil when it has no label.
    ///
    /// NOTE: a window without `reasoning` becomes an example with empty reasoning, so its few-shot
    /// demonstration shows the lines and the label but no chain of thought.
    public var poolExample: PoolExample? {
        guard let label else {
            return nil
        }
        return PoolExample(id: id, lines: lines, reasoning: reasoning ?? "", label: label)
    }

    /// Encodes the window as one JSON line with sorted keys, without the trailing newline.
    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// Reads and writes windows files.
///
/// The native format is JSON lines of `{id, host?, fault_time?, lines, label?, reasoning?}`, where blank
/// lines and lines starting with `//` are skipped. `load` also reads the LogCoT authors' JSON arrays: the
/// training format `[{instruction, input?, output}]` and the preference format
/// `[{label, chosen: {conversations}, rejected: {conversations}}]`.
public enum WindowFile {
    /// Loads every window of a file and resolves labels (ids or codes) to the label set's ids.
    public static func load(from url: URL, labels: LabelSet) throws -> [WindowRecord] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw WindowFileError(path: url.path, line: nil, message: "cannot read the file: \(error.localizedDescription); check the path and permissions")
        }
        let text = String(decoding: data, as: UTF8.self)
        if text.drop(while: { $0.isWhitespace }).hasPrefix("[") {
            return try AuthorsWindowFormat.parse(data, path: url.path, labels: labels)
        }
        return try parseJSONLines(text, path: url.path, labels: labels)
    }

    /// Appends windows to a JSON-lines file, creating it when missing.
    public static func append(_ records: [WindowRecord], to url: URL) throws {
        let writer = try WindowFileWriter(path: url.path, truncate: false)
        defer { writer.close() }
        for record in records {
            try writer.write(record)
        }
    }

    static func parseJSONLines(_ text: String, path: String, labels: LabelSet) throws -> [WindowRecord] {
        var records: [WindowRecord] = []
        var seenIDs: [String: Int] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("//") {
                continue
            }

            var record: WindowRecord
            do {
                record = try JSONDecoder().decode(WindowRecord.self, from: Data(content.utf8))
            } catch {
                throw WindowFileError(path: path, line: lineNumber, message: "expected a JSON object {id, lines, host?, fault_time?, label?, reasoning?}: \(describeDecodingError(error))")
            }

            if let first = seenIDs[record.id] {
                throw WindowFileError(path: path, line: lineNumber, message: "id '\(record.id)' already appears on line \(first); give each window a unique id")
            }
            seenIDs[record.id] = lineNumber
            record.label = try resolveLabel(record.label, labels: labels, path: path, line: lineNumber)
            records.append(record)
        }
        return records
    }

    /// Resolves an id or code to the label set's id. An empty label counts as none.
    static func resolveLabel(_ value: String?, labels: LabelSet, path: String, line: Int?) throws -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            return nil
        }
        guard let label = labels.resolve(value) else {
            let known = labels.labels.map { "\($0.id) (\($0.code))" }.joined(separator: ", ")
            throw WindowFileError(path: path, line: line, message: "label '\(value)' is not in the label set; use one of \(known), or configure the label in `labels`")
        }
        return label.id
    }
}

/// Writes windows as JSON lines, one `write` per window.
public final class WindowFileWriter: @unchecked Sendable {
    public let path: String
    private let handle: FileHandle
    private let lock = NSLock()
    public private(set) var count = 0

    /// Opens `path`, creating it when missing; `truncate` empties an existing file first.
    public init(path: String, truncate: Bool) throws {
        self.path = path
        let manager = FileManager.default
        if truncate || !manager.fileExists(atPath: path) {
            guard manager.createFile(atPath: path, contents: nil) else {
                throw WindowFileError(path: path, line: nil, message: "cannot create the file; check that the directory exists and is writable")
            }
        }
        guard let opened = FileHandle(forWritingAtPath: path) else {
            throw WindowFileError(path: path, line: nil, message: "cannot open the file for writing; check its permissions")
        }
        opened.seekToEndOfFile()
        handle = opened
    }

    public func write(_ record: WindowRecord) throws {
        let line = try record.jsonLine() + "\n"
        try lock.withLock {
            do {
                try handle.write(contentsOf: Data(line.utf8))
            } catch {
                throw WindowFileError(path: path, line: nil, message: "write failed: \(error.localizedDescription)")
            }
            count += 1
        }
    }

    public func close() {
        lock.withLock {
            try? handle.close()
        }
    }
}

/// A problem in a windows file, with the line (or array entry) where it is.
public struct WindowFileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    /// The 1-based line of a JSON-lines file, or nil for whole-file problems.
    public var line: Int?
    public var message: String

    public init(path: String, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line {
            return "invalid windows file \(path) line \(line): \(message)"
        }
        return "invalid windows file \(path): \(message)"
    }
}
