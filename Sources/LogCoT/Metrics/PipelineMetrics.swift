import Foundation

/// Metrics of the processing chain, from input lines to written reports.
///
/// `Pipeline` updates them through a `PipelineMetricsRecorder`, and other code only reads them.
public struct PipelineMetrics: Sendable {
    /// `source` is the line's origin: a file path, `journald`, or `topic/partition`.
    public let linesRead: CounterFamily
    public let bytesRead: CounterFamily
    public let recordsRead: CounterFamily
    public let linesIgnored: CounterFamily
    public let linesTruncated: CounterFamily
    public let parseRejects: CounterFamily
    public let lateLines: CounterFamily
    public let faultEvents: CounterFamily
    public let windowsOpen: GaugeFamily
    public let windowsClosed: CounterFamily
    public let windowLinesCompacted: CounterFamily
    public let windowLinesDuplicate: CounterFamily
    public let reportsWritten: CounterFamily
    public let diagnosisDuration: HistogramFamily
    public let pendingDiagnoses: GaugeFamily

    /// Bounds from 1 ms for TF-IDF-only diagnoses to 10 minutes for slow LLM dialogues.
    public static let diagnosisBuckets: [Double] = [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]

    init(registry: MetricsRegistry) {
        linesRead = registry.counter("logcot_lines_read_total", help: "Input lines read, before parsing, by source.", labelNames: ["source"])
        bytesRead = registry.counter("logcot_read_bytes_total", help: "Bytes of input lines read, counting one byte per line ending, by source.", labelNames: ["source"])
        recordsRead = registry.counter("logcot_records_read_total", help: "Input lines parsed into log records, by source.", labelNames: ["source"])
        linesIgnored = registry.counter("logcot_lines_ignored_total", help: "Input lines with no log content, such as blank lines and CSV headers, by source.", labelNames: ["source"])
        linesTruncated = registry.counter("logcot_lines_truncated_total", help: "Input lines cut at parsing.maxLineBytes, by source.", labelNames: ["source"])
        parseRejects = registry.counter("logcot_parse_rejects_total", help: "Input lines and tickets that failed to parse and went to the rejects file, by source.", labelNames: ["source"])
        lateLines = registry.counter("logcot_late_lines_total", help: "Lines that arrived after the window they belong to had closed, so no report contains them.")
        faultEvents = registry.counter("logcot_fault_events_total", help: "Fault events received, by origin: ticket (file or topic) or trigger (a rule matched a log line).", labelNames: ["origin"])
        windowsOpen = registry.gauge("logcot_windows_open", help: "Fault windows open now, waiting for their end to pass.")
        windowsClosed = registry.counter("logcot_windows_closed_total", help: "Fault windows closed, by reason: watermark, idle or end-of-input.", labelNames: ["reason"])
        windowLinesCompacted = registry.counter("logcot_window_lines_compacted_total", help: "Window lines past windowing.maxLinesPerWindow, kept only as per-template counts; counted when the window closes.")
        windowLinesDuplicate = registry.counter("logcot_window_lines_duplicate_total", help: "Window lines dropped as exact repeats of a stored line (same timestamp and masked text); counted when the window closes.")
        reportsWritten = registry.counter("logcot_reports_written_total", help: "Diagnosis reports written, by label (none when the LLM named no label) and label source.", labelNames: ["label", "label_source"])
        diagnosisDuration = registry.histogram("logcot_diagnosis_duration_seconds", help: "Time to diagnose one closed window, including every LLM request and retry.", buckets: Self.diagnosisBuckets)
        pendingDiagnoses = registry.gauge("logcot_pending_diagnoses", help: "Closed windows whose diagnosis is running or whose report waits to be written in order.")

        // Series with a fixed label set start at zero, so rate() counts their first increment.
        for origin in [FaultEvent.Origin.ticket, .trigger] {
            _ = faultEvents.labels(origin.rawValue)
        }
        for reason in [WindowCloseReason.watermark, .idle, .endOfInput] {
            _ = windowsClosed.labels(reason.rawValue)
        }
    }
}
