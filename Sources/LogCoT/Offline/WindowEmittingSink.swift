import Foundation

/// A report sink that also writes each report's window to a windows file, then passes the report on.
///
/// The window's lines are the key lines as the LLM prompt shows them: masked, filtered by TF-IDF and
/// marked with their repeat count. The id is the report id, the host its pseudonym, and no label is
/// written, because the report's label is a prediction, not ground truth. Windows without key lines
/// are left out, since they give a pool nothing to learn from.
public actor WindowEmittingSink: ReportSink {
    public let next: any ReportSink
    public let writer: WindowFileWriter
    public private(set) var skippedEmpty = 0
    private let logger: Logger

    public init(next: any ReportSink, writer: WindowFileWriter, logger: Logger) {
        self.next = next
        self.writer = writer
        self.logger = logger
    }

    public func write(_ report: DiagnosisReport) async throws {
        if report.keyLines.isEmpty {
            skippedEmpty += 1
            logger.debug("window has no key lines, so it is not written to the windows file", ["report_id": report.reportId])
        } else {
            try writer.write(Self.record(of: report))
        }
        try await next.write(report)
    }

    public func flush() async throws {
        try await next.flush()
    }

    /// Converts a report to its windows-file record.
    public static func record(of report: DiagnosisReport) -> WindowRecord {
        WindowRecord(
            id: report.reportId,
            host: report.host,
            faultTime: report.fault.time,
            lines: report.keyLines.map { LLMDiagnoser.promptLine($0.text, count: $0.count) }
        )
    }
}
