import CSQLite
import Foundation
import Testing

@testable import LogCoT

/// `logcot run` with a corrupt, locked or full state store: each stops with exit status 1 and an
/// error that names the file and the fix, and no report is lost.
@Suite(.serialized, .enabled(if: JournalFixture.journalRemoteAvailable))
struct StateStoreFailureTests {
    /// Writes a journal whose one window (a fault at the second entry) closes at the fourth entry.
    static func writeJournal(in directory: URL) throws -> URL {
        let journal = directory.appendingPathComponent("journal/x.journal")
        try JournalFixture.append(RunCommandTests.fiveEntries, to: journal)
        return journal
    }

    static func writeConfig(in directory: URL, journal: URL, statePath: URL) throws -> URL {
        let config = try RunConfig.write(
            in: directory,
            journald: "directory: \"\(journal.deletingLastPathComponent().path)\", startAt: \"head\", waitTimeout: \"200ms\"",
            extra: RunCommandTests.shortWindows)
        // RunConfig puts the state file in the directory; these tests choose its place.
        let text = try String(contentsOf: config, encoding: .utf8)
            .replacingOccurrences(of: directory.appendingPathComponent("state.sqlite").path, with: statePath.path)
        try text.write(to: config, atomically: true, encoding: .utf8)
        return config
    }

    @Test func runRejectsGarbageStateFile() throws {
        let directory = try TestSupport.temporaryDirectory()
        let journal = try Self.writeJournal(in: directory)
        let state = directory.appendingPathComponent("state.sqlite")
        try Data((0..<16_384).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: state)
        let config = try Self.writeConfig(in: directory, journal: journal, statePath: state)

        let daemon = try RunCommandTests.runUntilCaughtUp(config, in: directory)
        #expect(daemon.process.terminationStatus == 1, "stderr: \(daemon.stderr)")
        #expect(daemon.stderr.contains("state store \(state.path)"), "stderr: \(daemon.stderr)")
        #expect(daemon.stderr.contains("the file is corrupt"), "stderr: \(daemon.stderr)")
        #expect(daemon.stderr.contains("move it aside"), "stderr: \(daemon.stderr)")
        #expect(RunConfig.reportLineCount(in: directory) == 0)
    }

    /// A valid header with damaged pages passes the open and fails `PRAGMA quick_check`.
    @Test func runRejectsDamagedPages() throws {
        let directory = try TestSupport.temporaryDirectory()
        let journal = try Self.writeJournal(in: directory)
        let state = directory.appendingPathComponent("state.sqlite")
        let config = try Self.writeConfig(in: directory, journal: journal, statePath: state)
        let first = try RunCommandTests.runUntilCaughtUp(config, in: directory)
        #expect(first.process.terminationStatus == 0, "stderr: \(first.stderr)")
        #expect(RunConfig.reportLineCount(in: directory) == 1)

        // Pages 2 to 6 become 0xFF bytes, which is no valid b-tree page type.
        let handle = try FileHandle(forWritingTo: state)
        try handle.seek(toOffset: 4_096)
        try handle.write(contentsOf: Data(repeating: 0xFF, count: 5 * 4_096))
        try handle.close()

        let second = try RunCommandTests.runUntilCaughtUp(config, in: directory)
        #expect(second.process.terminationStatus == 1, "stderr: \(second.stderr)")
        #expect(second.stderr.contains("state store \(state.path)"), "stderr: \(second.stderr)")
        #expect(second.stderr.contains("corrupt"), "stderr: \(second.stderr)")
        #expect(second.stderr.contains("move it aside"), "stderr: \(second.stderr)")
        #expect(RunConfig.reportLineCount(in: directory) == 1, "no report is written again from a state file that failed its check")
    }

    /// The test process holds an exclusive lock on the file: logcot waits the busy timeout, then
    /// stops and names the lock. Once the lock is gone, the same file works and the report is written.
    @Test func runStopsOnLockedStateFile() throws {
        let directory = try TestSupport.temporaryDirectory()
        let journal = try Self.writeJournal(in: directory)
        let state = directory.appendingPathComponent("state.sqlite")
        let config = try Self.writeConfig(in: directory, journal: journal, statePath: state)

        var holder: SQLiteDatabase? = try SQLiteDatabase(path: state.path)
        try holder?.execute("PRAGMA locking_mode=EXCLUSIVE")
        try holder?.execute("CREATE TABLE IF NOT EXISTS lock_holder (x)")
        try holder?.execute("BEGIN EXCLUSIVE")
        try holder?.execute("INSERT INTO lock_holder VALUES (1)")

        let locked = try RunCommandTests.runUntilCaughtUp(config, in: directory)
        #expect(locked.process.terminationStatus == 1, "stderr: \(locked.stderr)")
        #expect(locked.stderr.contains("state store \(state.path)"), "stderr: \(locked.stderr)")
        #expect(locked.stderr.contains("locked by another process after waiting 5 s"), "stderr: \(locked.stderr)")
        #expect(locked.stderr.contains("fuser \(state.path)"), "stderr: \(locked.stderr)")
        #expect(RunConfig.reportLineCount(in: directory) == 0)

        try holder?.execute("ROLLBACK")
        holder = nil
        let unlocked = try RunCommandTests.runUntilCaughtUp(config, in: directory)
        #expect(unlocked.process.terminationStatus == 0, "stderr: \(unlocked.stderr)")
        #expect(RunConfig.reportLineCount(in: directory) == 1)
    }

    /// The state file on a 1 MiB tmpfs that fills up while logcot runs: the checkpoint fails, logcot
    /// stops with the disk named, and after space is freed the restart writes the report once.
    /// Mounting needs root, which CI has.
    @Test(.enabled(if: TestSupport.isCI || getuid() == 0)) func runStopsOnFullDisk() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let journal = directory.appendingPathComponent("journal/x.journal")
        try JournalFixture.append([RunCommandTests.fiveEntries[0]], to: journal)
        let mountPoint = directory.appendingPathComponent("small-fs")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        try Self.runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.path])
        defer { try? Self.runTool("/bin/umount", [mountPoint.path]) }
        let state = mountPoint.appendingPathComponent("state.sqlite")
        let config = try Self.writeConfig(in: directory, journal: journal, statePath: state)

        let daemon = try DaemonProcess(config: config, directory: directory)
        let started = await DaemonProcess.waitUntil(timeout: 30) { daemon.stderr.contains("logcot run started") }
        #expect(started, "stderr: \(daemon.stderr)")
        let filler = mountPoint.appendingPathComponent("filler")
        let freeBefore = try Self.fillFileSystem(with: filler)
        #expect(freeBefore > 0)
        try JournalFixture.append(Array(RunCommandTests.fiveEntries[1...]), to: journal)

        let exited = await daemon.waitForExit(seconds: 30)
        #expect(exited, "logcot kept running on a full disk; stderr: \(daemon.stderr)")
        #expect(daemon.process.terminationStatus == 1, "stderr: \(daemon.stderr)")
        #expect(daemon.stderr.contains("state store \(state.path)"), "stderr: \(daemon.stderr)")
        #expect(daemon.stderr.contains("the disk is full"), "stderr: \(daemon.stderr)")
        #expect(RunConfig.reportLineCount(in: directory) == 0, "a report is written only after its checkpoint")

        try FileManager.default.removeItem(at: filler)
        let restarted = try RunCommandTests.runUntilCaughtUp(config, in: directory)
        #expect(restarted.process.terminationStatus == 0, "stderr: \(restarted.stderr)")
        #expect(RunConfig.reportLineCount(in: directory) == 1, "the window is reported once after space is freed")
    }

    @Test func hintNamesFullDiskForNoSpaceIOError() {
        let full = StateStoreError.hint(status: SQLITE_FULL, systemErrno: 0, path: "/s")
        #expect(full.contains("the disk is full"))
        let ioNoSpace = StateStoreError.hint(status: SQLITE_IOERR | (4 << 8), systemErrno: ENOSPC, path: "/s")
        #expect(ioNoSpace.contains("the disk is full"))
        let ioOther = StateStoreError.hint(status: SQLITE_IOERR, systemErrno: EIO, path: "/s")
        #expect(ioOther.contains("I/O error"))
        #expect(!ioOther.contains("disk is full"))
        let busy = StateStoreError.hint(status: SQLITE_BUSY, systemErrno: 0, path: "/s")
        #expect(busy.contains("fuser /s"))
    }

    /// Writes zeros to `file` until the file system is full; returns the bytes written.
    static func fillFileSystem(with file: URL) throws -> Int {
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let descriptor = open(file.path, O_WRONLY)
        guard descriptor >= 0 else {
            throw TestFailure("cannot open \(file.path): errno \(errno)")
        }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0, count: 4_096)
        var written = 0
        while true {
            let count = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else {
                break
            }
            written += count
        }
        return written
    }

    static func runTool(_ path: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("\(path) \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)")
        }
    }
}
