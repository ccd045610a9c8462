import Foundation

/// Splits a byte stream into lines, decoding UTF-8 lossily and cutting lines over a maximum length.
///
/// Line ends are `\n`, with one `\r` before it removed. A line longer than `maxLineBytes` keeps its
/// first `maxLineBytes` bytes, cut back to a character boundary, and is flagged `truncated`. The rest
/// of it is skipped. Invalid UTF-8 becomes U+FFFD and never stops reading.
public struct LineSplitter: Sendable {
    public let maxLineBytes: Int
    private var pending: [UInt8] = []
    private var pendingTruncated = false

    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds a chunk and calls `emit` for every complete line in it.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (String, Bool) -> Void) {
        var start = 0
        let bytes = chunk.bindMemory(to: UInt8.self)
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                append(UnsafeBufferPointer(rebasing: bytes[start...]))
                return
            }
            append(UnsafeBufferPointer(rebasing: bytes[start..<newline]))
            flushLine(emit)
            start = newline + 1
        }
    }

    /// Emits the last line when the input did not end with a newline.
    public mutating func finish(_ emit: (String, Bool) -> Void) {
        if !pending.isEmpty || pendingTruncated {
            flushLine(emit)
        }
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let room = maxLineBytes - pending.count
        if bytes.count <= room {
            pending.append(contentsOf: bytes)
        } else {
            if room > 0 {
                pending.append(contentsOf: bytes[0..<room])
            }
            pendingTruncated = true
        }
    }

    private mutating func flushLine(_ emit: (String, Bool) -> Void) {
        if !pendingTruncated, pending.last == UInt8(ascii: "\r") {
            pending.removeLast()
        }
        if pendingTruncated {
            // Drop a partial UTF-8 sequence at the cut, so the text does not end in U+FFFD.
            var lead = pending.count - 1
            var continuationBytes = 0
            while lead >= 0, continuationBytes < 3, pending[lead] & 0xC0 == 0x80 {
                lead -= 1
                continuationBytes += 1
            }
            if lead >= 0, pending[lead] >= 0xC0 {
                var expected = 2
                if pending[lead] >= 0xF0 {
                    expected = 4
                } else if pending[lead] >= 0xE0 {
                    expected = 3
                }
                if continuationBytes + 1 < expected {
                    pending.removeSubrange(lead...)
                }
            }
        }
        emit(String(decoding: pending, as: UTF8.self), pendingTruncated)
        pending.removeAll(keepingCapacity: true)
        pendingTruncated = false
    }
}

/// Reads a log file line by line for replay.
public struct FileLineSource: Sendable {
    public let url: URL
    public let maxLineBytes: Int
    /// The host for lines that name none: the file name up to its first dot (`leaf1.portflap.log` → `leaf1`).
    public let hostHint: String?

    public init(url: URL, maxLineBytes: Int, hostHint: String? = nil) {
        self.url = url
        self.maxLineBytes = maxLineBytes
        self.hostHint = hostHint ?? FileLineSource.hostName(fromFileName: url.lastPathComponent)
    }

    static func hostName(fromFileName name: String) -> String? {
        let stem = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        return stem.isEmpty ? nil : stem
    }

    /// Calls `body` for every line.
    public func forEachLine(_ body: (RawLine) throws -> Void) throws {
        let lines = try makeIterator()
        while let line = try lines.next() {
            try body(line)
        }
    }

    /// Opens the file for reading line by line with `next()`, which async callers can await between.
    public func makeIterator() throws -> FileLineIterator {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw SourceError.cannotOpen(url.path)
        }
        return FileLineIterator(handle: handle, origin: url.path, maxLineBytes: maxLineBytes, hostHint: hostHint)
    }

    /// Reads the first `count` lines, for format detection.
    public func sampleLines(_ count: Int) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            return []
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 64 * 1024)) ?? Data()
        var lines: [String] = []
        var splitter = LineSplitter(maxLineBytes: maxLineBytes)
        data.withUnsafeBytes { buffer in
            splitter.feed(buffer) { text, _ in
                if lines.count < count { lines.append(text) }
            }
        }
        return lines
    }
}

/// A failure to read an input source.
public enum SourceError: Error, CustomStringConvertible {
    case cannotOpen(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path):
            "cannot open '\(path)': check that the file exists and is readable"
        }
    }
}

/// Reads a file in 1 MiB chunks and returns its lines one at a time.
public final class FileLineIterator {
    private let handle: FileHandle
    private let origin: String
    private let hostHint: String?
    private var splitter: LineSplitter
    private var queue: [(String, Bool)] = []
    private var queueIndex = 0
    private var lineNumber = 0
    private var atEnd = false
    /// Bytes read from the file so far.
    public private(set) var bytesRead = 0

    init(handle: FileHandle, origin: String, maxLineBytes: Int, hostHint: String?) {
        self.handle = handle
        self.origin = origin
        self.hostHint = hostHint
        self.splitter = LineSplitter(maxLineBytes: maxLineBytes)
    }

    deinit {
        try? handle.close()
    }

    public func next() throws -> RawLine? {
        while queueIndex >= queue.count {
            guard !atEnd else {
                return nil
            }
            try refill()
        }
        let (text, truncated) = queue[queueIndex]
        queueIndex += 1
        lineNumber += 1
        return RawLine(text: text, origin: origin, position: lineNumber, truncated: truncated, hostHint: hostHint)
    }

    private func refill() throws {
        queue.removeAll(keepingCapacity: true)
        queueIndex = 0
        let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
        if chunk.isEmpty {
            atEnd = true
            splitter.finish { queue.append(($0, $1)) }
            return
        }
        bytesRead += chunk.count
        chunk.withUnsafeBytes { buffer in
            splitter.feed(buffer) { queue.append(($0, $1)) }
        }
    }
}
