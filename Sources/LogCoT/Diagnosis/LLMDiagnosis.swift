import Foundation


/// Latency, token usage and attempts of one round.
public struct RoundStats: Sendable, Hashable, Codable {
    public var latencySeconds: Double
    /// Nil when the server sent no `usage` object.
    public var promptTokens: Int?
    /// Nil when the server sent no `usage` object.
    public var completionTokens: Int?
    public var attempts: Int
    /// The server's `finish_reason`, such as `stop`, or `length` when the round hit its token limit.
    public var finishReason: String?

    public init(latencySeconds: Double, promptTokens: Int?, completionTokens: Int?, attempts: Int, finishReason: String?) {
        self.latencySeconds = latencySeconds
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.attempts = attempts
        self.finishReason = finishReason
    }

    init(_ completion: ChatCompletion) {
        self.init(
            latencySeconds: completion.latencySeconds,
            promptTokens: completion.promptTokens,
            completionTokens: completion.completionTokens,
            attempts: completion.attempts,
            finishReason: completion.finishReason
        )
    }
}

/// The result of a two-round chain-of-thought diagnosis of one window.
public struct LLMDiagnosis: Sendable, Hashable, Codable {
    /// The model's round 1 output.
    public var reasoning: String
    /// The model's round 2 output, from which the label was read.
    public var answer: String
    /// The label, nil when `labelSource` is `llmUnparsed`.
    public var label: FaultLabel?
    public var labelSource: LabelSource
    /// The reason that no label was read, nil when `label` is set.
    public var unparsedReason: String?
    /// Stats of round 1 and round 2, in that order.
    public var rounds: [RoundStats]
    /// The model name from the client config.
    public var model: String
    public var promptVersion: String
    public var labelConstraint: LabelConstraint
    /// Ids of the few-shot examples in the prompt, in prompt order.
    public var exampleIDs: [String]

    public init(
        reasoning: String,
        answer: String,
        label: FaultLabel?,
        labelSource: LabelSource,
        unparsedReason: String?,
        rounds: [RoundStats],
        model: String,
        promptVersion: String,
        labelConstraint: LabelConstraint,
        exampleIDs: [String]
    ) {
        self.reasoning = reasoning
        self.answer = answer
        self.label = label
        self.labelSource = labelSource
        self.unparsedReason = unparsedReason
        self.rounds = rounds
        self.model = model
        self.promptVersion = promptVersion
        self.labelConstraint = labelConstraint
        self.exampleIDs = exampleIDs
    }
}

/// A diagnosis that produced no model answer. The caller falls back to another labeler.
public enum DiagnosisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The prompt could not be built from the window and examples.
    case invalidPrompt(PromptBuilderError)
    /// A chat completions call failed, after retries where the failure was transient.
    case requestFailed(round: Int, error: ChatClientError)

    public var description: String {
        switch self {
        case .invalidPrompt(let error):
            "diagnosis prompt could not be built: \(error)"
        case .requestFailed(let round, let error):
            "diagnosis round \(round) failed: \(error)"
        }
    }
}
