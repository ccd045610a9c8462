import Foundation

/// Assembles the report of one window from its analysis and diagnosis.
public struct ReportBuilder: Sendable {
    public let labels: LabelSet
    public let masker: Masker
    public let includeRoutingHost: Bool

    public func build(window: FaultWindow, reason: WindowCloseReason, analysis: WindowAnalysis, diagnosis: Diagnosis) -> DiagnosisReport {
        let label = diagnosis.label
        return DiagnosisReport(
            schemaVersion: DiagnosisReport.schemaVersion,
            reportId: window.id,
            host: masker.pseudonym(.host, window.host),
            routingHost: includeRoutingHost ? window.host : nil,
            fault: .init(time: RFC3339.format(window.fault.time), origin: window.fault.origin.rawValue, detail: window.fault.detail),
            window: .init(start: RFC3339.format(window.start), end: RFC3339.format(window.end), closedBy: reason.rawValue, extensions: window.extensions),
            label: label?.id,
            labelCode: label?.code,
            labelDescription: label?.description,
            labelSource: diagnosis.labelSource.rawValue,
            scores: Dictionary(uniqueKeysWithValues: labels.labels.map { ($0.id, Self.rounded(analysis.scores[$0.id] ?? 0)) }),
            reasoning: diagnosis.reasoning,
            keyLines: analysis.keyLines.map {
                .init(text: $0.text, count: $0.count, first: RFC3339.format($0.first), last: RFC3339.format($0.last), score: Self.rounded($0.score))
            },
            keyTerms: analysis.keyTerms.map { .init(term: $0.term, weight: Self.rounded($0.weight), label: $0.label) },
            lineCounts: .init(
                seen: window.counts.seen,
                stored: window.counts.stored,
                compacted: window.counts.compacted,
                kept: analysis.keyLines.reduce(0) { $0 + $1.count },
                outOfOrder: window.counts.outOfOrder,
                rejected: window.counts.rejected,
                duplicates: window.counts.duplicates
            ),
            models: .init(
                tfidfRevision: analysis.modelRevision,
                tfidfDocuments: analysis.modelDocuments,
                tfidfExamples: analysis.modelExamples,
                templates: TemplateMiner.version,
                masking: Masker.version
            ),
            promptCost: .init(keptTokens: analysis.keptTokens, rawTokens: analysis.rawTokens),
            llm: diagnosis.llm
        )
    }

    static func rounded(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }
}
