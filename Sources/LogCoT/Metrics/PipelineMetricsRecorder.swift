import Foundation

/// Updates `PipelineMetrics` from one pipeline's events. Like the pipeline, it belongs to one task.
///
/// It caches each source's counters, so counting a line costs one dictionary lookup and a few
/// atomic adds, and it turns the window manager's running totals into counter increments.
public final class PipelineMetricsRecorder {
    public let metrics: PipelineMetrics
    private var sources: [String: SourceCounters] = [:]
    private var lateLinesExported = 0

    struct SourceCounters {
        let linesRead: Counter
        let bytesRead: Counter
        let recordsRead: Counter
        let linesIgnored: Counter
        let linesTruncated: Counter
        let parseRejects: Counter
    }

    public init(metrics: PipelineMetrics) {
        self.metrics = metrics
    }

    func counters(for source: String) -> SourceCounters {
        if let cached = sources[source] {
            return cached
        }
        let created = SourceCounters(
            linesRead: metrics.linesRead.labels(source),
            bytesRead: metrics.bytesRead.labels(source),
            recordsRead: metrics.recordsRead.labels(source),
            linesIgnored: metrics.linesIgnored.labels(source),
            linesTruncated: metrics.linesTruncated.labels(source),
            parseRejects: metrics.parseRejects.labels(source)
        )
        sources[source] = created
        return created
    }

    /// Counts a line as read, before parsing. `bytes` includes one byte for the line ending.
    func lineRead(_ line: RawLine, bytes: Int) {
        let counters = counters(for: line.origin)
        counters.linesRead.increment()
        counters.bytesRead.increment(by: bytes)
        if line.truncated {
            counters.linesTruncated.increment()
        }
    }

    /// Counts a record that a structured source such as journald delivered without a text line to parse.
    func recordDelivered(source: String, bytes: Int) {
        let counters = counters(for: source)
        counters.linesRead.increment()
        counters.bytesRead.increment(by: bytes)
        counters.recordsRead.increment()
    }

    func lineParsed(_ line: RawLine) {
        counters(for: line.origin).recordsRead.increment()
    }

    func lineIgnored(_ line: RawLine) {
        counters(for: line.origin).linesIgnored.increment()
    }

    func lineRejected(_ line: RawLine) {
        counters(for: line.origin).parseRejects.increment()
    }

    func faultReceived(_ origin: FaultEvent.Origin) {
        metrics.faultEvents.labels(origin.rawValue).increment()
    }

    /// Exports the window manager's late-line total and open-window count.
    ///
    /// Counting open windows walks every host, so call this only when windows may have opened or
    /// closed, not after every line.
    func windowsChanged(_ windows: WindowManager) {
        metrics.windowsOpen.set(windows.openCount)
        syncLateLines(windows)
    }

    /// Exports the late-line total, which may grow with any line.
    func syncLateLines(_ windows: WindowManager) {
        if windows.lateLines > lateLinesExported {
            metrics.lateLines.increment(by: windows.lateLines - lateLinesExported)
            lateLinesExported = windows.lateLines
        }
    }

    func windowClosed(_ closed: ClosedWindow) {
        metrics.windowsClosed.labels(closed.reason.rawValue).increment()
        metrics.windowLinesCompacted.increment(by: closed.window.counts.compacted)
        metrics.windowLinesDuplicate.increment(by: closed.window.counts.duplicates)
    }

    func pendingDiagnosesChanged(_ count: Int) {
        metrics.pendingDiagnoses.set(count)
    }

    func reportWritten(_ report: DiagnosisReport, diagnosisSeconds: Double) {
        metrics.reportsWritten.labels(report.label ?? "none", report.labelSource).increment()
        metrics.diagnosisDuration.observe(diagnosisSeconds)
    }
}
