import Foundation

/// The metrics of one labeller over a set of cases, as `logcot eval` prints and writes them.
public struct EvaluationSummary: Sendable, Encodable {
    /// `llm`, `tfidf` or `responses`.
    public var name: String
    public var cases: Int
    public var metrics: ClassificationMetrics
    /// Cases whose answer named no single label.
    public var unparsed: Int
    /// Cases where the LLM failed and the TF-IDF label stood in (`tfidf-fallback`).
    public var fallbacks: Int
    /// Seconds per case; nil when no case was timed, as for scored responses and the baseline.
    public var latency: SampleSummary?
    /// Prompt plus completion tokens per case; nil when no case reported usage.
    public var tokens: SampleSummary?

    /// Summarises the evaluated labels of `cases`.
    public init(name: String, cases: [EvaluatedCase], labels: LabelSet) {
        self.init(name: name, truth: cases.map(\.truth), predicted: cases.map(\.predicted), labels: labels)
        fallbacks = cases.filter { $0.labelSource == .tfidfFallback }.count
        let seconds = cases.compactMap(\.seconds)
        latency = seconds.isEmpty ? nil : SampleSummary(seconds)
        let tokenCounts = cases.compactMap(\.tokens).map(Double.init)
        tokens = tokenCounts.isEmpty ? nil : SampleSummary(tokenCounts)
    }

    /// Summarises the TF-IDF labels of `cases`.
    public init(baselineOf cases: [EvaluatedCase], labels: LabelSet) {
        self.init(name: "tfidf", truth: cases.map(\.truth), predicted: cases.map(\.baseline), labels: labels)
    }

    init(name: String, truth: [String], predicted: [String?], labels: LabelSet) {
        self.name = name
        self.cases = truth.count
        self.metrics = ClassificationMetrics(confusion: ConfusionMatrix(labels: labels.ids, truth: truth, predicted: predicted))
        self.unparsed = predicted.filter { $0 == nil }.count
        self.fallbacks = 0
    }

    enum CodingKeys: String, CodingKey {
        case name, cases, accuracy, macroF1 = "macro_f1", weightedF1 = "weighted_f1", unparsed, fallbacks
        case perClass = "per_class", confusion, latency, tokens
    }

    enum ConfusionKeys: String, CodingKey {
        case labels, columns, rows
    }

    enum SampleKeys: String, CodingKey {
        case count, mean, p95
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(cases, forKey: .cases)
        try container.encode(roundedScore(metrics.accuracy), forKey: .accuracy)
        try container.encode(roundedScore(metrics.macroF1), forKey: .macroF1)
        try container.encode(roundedScore(metrics.weightedF1), forKey: .weightedF1)
        try container.encode(unparsed, forKey: .unparsed)
        try container.encode(fallbacks, forKey: .fallbacks)
        let perClass = metrics.perClass.mapValues {
            ClassScores(precision: roundedScore($0.precision), recall: roundedScore($0.recall), f1: roundedScore($0.f1), support: $0.support, predicted: $0.predicted)
        }
        try container.encode(perClass, forKey: .perClass)

        var confusion = container.nestedContainer(keyedBy: ConfusionKeys.self, forKey: .confusion)
        let matrix = metrics.confusion
        try confusion.encode(matrix.labels, forKey: .labels)
        try confusion.encode(matrix.labels + ["unparsed"], forKey: .columns)
        try confusion.encode(matrix.labels.indices.map { matrix.counts[$0] + [matrix.unparsed[$0]] }, forKey: .rows)

        try encodeSample(latency, forKey: .latency, in: &container)
        try encodeSample(tokens, forKey: .tokens, in: &container)
    }

    private func encodeSample(_ sample: SampleSummary?, forKey key: CodingKeys, in container: inout KeyedEncodingContainer<CodingKeys>) throws {
        guard let sample else {
            try container.encodeNil(forKey: key)
            return
        }
        var nested = container.nestedContainer(keyedBy: SampleKeys.self, forKey: key)
        try nested.encode(sample.count, forKey: .count)
        try nested.encode(roundedScore(sample.mean), forKey: .mean)
        try nested.encode(roundedScore(sample.p95), forKey: .p95)
    }
}

/// Rounds a score to 6 decimals, so the JSON shows 0.375 and not 0.37500000000000006.
func roundedScore(_ value: Double) -> Double {
    (value * 1_000_000).rounded() / 1_000_000
}

/// The split that produced the test cases, for the report.
public struct SplitDescription: Sendable, Encodable {
    public var seed: UInt64
    public var poolFraction: Double
    public var preferenceFraction: Double
    public var pool: Int
    public var preference: Int
    public var test: Int
    /// Labels whose first window moved into the pool so that every class has an example.
    public var addedForCoverage: [String]

    public init(_ split: DatasetSplit, seed: UInt64, poolFraction: Double, preferenceFraction: Double) {
        self.seed = seed
        self.poolFraction = poolFraction
        self.preferenceFraction = preferenceFraction
        pool = split.pool.count
        preference = split.preference.count
        test = split.test.count
        addedForCoverage = split.addedForCoverage
    }

    enum CodingKeys: String, CodingKey {
        case seed, poolFraction = "pool_fraction", preferenceFraction = "preference_fraction", pool, preference, test
        case addedForCoverage = "added_for_coverage"
    }
}

/// A whole `logcot eval` result: the evaluated labeller's metrics at the top level, then the input, the
/// split, the baseline's metrics and the gain over it.
public struct EvaluationReport: Sendable, Encodable {
    public var primary: EvaluationSummary
    public var input: String
    /// The diagnoser's model, or nil for scored responses and `--llm none`.
    public var model: String?
    public var split: SplitDescription?
    public var baseline: EvaluationSummary?

    public init(primary: EvaluationSummary, input: String, model: String?, split: SplitDescription?, baseline: EvaluationSummary?) {
        self.primary = primary
        self.input = input
        self.model = model
        self.split = split
        self.baseline = baseline
    }

    /// The evaluated labeller's score minus the baseline's, for accuracy, macro-F1 and weighted-F1.
    public var gain: [String: Double]? {
        guard let baseline else {
            return nil
        }
        return [
            "accuracy": roundedScore(primary.metrics.accuracy - baseline.metrics.accuracy),
            "macro_f1": roundedScore(primary.metrics.macroF1 - baseline.metrics.macroF1),
            "weighted_f1": roundedScore(primary.metrics.weightedF1 - baseline.metrics.weightedF1),
        ]
    }

    enum ExtraKeys: String, CodingKey {
        case input, model, split, baseline, gain
    }

    public func encode(to encoder: Encoder) throws {
        try primary.encode(to: encoder)
        var container = encoder.container(keyedBy: ExtraKeys.self)
        try container.encode(input, forKey: .input)
        try container.encode(model, forKey: .model)
        try container.encode(split, forKey: .split)
        try container.encode(baseline, forKey: .baseline)
        try container.encode(gain, forKey: .gain)
    }

    /// Encodes the report as pretty-printed JSON with sorted keys.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
