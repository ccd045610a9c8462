import Foundation

/// The outcome of one evaluated window or response.
public struct EvaluatedCase: Sendable, Equatable {
    public var id: String
    /// The ground-truth label id.
    public var truth: String
    /// The evaluated label id, nil when the answer named no single label.
    public var predicted: String?
    /// The TF-IDF classifier's label id for the same window, nil for scored responses.
    public var baseline: String?
    /// The origin of the evaluated label, nil for scored responses.
    public var labelSource: LabelSource?
    /// Wall-clock seconds of the diagnosis, nil for scored responses.
    public var seconds: Double?
    /// Prompt plus completion tokens over both rounds, nil when the server sent no `usage` object.
    public var tokens: Int?

    public init(id: String, truth: String, predicted: String?, baseline: String? = nil, labelSource: LabelSource? = nil, seconds: Double? = nil, tokens: Int? = nil) {
        self.id = id
        self.truth = truth
        self.predicted = predicted
        self.baseline = baseline
        self.labelSource = labelSource
        self.seconds = seconds
        self.tokens = tokens
    }
}

/// Runs labelled windows through the daemon's TF-IDF analysis and diagnoser, as the pipeline would
/// for windows that close one after another.
///
/// Each window is masked, templated, added to the TF-IDF document frequencies and analysed in file order,
/// as the daemon does, so the TF-IDF label is the baseline at no extra cost. The diagnoser then runs on
/// up to `maxConcurrentDiagnoses` windows at once.
public final class WindowEvaluator {
    public let config: LogCoTConfig
    public let diagnoser: any Diagnoser
    let masker: Masker
    let model: TFIDFModel
    let analyzer: WindowAnalyzer
    let selector: ExampleSelector?
    let logger: Logger
    public let maxConcurrentDiagnoses: Int

    /// Builds the masker and the TF-IDF model from `pool`; the diagnoser defaults to the one `llm` config selects.
    public init(config: LogCoTConfig, pool: ExamplePool, diagnoser: (any Diagnoser)? = nil, logger: Logger) throws {
        let factory = PipelineFactory(config: config, logger: logger)
        self.config = config
        self.logger = logger
        masker = try factory.makeMasker()
        model = try factory.makeModel(store: nil, masker: masker, pool: pool)
        let chosen = try diagnoser ?? factory.makeDiagnoser(pool: pool)
        self.diagnoser = chosen
        analyzer = WindowAnalyzer(labels: config.labels, promptBudgetTokens: config.filtering.promptBudgetTokens, keyTermCount: config.filtering.keyTerms)
        let usesLLM = chosen is LLMDiagnoser
        selector = usesLLM ? ExampleSelector(pool: pool, perClass: config.llm.examplesPerClass, maxExampleTokens: config.llm.maxExampleTokens, masker: masker) : nil
        maxConcurrentDiagnoses = usesLLM ? max(1, config.llm.client.maxConcurrentRequests) : 1
    }

    /// Diagnoses every window and returns the cases in input order; `progress` gets (done, total).
    ///
    /// Windows must be labelled; the caller checks that before.
    public func evaluate(_ windows: [WindowRecord], progress: @Sendable (Int, Int) -> Void = { _, _ in }) async -> [EvaluatedCase] {
        let prepared = windows.map(prepare)
        var cases = [EvaluatedCase?](repeating: nil, count: prepared.count)
        let diagnoser = self.diagnoser
        let limit = maxConcurrentDiagnoses

        await withTaskGroup(of: (Int, EvaluatedCase).self) { group in
            var next = 0
            var done = 0
            func start() {
                let index = next
                let item = prepared[index]
                next += 1
                group.addTask {
                    (index, await Self.diagnose(item, with: diagnoser))
                }
            }
            while next < min(limit, prepared.count) {
                start()
            }
            while let (index, result) = await group.next() {
                cases[index] = result
                done += 1
                progress(done, prepared.count)
                if next < prepared.count {
                    start()
                }
            }
        }
        return cases.map { $0! }
    }

    struct PreparedWindow: Sendable {
        var record: WindowRecord
        var window: FaultWindow
        var analysis: WindowAnalysis
    }

    /// Turns a record into a closed window and analyses it, updating the model as a closing window does.
    func prepare(_ record: WindowRecord) -> PreparedWindow {
        let host = record.host ?? record.id
        let faultTime = record.faultTime.flatMap { TimestampResolver(zone: .gmt).parseISOLike(Substring($0)) } ?? Date(timeIntervalSince1970: 0)
        var window = FaultWindow(
            host: host,
            fault: FaultEvent(host: host, time: faultTime, origin: .ticket, detail: "windows file id \(record.id)"),
            before: config.windowing.before,
            after: config.windowing.after,
            maxLines: config.windowing.maxLinesPerWindow
        )
        // The file keeps line order but no timestamps, so lines get increasing ones before the fault time.
        let start = faultTime.addingTimeInterval(-Double(record.lines.count) / 1000)
        for (offset, text) in record.lines.enumerated() {
            let masked = masker.mask(text, host: record.host)
            window.add(WindowLine(timestamp: start.addingTimeInterval(Double(offset) / 1000), text: masked, template: TemplateMiner.template(of: masked)))
        }

        let termCounts = WindowAnalyzer.termCounts(of: window)
        model.addDocument(termCounts)
        var analysis = analyzer.analyze(window, termCounts: termCounts, model: model)
        if let selector {
            analysis.examples = selector.select(for: analysis.vector, labels: config.labels, model: model)
        }
        // LLM logs and the prompt log name the window by its report id, so the record id is logged beside it.
        logger.debug("window prepared", ["id": record.id, "report_id": window.id, "key_lines": String(analysis.keyLines.count)])
        return PreparedWindow(record: record, window: window, analysis: analysis)
    }

    static func diagnose(_ item: PreparedWindow, with diagnoser: any Diagnoser) async -> EvaluatedCase {
        let clock = ContinuousClock()
        let started = clock.now
        let diagnosis = await diagnoser.diagnose(item.window, analysis: item.analysis)
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        var tokens: Int?
        let rounds = diagnosis.llm?.rounds ?? []
        if rounds.contains(where: { $0.promptTokens != nil || $0.completionTokens != nil }) {
            tokens = rounds.reduce(0) { $0 + ($1.promptTokens ?? 0) + ($1.completionTokens ?? 0) }
        }
        return EvaluatedCase(
            id: item.record.id,
            truth: item.record.label ?? "",
            predicted: diagnosis.label?.id,
            baseline: item.analysis.label.id,
            labelSource: diagnosis.labelSource,
            seconds: seconds,
            tokens: tokens
        )
    }
}
