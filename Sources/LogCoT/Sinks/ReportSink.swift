import Foundation

/// A destination for diagnosis reports.
public protocol ReportSink: Sendable {
    func write(_ report: DiagnosisReport) async throws
    /// Makes every written report durable.
    func flush() async throws
}

/// Appends one JSON report per line to a file, or to standard output for `-`.
public actor JSONLinesReportSink: ReportSink {
    private let handle: FileHandle
    private let path: String

    /// Opens `path` for appending, creating it when missing; `-` writes to standard output.
    public init(path: String, truncate: Bool = false) throws {
        self.path = path
        if path == "-" {
            handle = FileHandle.standardOutput
            return
        }
        let manager = FileManager.default
        if truncate || !manager.fileExists(atPath: path) {
            guard manager.createFile(atPath: path, contents: nil) else {
                throw SinkError(path: path, message: "cannot create the file; check that the directory exists and is writable")
            }
        }
        guard let opened = FileHandle(forWritingAtPath: path) else {
            throw SinkError(path: path, message: "cannot open the file for writing; check its permissions")
        }
        opened.seekToEndOfFile()
        handle = opened
    }

    public func write(_ report: DiagnosisReport) async throws {
        let line = try report.jsonLine() + "\n"
        do {
            try handle.write(contentsOf: Data(line.utf8))
        } catch {
            throw SinkError(path: path, message: "write failed: \(error.localizedDescription)")
        }
    }

    public func flush() async throws {
        guard path != "-" else {
            return
        }
        do {
            try handle.synchronize()
        } catch {
            throw SinkError(path: path, message: "fsync failed: \(error.localizedDescription)")
        }
    }
}

/// A failure of a report sink.
public struct SinkError: Error, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String {
        "report sink \(path): \(message)"
    }
}

/// Writes lines that failed to parse, with the reason, as JSON lines; the file is created on the first reject.
public final class RejectsWriter {
    public let path: String
    private var handle: FileHandle?
    public private(set) var count = 0

    public init(path: String) {
        self.path = path
    }

    public func write(_ line: RawLine, reason: String) throws {
        count += 1
        if handle == nil {
            guard FileManager.default.createFile(atPath: path, contents: nil), let opened = FileHandle(forWritingAtPath: path) else {
                throw SinkError(path: path, message: "cannot create the rejects file; check that the directory exists and is writable")
            }
            handle = opened
        }
        let entry: [String: Any] = ["origin": line.origin, "position": line.position, "reason": reason, "line": line.text, "truncated": line.truncated]
        var data = try JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys, .withoutEscapingSlashes])
        data.append(UInt8(ascii: "\n"))
        try handle?.write(contentsOf: data)
    }

    public func close() {
        try? handle?.close()
        handle = nil
    }
}
