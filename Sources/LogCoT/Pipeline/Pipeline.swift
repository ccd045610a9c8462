import Foundation

/// The daemon's processing chain: parse, mask, template, window, TF-IDF filter, diagnose, report.
///
/// Sources feed lines and fault events in; closed windows come out as reports on the sink. One task
/// owns a pipeline. Diagnoses of closed windows run concurrently, up to `queuePolicy.capacity`
/// windows at once, and their reports are written in the order the windows closed. A window that
/// finds the queue full either waits or gets a `tfidf-fallback` report at once, by the policy.
public final class Pipeline {
    public internal(set) var config: LogCoTConfig
    public let masker: Masker
    public let windows: WindowManager
    public let model: TFIDFModel
    public let analyzer: WindowAnalyzer
    public let diagnoser: any Diagnoser
    public let sink: any ReportSink
    public let rejects: RejectsWriter?
    public let logger: Logger
    public internal(set) var triggersEnabled: Bool
    public let maxConcurrentDiagnoses: Int
    /// Chooses few-shot examples; nil when the diagnoser needs none.
    public let exampleSelector: ExampleSelector?
    public internal(set) var statistics = PipelineStatistics()
    /// Exports this pipeline's counts to Prometheus metrics as they change.
    public let metricsRecorder: PipelineMetricsRecorder
    /// The wall clock, replaceable in tests.
    public var clock: @Sendable () -> Date = { Date() }

    private let modelStore: ModelStore?
    let queue: DiagnosisQueue

    public init(
        config: LogCoTConfig,
        masker: Masker,
        model: TFIDFModel,
        modelStore: ModelStore?,
        diagnoser: any Diagnoser,
        sink: any ReportSink,
        rejects: RejectsWriter?,
        triggersEnabled: Bool,
        maxConcurrentDiagnoses: Int = 1,
        queuePolicy: DiagnosisQueuePolicy? = nil,
        exampleSelector: ExampleSelector? = nil,
        logger: Logger,
        metrics: PipelineMetrics = Metrics.pipeline
    ) {
        self.config = config
        self.masker = masker
        self.windows = WindowManager(config: config.windowing)
        self.model = model
        self.modelStore = modelStore
        self.analyzer = WindowAnalyzer(labels: config.labels, promptBudgetTokens: config.filtering.promptBudgetTokens, keyTermCount: config.filtering.keyTerms)
        self.diagnoser = diagnoser
        self.sink = sink
        self.rejects = rejects
        self.triggersEnabled = triggersEnabled
        self.maxConcurrentDiagnoses = max(1, maxConcurrentDiagnoses)
        self.queue = DiagnosisQueue(policy: queuePolicy ?? DiagnosisQueuePolicy(capacity: maxConcurrentDiagnoses, whenFull: .wait))
        self.exampleSelector = exampleSelector
        self.logger = logger
        self.metricsRecorder = PipelineMetricsRecorder(metrics: metrics)
    }

    /// Parses one raw line and processes the record, or counts and keeps the reject.
    ///
    /// Returns the parse result, so that a caller can see the record's host or the reject's reason.
    @discardableResult
    public func ingest(_ line: RawLine, parser: any LineParser) async throws -> ParseResult {
        statistics.linesRead += 1
        statistics.bytesRead += line.text.utf8.count + 1
        metricsRecorder.lineRead(line, bytes: line.text.utf8.count + 1)
        if line.truncated {
            statistics.truncated += 1
        }

        let result = parser.parse(line)
        switch result {
        case .record(let record):
            metricsRecorder.lineParsed(line)
            try await process(record)
        case .ignored:
            statistics.ignored += 1
            metricsRecorder.lineIgnored(line)
        case .rejected(let error):
            try reject(line, error)
        }
        return result
    }

    /// Counts a line that failed to parse and writes it to the rejects file.
    public func reject(_ line: RawLine, _ error: ParseError) throws {
        statistics.rejected += 1
        metricsRecorder.lineRejected(line)
        if let host = error.host {
            windows.addRejected(host: host)
        }
        try rejects?.write(line, reason: error.reason)
        logger.debug("rejected line", ["origin": line.origin, "position": String(line.position), "reason": error.reason])
    }

    /// Counts a record from a structured source (one that needs no parsing, such as journald), then processes it.
    public func process(_ record: LogRecord, source: String) async throws {
        statistics.linesRead += 1
        statistics.bytesRead += record.message.utf8.count + 1
        metricsRecorder.recordDelivered(source: source, bytes: record.message.utf8.count + 1)
        try await process(record)
    }

    /// Masks, windows and trigger-checks one record.
    public func process(_ record: LogRecord) async throws {
        statistics.records += 1
        let masked = masker.mask(record.message, host: record.host)
        let line = WindowLine(timestamp: record.timestamp, text: masked, template: TemplateMiner.template(of: masked))

        var closed = windows.add(host: record.host, line: line, arrival: clock())
        metricsRecorder.syncLateLines(windows)
        if triggersEnabled, let rule = config.faults.rules.first(where: { $0.matches(record) }) {
            statistics.faultsFromTriggers += 1
            metricsRecorder.faultReceived(.trigger)
            closed += windows.addFault(FaultEvent(host: record.host, time: record.timestamp, origin: .trigger, detail: rule.name))
            metricsRecorder.windowsChanged(windows)
        }
        try await handle(closed)
    }

    /// Opens a window for a fault event from a ticket file or topic.
    ///
    /// `countsAsInput` makes the event reset its host's idle timeout, as a log line does.
    public func addFault(_ fault: FaultEvent, countsAsInput: Bool = false) async throws {
        if fault.origin == .ticket {
            statistics.faultsFromTickets += 1
            metricsRecorder.faultReceived(.ticket)
        }
        let closed = windows.addFault(fault, arrival: countsAsInput ? clock() : nil)
        metricsRecorder.windowsChanged(windows)
        try await handle(closed)
    }

    /// Closes windows on hosts that went idle; call it periodically from a live source.
    public func tick() async throws {
        try await handle(windows.closeIdle(now: clock()))
        try await writeFinishedReports()
        startRediagnoses()
    }

    /// Closes every open window, waits for all diagnoses, writes the reports and saves the model.
    public func finish() async throws {
        try await handle(windows.closeAll())
        try await writePendingReports()
        try await finishRediagnoses()
        try await sink.flush()
        try saveModel()
    }

    /// Waits for every running diagnosis and writes its report, without closing open windows.
    public func writePendingReports() async throws {
        while !queue.isEmpty {
            try await writeOldestPending()
        }
    }

    public func saveModel() throws {
        try modelStore?.save(model)
    }

    private func handle(_ closed: [ClosedWindow]) async throws {
        if !closed.isEmpty {
            metricsRecorder.windowsChanged(windows)
        }
        for item in closed {
            statistics.windowsClosed += 1
            metricsRecorder.windowClosed(item)
            let termCounts = WindowAnalyzer.termCounts(of: item.window)
            model.addDocument(termCounts)
            var analysis = analyzer.analyze(item.window, termCounts: termCounts, model: model)
            if let exampleSelector {
                analysis.examples = exampleSelector.select(for: analysis.vector, labels: config.labels, model: model)
            }

            let builder = ReportBuilder(labels: config.labels, masker: masker, includeRoutingHost: config.masking.routingHost)
            try await submit(DiagnosisJob(window: item.window, reason: item.reason, analysis: analysis, builder: builder))
        }
    }
}
