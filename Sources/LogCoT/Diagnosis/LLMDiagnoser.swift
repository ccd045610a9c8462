import Foundation
import Synchronization

/// Diagnoses windows with the two-round few-shot chain-of-thought dialogue, and falls back to the
/// TF-IDF label (`tfidf-fallback`) when the LLM server fails after its retries.
public struct LLMDiagnoser: Diagnoser {
    public var name: String { "llm" }

    public let dialogue: ChainOfThoughtDiagnoser
    public let model: String
    public let poolVersion: String
    let logger: Logger
    let failures: FailureCounter

    public init(dialogue: ChainOfThoughtDiagnoser, model: String, poolVersion: String, logger: Logger) {
        self.dialogue = dialogue
        self.model = model
        self.poolVersion = poolVersion
        self.logger = logger
        self.failures = FailureCounter()
    }

    /// LLM failures so far, each of which produced a `tfidf-fallback` report.
    public var fallbackCount: Int {
        failures.value
    }

    public func diagnose(_ window: FaultWindow, analysis: WindowAnalysis) async -> Diagnosis {
        let examples = analysis.examples
        do {
            let result = try await dialogue.diagnose(windowLines: Self.promptLines(analysis.keyLines), examples: examples, windowID: window.id)
            return Diagnosis(
                label: result.label,
                labelSource: result.labelSource,
                reasoning: result.reasoning,
                llm: LLMExchange(
                    model: model,
                    promptVersion: result.promptVersion,
                    poolVersion: poolVersion,
                    exampleIDs: result.exampleIDs,
                    rounds: result.rounds.map(Self.round),
                    answer: result.answer,
                    unparsedReason: result.unparsedReason
                )
            )
        } catch {
            failures.increment()
            Metrics.llm.fallbacks.increment()
            logger.error("LLM diagnosis failed, so the report carries the TF-IDF label", [
                "report_id": window.id,
                "error": error.description,
                "fallbacks": String(failures.value),
            ], rateLimitKey: "llm-fallback")
            return Diagnosis(
                label: analysis.label,
                labelSource: .tfidfFallback,
                llm: LLMExchange(
                    model: model,
                    promptVersion: dialogue.builder.template.version,
                    poolVersion: poolVersion,
                    exampleIDs: examples.map(\.id),
                    rounds: [],
                    error: error.description
                )
            )
        }
    }

    /// Renders key lines for the prompt, noting how often a template repeated.
    static func promptLines(_ keyLines: [KeyLine]) -> [String] {
        keyLines.map { promptLine($0.text, count: $0.count) }
    }

    /// Renders one key line as the prompt shows it.
    static func promptLine(_ text: String, count: Int) -> String {
        count > 1 ? "\(text) (repeated \(count) times)" : text
    }

    static func round(_ stats: RoundStats) -> LLMExchange.Round {
        LLMExchange.Round(latencySeconds: stats.latencySeconds, promptTokens: stats.promptTokens, completionTokens: stats.completionTokens, attempts: stats.attempts)
    }
}

/// A thread-safe counter.
final class FailureCounter: Sendable {
    private let count = Mutex(0)

    func increment() {
        count.withLock { $0 += 1 }
    }

    var value: Int {
        count.withLock { $0 }
    }
}
