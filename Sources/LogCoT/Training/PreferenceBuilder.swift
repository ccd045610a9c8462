import Foundation

/// Counts of one `logcot prefs build` run.
public struct PreferenceBuildSummary: Sendable, Equatable {
    public var windows = 0
    /// Windows found in the samples file of an earlier run and not sent again.
    public var resumed = 0
    /// Windows without a label or without lines, which cannot be graded.
    public var skipped = 0
    public var completed = 0
    /// Windows with a request that failed after retries; a rerun retries them.
    public var failed = 0
    public var good = 0
    public var bad = 0
    public var unscored = 0
}

/// LLMf-IPO data: candidate models answer labelled windows, an evaluator model grades the answers, and good
/// and bad answers to the same prompt form preference pairs.
///
/// Each candidate answers every window `samplesPerMode` times with the example-induced prompt (the few-shot
/// prompt the daemon sends) and as often with the label-induced prompt (the same prompt plus the correct
/// label, asking the model to explain it). A response whose parsed label is wrong or missing is bad without
/// asking the evaluator. Otherwise the evaluator's score decides: at or above `goodThreshold` is good.
/// Each finished window is appended to a resumable samples file.
public struct PreferenceBuilder: Sendable {
    public let candidates: [TwoRoundDialogue]
    public let evaluator: ResponseEvaluator
    public let builder: PromptBuilder
    /// The few-shot examples of each window id, as `FewShotPlanner` chooses them. A window without an
    /// entry gets a prompt without examples.
    public let examplesByWindow: [String: [PoolExample]]
    public let samplesPerMode: Int
    /// The lowest evaluator score, from 1 to 10, that makes a correctly labelled response good.
    public let goodThreshold: Int
    public let showProgress: Bool
    private let logger: Logger

    public init(
        candidates: [TwoRoundDialogue],
        evaluator: ResponseEvaluator,
        builder: PromptBuilder,
        examplesByWindow: [String: [PoolExample]],
        samplesPerMode: Int,
        goodThreshold: Int,
        showProgress: Bool,
        logger: Logger
    ) {
        self.candidates = candidates
        self.evaluator = evaluator
        self.builder = builder
        self.examplesByWindow = examplesByWindow
        self.samplesPerMode = samplesPerMode
        self.goodThreshold = goodThreshold
        self.showProgress = showProgress
        self.logger = logger
    }

    /// The line appended to the example-induced prompt's last user message to make it label-induced.
    /// Placeholders: `{code}`, `{id}`, `{description}`.
    public static let labelHint = "The correct category of the main error is {code} ({id}: {description}). Explain step by step why these logs show it."

    /// Grades every labelled window not yet in the samples file and returns the summary and all window
    /// records, old and new, in file order.
    public func build(windows: [WindowRecord], samplesPath: String) async throws -> (PreferenceBuildSummary, [PreferenceWindowRecord]) {
        let (journal, existing) = try JSONLinesJournal<PreferenceWindowRecord>.open(path: samplesPath, logger: logger)
        var summary = PreferenceBuildSummary(windows: windows.count)
        let done = Set(existing.map(\.id))

        var pending: [(WindowRecord, FaultLabel)] = []
        for window in windows {
            if done.contains(window.id) {
                summary.resumed += 1
            } else if let id = window.label, let truth = builder.labels.label(id: id), !window.lines.isEmpty {
                pending.append((window, truth))
            } else {
                summary.skipped += 1
                logger.warning("skipping a window without a label or without lines", ["window": window.id])
            }
        }
        logger.info("preference build started", [
            "windows": String(windows.count),
            "resumed": String(summary.resumed),
            "pending": String(pending.count),
            "candidates": candidates.map(\.client.config.model).joined(separator: ","),
            "evaluator": evaluator.client.config.model,
            "samples_per_mode": String(samplesPerMode),
        ])

        let progress = ProgressBar(label: "prefs", total: windows.count - summary.skipped, alreadyDone: summary.resumed, enabled: showProgress)
        var records = existing
        for (window, truth) in pending {
            do {
                let record = try await grade(window, truth: truth)
                try await journal.append(record)
                records.append(record)
                summary.completed += 1
                for sample in record.samples {
                    switch sample.verdict {
                    case .good: summary.good += 1
                    case .bad: summary.bad += 1
                    case .unscored: summary.unscored += 1
                    }
                }
            } catch let error as OutputJournalError {
                throw error
            } catch {
                summary.failed += 1
                logger.error("preference window failed; a rerun retries it", ["window": window.id, "error": String(describing: error)])
            }
            progress.advance()
        }
        progress.finish()
        await journal.close()

        logger.info("preference build finished", [
            "completed": String(summary.completed),
            "failed": String(summary.failed),
            "good": String(summary.good),
            "bad": String(summary.bad),
            "unscored": String(summary.unscored),
        ])
        return (summary, records)
    }

    /// Samples every candidate in both modes for one window and grades each response.
    func grade(_ window: WindowRecord, truth: FaultLabel) async throws -> PreferenceWindowRecord {
        let prompt = try builder.round1Messages(windowLines: window.lines, examples: examplesByWindow[window.id] ?? [])
        let labelPrompt = Self.labelInduced(prompt, truth: truth)

        var jobs: [(candidate: TwoRoundDialogue, mode: PromptingMode, index: Int)] = []
        for candidate in candidates {
            for mode in [PromptingMode.exampleInduced, .labelInduced] {
                for index in 0..<samplesPerMode {
                    jobs.append((candidate, mode, index))
                }
            }
        }

        let samples = try await withThrowingTaskGroup(of: (Int, PreferenceSample).self) { group in
            for (position, job) in jobs.enumerated() {
                group.addTask {
                    let round1 = job.mode == .exampleInduced ? prompt : labelPrompt
                    let fields = ["window": window.id, "mode": job.mode.rawValue, "sample": String(job.index)]
                    let result = try await job.candidate.run(round1: round1, logFields: fields)
                    let sample = try await judge(result, model: job.candidate.client.config.model, mode: job.mode, window: window, truth: truth, logFields: fields)
                    return (position, sample)
                }
            }
            var collected: [(Int, PreferenceSample)] = []
            for try await item in group {
                collected.append(item)
            }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return PreferenceWindowRecord(
            id: window.id,
            label: truth.id,
            prompt: prompt,
            samples: samples,
            evaluatorModel: evaluator.client.config.model,
            evaluatorPromptVersion: ResponseEvaluator.promptVersion
        )
    }

    /// Applies the always-bad rule for wrong labels, then the evaluator's score.
    private func judge(_ result: DialogueResult, model: String, mode: PromptingMode, window: WindowRecord, truth: FaultLabel, logFields: [String: String]) async throws -> PreferenceSample {
        var sample = PreferenceSample(model: model, mode: mode, reasoning: result.reasoning, answerCue: result.answerCue, answer: result.answer, label: result.label, score: nil, verdict: .bad, reason: "")
        guard let label = result.label else {
            sample.reason = "no label: \(result.unparsedReason ?? "unparsed")"
            return sample
        }
        guard label == truth.id else {
            sample.reason = "wrong label \(label)"
            return sample
        }

        var fields = logFields
        fields["role"] = "evaluator"
        guard let score = try await evaluator.score(window: window, truth: truth, reasoning: result.reasoning, answer: result.answer, logFields: fields) else {
            logger.warning("evaluator answer contains no score; the response is left out of the pairs", fields, rateLimitKey: "evaluator-no-score")
            sample.verdict = .unscored
            sample.reason = "no score"
            return sample
        }
        sample.score = score
        sample.verdict = score >= goodThreshold ? .good : .bad
        sample.reason = "score \(score)"
        return sample
    }

    /// Returns the prompt with the correct label and the request to explain it added to the last user message.
    static func labelInduced(_ prompt: [ChatMessage], truth: FaultLabel) -> [ChatMessage] {
        var messages = prompt
        guard let last = messages.indices.last(where: { messages[$0].role == .user }) else {
            return messages
        }
        let hint = PlaceholderRenderer.render(labelHint, ["code": String(truth.code), "id": truth.id, "description": truth.description])
        messages[last].content += "\n" + hint
        return messages
    }
}
