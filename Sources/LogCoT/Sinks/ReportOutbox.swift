import Foundation
import Synchronization

/// A sink that keeps reports in memory until the next checkpoint commits them.
///
/// `logcot run` gives this sink to the pipeline, so that no report reaches a file before the state
/// that closed its window is durable; see `ReportDelivery` for the rest of the protocol.
public final class ReportOutbox: ReportSink {
    private let reports = Mutex<[DiagnosisReport]>([])

    public init() {}

    public func write(_ report: DiagnosisReport) async throws {
        reports.withLock { $0.append(report) }
    }

    public func flush() async throws {}

    /// Reports written since the last `takeAll()`.
    public var count: Int {
        reports.withLock { $0.count }
    }

    /// Returns the reports written since the previous call, in order, and empties the outbox.
    public func takeAll() -> [DiagnosisReport] {
        reports.withLock { taken in
            defer { taken.removeAll() }
            return taken
        }
    }
}
