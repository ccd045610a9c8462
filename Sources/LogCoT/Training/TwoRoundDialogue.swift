import Foundation

/// The outcome of one two-round chain-of-thought dialogue.
public struct DialogueResult: Sendable, Equatable {
    /// Round 1 messages as sent, ending with the step-by-step cue.
    public var round1: [ChatMessage]
    public var reasoning: String
    /// Round 2's user message, ending with "Therefore, the answer is".
    public var answerCue: String
    public var answer: String
    /// The label id that `LabelParser` read from the answer, or nil.
    public var label: String?
    /// Why the answer named no single label, when `label` is nil.
    public var unparsedReason: String?
}

/// Runs round 1 (reasoning) and round 2 (label) of a chain-of-thought dialogue over one chat client.
///
/// Unlike `ChainOfThoughtDiagnoser`, it takes round 1's messages from the caller, so the offline commands can
/// send the zero-shot, example-induced and label-induced prompts through the same two rounds.
public struct TwoRoundDialogue: Sendable {
    public let client: ChatClient
    public let builder: PromptBuilder
    public let constraint: LabelConstraint
    private let parser: LabelParser

    public init(client: ChatClient, builder: PromptBuilder, constraint: LabelConstraint) {
        self.client = client
        self.builder = builder
        self.constraint = constraint
        parser = LabelParser(labels: builder.labels)
    }

    /// Sends `round1`, then the reasoning with the answer cue, and parses the label.
    public func run(round1: [ChatMessage], logFields: [String: String]) async throws(ChatClientError) -> DialogueResult {
        var fields = logFields
        fields["round"] = "1"
        let reasoning = try await client.complete(round1, maxTokens: client.config.maxReasoningTokens, logFields: fields)

        let round2 = builder.round2Messages(round1: round1, reasoning: reasoning.text, constraint: constraint)
        fields["round"] = "2"
        let answer = try await client.complete(
            round2,
            maxTokens: client.config.maxAnswerTokens,
            constraint: constraint.responseConstraint(for: builder.labels),
            logFields: fields
        )

        var result = DialogueResult(
            round1: round1,
            reasoning: reasoning.text.trimmingCharacters(in: .whitespacesAndNewlines),
            answerCue: round2[round2.count - 1].content,
            answer: answer.text,
            label: nil,
            unparsedReason: nil
        )
        switch parser.parse(answer.text) {
        case .label(let label):
            result.label = label.id
        case .unparsed(let reason):
            result.unparsedReason = reason
        }
        return result
    }
}
