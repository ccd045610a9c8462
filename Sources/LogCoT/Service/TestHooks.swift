import Foundation

/// Crash injection for the tests of `logcot run`, set by environment variables.
///
/// `LOGCOT_TEST_KILL_AT` sends SIGKILL to the process at one point of the checkpoint protocol:
/// - `record:N`: after the Nth record was processed.
/// - `report-committed:N`: after the checkpoint that commits the Nth report.
/// - `report-written:N`: after the Nth report was appended and synced, before it is marked delivered.
/// - `report-torn:N`: halfway through writing the Nth report.
///
/// `LOGCOT_TEST_EXIT_WHEN_CAUGHT_UP=1` stops the daemon as SIGTERM would once it has read every
/// entry and delivered every report. `LOGCOT_TEST_STATE_CHUNK_BYTES=N` splits Kafka state-topic
/// snapshots into records of N bytes, so that small tests write several chunks.
/// `LOGCOT_TEST_SINK_FAILURES=N` makes the first N delivery
/// attempts fail, as an unreachable sink would, and `LOGCOT_TEST_SINK_DELAY_MS=N` makes each attempt
/// take N ms longer, as a slow sink would. `LOGCOT_TEST_FAIL_STATE_WRITES_AT=report-committed:N`
/// makes every state-topic write fail from the checkpoint that commits the Nth report on, as if
/// the state topic became unreachable. Counts start at 1 in each process. Not for production use.
public final class TestHooks {
    public enum KillPoint: Equatable, Sendable {
        case afterRecord(Int)
        case afterReportCommitted(Int)
        case afterReportWritten(Int)
        case insideReport(Int)
    }

    /// The action `ReportFile` takes for the next report.
    public enum WriteAction: Equatable {
        case write
        case tear
    }

    public let killPoint: KillPoint?
    public let exitWhenCaughtUp: Bool
    /// Bytes per state-topic chunk record; nil uses the default.
    public let stateChunkBytes: Int?
    /// Delivery attempts that still fail on purpose.
    public private(set) var sinkFailuresLeft: Int
    /// Extra time that each delivery attempt takes.
    public let sinkDelay: TimeInterval
    /// The report count from whose checkpoint on state-topic writes fail; nil when they do not.
    public let failStateWritesAtReport: Int?
    private var records = 0
    private var reportsCommitted = 0
    private var reportsWritten = 0
    private var reportsStarted = 0

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        exitWhenCaughtUp = environment["LOGCOT_TEST_EXIT_WHEN_CAUGHT_UP"] == "1"
        stateChunkBytes = environment["LOGCOT_TEST_STATE_CHUNK_BYTES"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        sinkFailuresLeft = environment["LOGCOT_TEST_SINK_FAILURES"].flatMap { Int($0) }.map { max(0, $0) } ?? 0
        sinkDelay = Double(environment["LOGCOT_TEST_SINK_DELAY_MS"].flatMap { Int($0) }.map { max(0, $0) } ?? 0) / 1_000
        failStateWritesAtReport = try Self.reportCount(environment["LOGCOT_TEST_FAIL_STATE_WRITES_AT"])
        guard let text = environment["LOGCOT_TEST_KILL_AT"], !text.isEmpty else {
            killPoint = nil
            return
        }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let count = Int(parts[1]), count > 0 else {
            throw TestHookError(value: text)
        }
        switch parts[0] {
        case "record": killPoint = .afterRecord(count)
        case "report-committed": killPoint = .afterReportCommitted(count)
        case "report-written": killPoint = .afterReportWritten(count)
        case "report-torn": killPoint = .insideReport(count)
        default: throw TestHookError(value: text)
        }
    }

    /// True when any hook is set, so that the daemon can log it at start.
    public var isActive: Bool {
        killPoint != nil || exitWhenCaughtUp || stateChunkBytes != nil || sinkFailuresLeft > 0 || sinkDelay > 0
            || failStateWritesAtReport != nil
    }

    /// Returns true, and counts one down, while `LOGCOT_TEST_SINK_FAILURES` attempts are left.
    func takeSinkFailure() -> Bool {
        guard sinkFailuresLeft > 0 else {
            return false
        }
        sinkFailuresLeft -= 1
        return true
    }

    /// True when state-topic writes are to fail (`LOGCOT_TEST_FAIL_STATE_WRITES_AT`).
    var stateWritesFail: Bool {
        failStateWritesAtReport.map { reportsCommitted >= $0 } ?? false
    }

    private static func reportCount(_ text: String?) throws -> Int? {
        guard let text, !text.isEmpty else {
            return nil
        }
        guard text.hasPrefix("report-committed:"), let count = Int(text.dropFirst("report-committed:".count)), count > 0 else {
            throw TestHookError(value: text, variable: "LOGCOT_TEST_FAIL_STATE_WRITES_AT", usage: "report-committed:N")
        }
        return count
    }

    func recordProcessed() {
        records += 1
        if killPoint == .afterRecord(records) {
            Self.killProcess()
        }
    }

    func reportsCommitted(_ count: Int) {
        let before = reportsCommitted
        reportsCommitted += count
        if case .afterReportCommitted(let target)? = killPoint, before < target, reportsCommitted >= target {
            Self.killProcess()
        }
    }

    func reportsWrittenDurably(_ count: Int) {
        let before = reportsWritten
        reportsWritten += count
        if case .afterReportWritten(let target)? = killPoint, before < target, reportsWritten >= target {
            Self.killProcess()
        }
    }

    func reportWillBeWritten() -> WriteAction {
        reportsStarted += 1
        return killPoint == .insideReport(reportsStarted) ? .tear : .write
    }

    static func killProcess() -> Never {
        raise(SIGKILL)
        fatalError("SIGKILL did not stop the process")
    }
}

/// An invalid `LOGCOT_TEST_KILL_AT` value.
public struct TestHookError: Error, CustomStringConvertible {
    public var value: String
    public var variable = "LOGCOT_TEST_KILL_AT"
    public var usage = "record:N, report-committed:N, report-written:N or report-torn:N"

    public var description: String {
        "invalid \(variable) '\(value)'; use \(usage)"
    }
}
