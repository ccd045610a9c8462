import Foundation

/// Diagnoses a fault window with few-shot chain-of-thought prompting in two rounds.
///
/// Round 1 sends the task, labels, examples and window with the cue "Let's think step by step." and keeps the
/// model's reasoning. Round 2 resends that conversation with the reasoning and the cue "Therefore, the answer is",
/// restricted by the label constraint, and reads the label with `LabelParser`.
public struct ChainOfThoughtDiagnoser: Sendable {
    public let client: ChatClient
    public let builder: PromptBuilder
    public let constraint: LabelConstraint
    private let parser: LabelParser
    private let logger: any DiagnosisLogger
    /// Receives every prompt before it is sent, when set.
    public let promptLog: PromptLog?

    public init(
        client: ChatClient,
        builder: PromptBuilder,
        constraint: LabelConstraint,
        logger: any DiagnosisLogger = StandardErrorDiagnosisLogger(),
        promptLog: PromptLog? = nil
    ) {
        self.promptLog = promptLog
        self.client = client
        self.builder = builder
        self.constraint = constraint
        self.parser = LabelParser(labels: builder.labels)
        self.logger = logger
    }

    public var labels: LabelSet {
        builder.labels
    }

    /// Runs both rounds for one window.
    ///
    /// - Parameters:
    ///   - windowLines: The window's kept log lines, in order.
    ///   - examples: The few-shot examples, in prompt order.
    ///   - windowID: An id added to log events, such as the window's host and start time.
    /// - Throws: `DiagnosisError.requestFailed` when a round fails after retries, so the caller can fall back.
    ///   An answer that names no label is not an error: it returns `labelSource == .llmUnparsed`.
    public func diagnose(windowLines: [String], examples: [PoolExample], windowID: String = "") async throws(DiagnosisError) -> LLMDiagnosis {
        let round1: [ChatMessage]
        do {
            round1 = try builder.round1Messages(windowLines: windowLines, examples: examples)
        } catch {
            logger.log("error", "diagnosis prompt could not be built", ["window": windowID, "error": error.description])
            throw .invalidPrompt(error)
        }

        let reasoning = try await runRound(1, messages: round1, maxTokens: client.config.maxReasoningTokens, constraint: .none, windowID: windowID)
        if reasoning.finishReason == "length" {
            logger.log("warning", "diagnosis reasoning hit the token limit and was cut", [
                "window": windowID,
                "max_reasoning_tokens": String(client.config.maxReasoningTokens),
            ])
        }

        let round2 = builder.round2Messages(round1: round1, reasoning: reasoning.text, constraint: constraint)
        let answer = try await runRound(
            2,
            messages: round2,
            maxTokens: client.config.maxAnswerTokens,
            constraint: constraint.responseConstraint(for: labels),
            windowID: windowID
        )

        let label: FaultLabel?
        let unparsedReason: String?
        switch parser.parse(answer.text) {
        case .label(let parsed):
            label = parsed
            unparsedReason = nil
        case .unparsed(let reason):
            label = nil
            unparsedReason = reason
            logger.log("warning", "diagnosis answer names no single label", [
                "window": windowID,
                "constraint": constraint.rawValue,
                "reason": reason,
                "answer": String(answer.text.prefix(200)),
            ])
        }

        let diagnosis = LLMDiagnosis(
            reasoning: reasoning.text,
            answer: answer.text,
            label: label,
            labelSource: label == nil ? .llmUnparsed : .llm,
            unparsedReason: unparsedReason,
            rounds: [RoundStats(reasoning), RoundStats(answer)],
            model: client.config.model,
            promptVersion: builder.template.version,
            labelConstraint: constraint,
            exampleIDs: examples.map(\.id)
        )
        logger.log("info", "diagnosis finished", [
            "window": windowID,
            "label": label?.id ?? "none",
            "label_source": diagnosis.labelSource.rawValue,
            "latency_seconds": String(format: "%.3f", reasoning.latencySeconds + answer.latencySeconds),
        ])
        return diagnosis
    }

    private func runRound(
        _ round: Int,
        messages: [ChatMessage],
        maxTokens: Int,
        constraint: ResponseConstraint,
        windowID: String
    ) async throws(DiagnosisError) -> ChatCompletion {
        promptLog?.record(windowID: windowID, round: round, messages: messages)
        do {
            return try await client.complete(
                messages,
                maxTokens: maxTokens,
                constraint: constraint,
                logFields: ["window": windowID, "round": String(round)]
            )
        } catch {
            // The client has already logged the failure with its attempts.
            throw .requestFailed(round: round, error: error)
        }
    }
}
