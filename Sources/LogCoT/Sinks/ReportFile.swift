import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An append-only JSON-lines report file that can tell which reports a crash already wrote.
///
/// LogCoT must be the only writer: recovery removes a partial last line, which only a crash of this
/// process can have left there.
public final class ReportFile {
    public let path: String
    private let logger: Logger
    private var descriptor: Int32 = -1

    /// Opens `path` for appending, creating it with mode 0640 when missing.
    public init(path: String, logger: Logger) throws {
        self.path = path
        self.logger = logger
        try openForAppending()
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
        }
    }

    private func openForAppending() throws {
        let opened = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard opened >= 0 else {
            throw failure("cannot open the file for appending", errno, fix: "check that the directory exists and is writable")
        }
        descriptor = opened
    }

    private func failure(_ operation: String, _ code: Int32, fix: String = "check the disk and the file's permissions") -> SinkError {
        SinkError(path: path, message: "\(operation): \(String(cString: strerror(code))); \(fix)")
    }

    /// Reopens the path when the open file was moved or deleted, as log rotation does.
    public func reopenIfReplaced() throws {
        var onDisk = stat()
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else {
            throw failure("fstat failed", errno)
        }
        if stat(path, &onDisk) == 0, onDisk.st_dev == opened.st_dev, onDisk.st_ino == opened.st_ino {
            return
        }
        close(descriptor)
        descriptor = -1
        try openForAppending()
        logger.info("the report file was moved or deleted; appending to a new file at its path", ["file": path])
    }

    /// Removes a partial last line, then returns which of `ids` appear in the file's last `tailBytes` bytes.
    ///
    /// Reports are appended in commit order, so the reports of one delivery that reached the file
    /// before a crash are its last lines, and `tailBytes` only needs to cover that delivery.
    public func recover(findingIDs ids: Set<String>, tailBytes: Int) throws -> Set<String> {
        let reader = open(path, O_RDONLY | O_CLOEXEC)
        guard reader >= 0 else {
            throw failure("cannot open the file for reading", errno)
        }
        defer { close(reader) }

        var size = try fileSize(reader)
        guard size > 0 else {
            return []
        }
        if try read(reader, from: size - 1, count: 1) != [UInt8(ascii: "\n")] {
            size = try removePartialLastLine(reader, size: size)
        }

        // One byte more than asked for, so that the first line read is complete or empty.
        let start = max(0, size - tailBytes - 1)
        let tail = try read(reader, from: start, count: size - start)
        var found: Set<String> = []
        var lines = tail.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if start > 0, !lines.isEmpty {
            lines.removeFirst()
        }
        for line in lines where !line.isEmpty {
            let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            if let id = object?["report_id"] as? String, ids.contains(id) {
                found.insert(id)
            }
        }
        return found
    }

    private func removePartialLastLine(_ reader: Int32, size: Int) throws -> Int {
        var end = size
        let chunk = 65_536
        var keep = 0
        search: while end > 0 {
            let start = max(0, end - chunk)
            let bytes = try read(reader, from: start, count: end - start)
            if let newline = bytes.lastIndex(of: UInt8(ascii: "\n")) {
                keep = start + newline + 1
                break search
            }
            end = start
        }
        guard ftruncate(descriptor, off_t(keep)) == 0, fsync(descriptor) == 0 else {
            throw failure("removing a partial last line failed", errno)
        }
        logger.warning("removed a partial report line that a crash left at the end of the report file", [
            "file": path, "bytes_removed": String(size - keep),
        ])
        return keep
    }

    private func fileSize(_ descriptor: Int32) throws -> Int {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw failure("fstat failed", errno)
        }
        return Int(status.st_size)
    }

    private func read(_ descriptor: Int32, from offset: Int, count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if result < 0, errno == EINTR {
                continue
            }
            guard result > 0 else {
                throw failure("reading the file failed", result == 0 ? EIO : errno)
            }
            done += result
        }
        return buffer
    }

    /// Appends each line and a newline, then calls fsync so that the lines survive a crash.
    ///
    /// `hooks` lets tests stop the process between or inside lines; it is nil in normal runs.
    public func append(_ lines: [String], hooks: TestHooks? = nil) throws {
        for line in lines {
            var bytes = Array(line.utf8)
            bytes.append(UInt8(ascii: "\n"))
            if hooks?.reportWillBeWritten() == .tear {
                try write(Array(bytes.prefix(bytes.count / 2)))
                fsync(descriptor)
                TestHooks.killProcess()
            }
            try write(bytes)
        }
        guard fsync(descriptor) == 0 else {
            throw failure("fsync failed", errno)
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            if result < 0, errno == EINTR {
                continue
            }
            guard result > 0 else {
                throw failure("writing a report failed", errno)
            }
            done += result
        }
    }
}
