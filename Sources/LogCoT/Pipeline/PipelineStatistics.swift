import Foundation

/// Counters of one pipeline run, for progress lines, the summary and metrics.
public struct PipelineStatistics: Sendable {
    public var linesRead = 0
    public var bytesRead = 0
    public var records = 0
    public var ignored = 0
    public var rejected = 0
    public var truncated = 0
    public var faultsFromTickets = 0
    public var faultsFromTriggers = 0
    public var windowsClosed = 0
    public var reportsWritten = 0
    public var reportsByLabelSource: [String: Int] = [:]
    public var diagnosisSeconds: [Double] = []
    public var llmTokens: [Int] = []

    public init() {}
}
