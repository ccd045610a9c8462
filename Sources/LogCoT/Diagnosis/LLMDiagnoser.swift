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

    /// LLM failures and queue overflows so far, each of which produced a `tfidf-fallback` report.
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
            if Task.isCancelled {
                // A checkpoint gave up waiting and already wrote and counted this window's fallback report.
                logger.info("LLM diagnosis cancelled after its window got a fallback report", ["report_id": window.id])
                return fallback(analysis: analysis, error: "cancelled", counted: false)
            }
            logger.error("LLM diagnosis failed, so the report carries the TF-IDF label", [
                "report_id": window.id,
                "error": error.description,
                "fallbacks": String(failures.value + 1),
            ], rateLimitKey: "llm-fallback")
            return fallback(analysis: analysis, error: error.description)
        }
    }

    /// Labels a window by TF-IDF without asking the LLM, because `waiting` windows already fill
    /// the diagnosis queue. The window counts as a fallback and as a queue overflow.
    public func overflowDiagnosis(_ window: FaultWindow, analysis: WindowAnalysis, waiting: Int) -> Diagnosis {
        Metrics.llm.queueOverflows.increment()
        let message = "the LLM queue was full (\(waiting) windows waiting for a diagnosis), so the LLM was not asked"
        logger.warning("LLM queue full, so the report carries the TF-IDF label", [
            "report_id": window.id,
            "waiting": String(waiting),
            "fallbacks": String(failures.value + 1),
        ], rateLimitKey: "llm-queue-full")
        return fallback(analysis: analysis, error: message)
    }

    /// Labels a window by TF-IDF because a checkpoint waited `seconds` for its LLM diagnosis,
    /// which is still running; counted as a fallback.
    public func checkpointFallback(_ window: FaultWindow, analysis: WindowAnalysis, seconds: TimeInterval) -> Diagnosis {
        let message = "the LLM diagnosis was still running after the checkpoint waited \(DurationText.format(seconds)) (llm.maxCheckpointWait)"
        logger.warning("LLM diagnosis too slow for the checkpoint, so the report carries the TF-IDF label", [
            "report_id": window.id,
            "waited": DurationText.format(seconds),
            "fallbacks": String(failures.value + 1),
        ], rateLimitKey: "llm-checkpoint-wait")
        return fallback(analysis: analysis, error: message)
    }

    private func fallback(analysis: WindowAnalysis, error: String, counted: Bool = true) -> Diagnosis {
        if counted {
            failures.increment()
            Metrics.llm.fallbacks.increment()
        }
        return Diagnosis(
            label: analysis.label,
            labelSource: .tfidfFallback,
            llm: LLMExchange(
                model: model,
                promptVersion: dialogue.builder.template.version,
                poolVersion: poolVersion,
                exampleIDs: analysis.examples.map(\.id),
                rounds: [],
                error: error
            )
        )
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
