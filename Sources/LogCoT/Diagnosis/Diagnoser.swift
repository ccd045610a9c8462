import Foundation

/// The origin of a report's label.
public enum LabelSource: String, Sendable, Codable {
    /// The LLM named exactly one label.
    case llm
    /// The LLM answered, but its answer named no label or several.
    case llmUnparsed = "llm-unparsed"
    /// The TF-IDF model alone, by configuration.
    case tfidf
    /// The TF-IDF model, because the LLM failed.
    case tfidfFallback = "tfidf-fallback"
}

/// The outcome of diagnosing one window.
public struct Diagnosis: Sendable {
    /// `nil` when the source is `llm-unparsed`.
    public var label: FaultLabel?
    public var labelSource: LabelSource
    public var reasoning: String?
    /// Details of the LLM exchange, when one took place.
    public var llm: LLMExchange?

    public init(label: FaultLabel?, labelSource: LabelSource, reasoning: String? = nil, llm: LLMExchange? = nil) {
        self.label = label
        self.labelSource = labelSource
        self.reasoning = reasoning
        self.llm = llm
    }
}

/// The record of an LLM dialogue that a report carries.
public struct LLMExchange: Sendable, Codable, Equatable {
    public struct Round: Sendable, Codable, Equatable {
        public var latencySeconds: Double
        public var promptTokens: Int?
        public var completionTokens: Int?
        public var attempts: Int

        public init(latencySeconds: Double, promptTokens: Int?, completionTokens: Int?, attempts: Int) {
            self.latencySeconds = latencySeconds
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.attempts = attempts
        }
    }

    public var model: String
    public var promptVersion: String
    public var poolVersion: String
    public var exampleIDs: [String]
    public var rounds: [Round]
    /// The model's round-2 answer as it was written.
    public var answer: String?
    /// The reason the round-2 output named no single label, for `llm-unparsed` reports.
    public var unparsedReason: String?
    /// The error that made the LLM step fail, for `tfidf-fallback` reports.
    public var error: String?

    enum CodingKeys: String, CodingKey {
        // `exampleIds` so that snake_case conversion gives `example_ids`, not `example_i_ds`.
        case model, promptVersion, poolVersion, exampleIDs = "exampleIds", rounds, answer, unparsedReason, error
    }

    public init(model: String, promptVersion: String, poolVersion: String, exampleIDs: [String], rounds: [Round], answer: String? = nil, unparsedReason: String? = nil, error: String? = nil) {
        self.model = model
        self.promptVersion = promptVersion
        self.poolVersion = poolVersion
        self.exampleIDs = exampleIDs
        self.rounds = rounds
        self.answer = answer
        self.unparsedReason = unparsedReason
        self.error = error
    }
}

/// Diagnoses a closed window from its analysis. The LLM diagnoser plugs in here.
public protocol Diagnoser: Sendable {
    /// A short name for logs and the run summary, such as `none` or `llm`.
    var name: String { get }

    func diagnose(_ window: FaultWindow, analysis: WindowAnalysis) async -> Diagnosis
}

/// Labels windows by the TF-IDF model alone (`--llm none`).
public struct TFIDFDiagnoser: Diagnoser {
    public var name: String { "none" }

    public init() {}

    public func diagnose(_ window: FaultWindow, analysis: WindowAnalysis) async -> Diagnosis {
        Diagnosis(label: analysis.label, labelSource: .tfidf)
    }
}
