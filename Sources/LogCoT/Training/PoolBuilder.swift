import Foundation

/// Counts of one `logcot pool build` run.
public struct PoolBuildSummary: Sendable, Equatable {
    public var windows = 0
    /// Windows found in the output files of an earlier run and not sent again.
    public var resumed = 0
    public var labelled = 0
    /// Windows whose answer named no single label.
    public var unlabelled = 0
    /// Windows whose requests failed after retries; a rerun retries them.
    public var failed = 0
    /// Windows without log lines, which are never sent.
    public var empty = 0
}

/// Auto-FSC stage 1: labels unlabelled windows with a zero-shot chain-of-thought dialogue and appends each
/// result to a resumable pool file.
///
/// Windows already in the pool file or in the unlabelled file are skipped, so a killed build continues where
/// it stopped. Up to `concurrency` windows are in flight at once.
public struct PoolBuilder: Sendable {
    public let dialogue: TwoRoundDialogue
    public let concurrency: Int
    public let showProgress: Bool
    private let logger: Logger

    public init(dialogue: TwoRoundDialogue, concurrency: Int, showProgress: Bool, logger: Logger) {
        self.dialogue = dialogue
        self.concurrency = max(1, concurrency)
        self.showProgress = showProgress
        self.logger = logger
    }

    private enum Outcome: Sendable {
        case labelled(PoolRecord)
        case unlabelled(UnlabelledPoolRecord)
        case failed
    }

    /// Runs the dialogue for every window not yet recorded and returns the summary and every pool record,
    /// old and new, in file order.
    public func build(windows: [WindowRecord], poolPath: String, unlabelledPath: String) async throws -> (PoolBuildSummary, [PoolRecord]) {
        let (pool, existing) = try JSONLinesJournal<PoolRecord>.open(path: poolPath, logger: logger)
        let (rejects, existingRejects) = try JSONLinesJournal<UnlabelledPoolRecord>.open(path: unlabelledPath, logger: logger)

        var summary = PoolBuildSummary(windows: windows.count)
        let done = Set(existing.map(\.id)).union(existingRejects.map(\.id))
        var pending: [WindowRecord] = []
        for window in windows {
            if done.contains(window.id) {
                summary.resumed += 1
            } else if window.lines.isEmpty {
                summary.empty += 1
                logger.warning("skipping a window without log lines", ["window": window.id])
            } else {
                pending.append(window)
            }
        }
        logger.info("pool build started", [
            "windows": String(windows.count),
            "resumed": String(summary.resumed),
            "pending": String(pending.count),
            "model": dialogue.client.config.model,
            "prompt_version": dialogue.builder.template.version,
            "out": poolPath,
        ])

        let progress = ProgressBar(label: "pool", total: windows.count - summary.empty, alreadyDone: summary.resumed, enabled: showProgress)
        var records = existing
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var next = 0
            func startNext() {
                guard next < pending.count else {
                    return
                }
                let window = pending[next]
                next += 1
                group.addTask { await label(window) }
            }

            for _ in 0..<concurrency {
                startNext()
            }
            while let outcome = try await group.next() {
                switch outcome {
                case .labelled(let record):
                    try await pool.append(record)
                    records.append(record)
                    summary.labelled += 1
                case .unlabelled(let record):
                    try await rejects.append(record)
                    summary.unlabelled += 1
                case .failed:
                    summary.failed += 1
                }
                progress.advance()
                startNext()
            }
        }
        progress.finish()
        await pool.close()
        await rejects.close()

        logger.info("pool build finished", [
            "labelled": String(summary.labelled),
            "unlabelled": String(summary.unlabelled),
            "failed": String(summary.failed),
            "resumed": String(summary.resumed),
        ])
        return (summary, records)
    }

    /// Runs the zero-shot dialogue for one window.
    private func label(_ window: WindowRecord) async -> Outcome {
        let model = dialogue.client.config.model
        let version = dialogue.builder.template.version
        do {
            let round1 = try dialogue.builder.round1Messages(windowLines: window.lines, examples: [])
            let result = try await dialogue.run(round1: round1, logFields: ["window": window.id])
            guard let label = result.label else {
                let reason = result.unparsedReason ?? "no label"
                logger.warning("pool answer names no single label; the window stays out of the pool", [
                    "window": window.id,
                    "reason": reason,
                    "answer": String(result.answer.prefix(200)),
                ])
                return .unlabelled(UnlabelledPoolRecord(id: window.id, reasoning: result.reasoning, answer: result.answer, reason: reason, model: model, promptVersion: version))
            }
            return .labelled(PoolRecord(id: window.id, lines: window.lines, reasoning: result.reasoning, label: label, model: model, promptVersion: version))
        } catch let error as PromptBuilderError {
            logger.error("pool prompt could not be built", ["window": window.id, "error": error.description])
            return .failed
        } catch {
            // The client has already logged each attempt; this names the window that is left for a rerun.
            logger.error("pool dialogue failed; a rerun retries this window", ["window": window.id, "error": String(describing: error)])
            return .failed
        }
    }
}
