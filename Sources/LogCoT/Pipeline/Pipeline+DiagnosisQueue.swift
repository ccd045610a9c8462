import Foundation

extension Pipeline {
    /// True when a diagnosis is running and the queue still has room, so a checkpoint that is not
    /// forced by `state.checkpointRecords` can wait instead of blocking on the LLM.
    public var canPostponeCheckpoint: Bool {
        queue.hasRunningDiagnoses && !queue.isFull
    }

    /// The largest number of windows that waited for a diagnosis at once.
    public var diagnosisQueueHighWater: Int {
        queue.highWater
    }

    /// Starts diagnosing a closed window, or handles a full queue as the policy sets.
    func submit(_ job: DiagnosisJob) async throws {
        if queue.isFull, queue.policy.whenFull == .fallback, let llm = diagnoser as? LLMDiagnoser {
            try await writeOverflowFallback(job, llm: llm)
            return
        }
        while queue.isFull {
            try await writeOldestPending()
        }

        queue.append(PendingDiagnosis(job: job, diagnoser: diagnoser, clock: clock))
        metricsRecorder.pendingDiagnosesChanged(queue.entries.count)
        if queue.policy.whenFull == .wait {
            while queue.isFull {
                try await writeOldestPending()
            }
        } else {
            try await writeFinishedReports()
        }
    }

    /// Writes a `tfidf-fallback` report at once, ahead of the windows still in the queue.
    private func writeOverflowFallback(_ job: DiagnosisJob, llm: LLMDiagnoser) async throws {
        let diagnosis = llm.overflowDiagnosis(job.window, analysis: job.analysis, waiting: queue.entries.count)
        try await write(job.report(diagnosis), seconds: 0)
        if queue.policy.rediagnose {
            keepForRediagnosis(job)
        }
    }

    /// Writes the reports at the head of the queue whose diagnosis has finished, without waiting.
    func writeFinishedReports() async throws {
        while let first = queue.entries.first, first.isFinished {
            try await writeOldestPending()
        }
    }

    /// Writes the reports that a checkpoint must contain: those of every first diagnosis, waiting
    /// up to `maxCheckpointWait` for running ones.
    ///
    /// A window whose diagnosis still runs after the wait gets a `tfidf-fallback` report now. With
    /// `rediagnose`, its diagnosis goes on and its result becomes a follow-up report; without, it is
    /// cancelled. Follow-up diagnoses stay queued, because the checkpoint already has their window's
    /// first report.
    public func writeReportsForCheckpoint() async throws {
        let waitStarted = ContinuousClock.now
        let deadline = waitStarted + .milliseconds(Int64(queue.policy.maxCheckpointWait * 1_000))
        while queue.hasRunningDiagnoses, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let waited = ContinuousClock.now - waitStarted
        let waitedSeconds = Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18

        var kept: [PendingDiagnosis] = []
        for entry in queue.entries {
            if entry.isFinished {
                try await write(entry)
            } else if entry.isFollowUp {
                kept.append(entry)
            } else if let llm = diagnoser as? LLMDiagnoser {
                let diagnosis = llm.checkpointFallback(entry.job.window, analysis: entry.job.analysis, seconds: waitedSeconds)
                try await write(entry.job.report(diagnosis), seconds: waitedSeconds)
                if queue.policy.rediagnose {
                    kept.append(entry.continuedAsFollowUp())
                } else {
                    entry.task.cancel()
                }
            } else {
                try await write(entry)
            }
        }
        queue.replaceEntries(kept)
        metricsRecorder.pendingDiagnosesChanged(queue.entries.count)
    }

    /// Waits for the oldest diagnosis and writes its report; a failed second diagnosis writes none.
    func writeOldestPending() async throws {
        let entry = queue.removeFirst()
        metricsRecorder.pendingDiagnosesChanged(queue.entries.count)
        try await write(entry)
    }

    /// Waits for `entry`'s diagnosis and writes its report, or handles the end of a second diagnosis.
    private func write(_ entry: PendingDiagnosis) async throws {
        var (report, seconds) = await entry.task.value
        let source = LabelSource(rawValue: report.labelSource) ?? .tfidf
        if diagnoser is LLMDiagnoser {
            queue.noteOutcome(source, now: clock())
        }

        if entry.isFollowUp {
            if report.supersedes == nil {
                // A diagnosis that a checkpoint stopped waiting for was built as a first report.
                report.reportId = DiagnosisJob.followUpID(of: entry.job.window.id)
                report.supersedes = entry.job.window.id
            }
            try await finishRediagnosis(entry.job, report: report, seconds: seconds, source: source)
            return
        }
        try await write(report, seconds: seconds)
        if source == .tfidfFallback, queue.policy.rediagnose {
            keepForRediagnosis(entry.job)
        }
    }

    private func finishRediagnosis(_ job: DiagnosisJob, report: DiagnosisReport, seconds: Double, source: LabelSource) async throws {
        guard source == .tfidfFallback else {
            Metrics.llm.rediagnoses.labels("succeeded").increment()
            logger.info("LLM diagnosed a fallback window again; writing a follow-up report", [
                "report_id": report.reportId, "supersedes": job.supersedes ?? "", "label_source": report.labelSource,
            ])
            try await write(report, seconds: seconds)
            return
        }

        Metrics.llm.rediagnoses.labels("failed").increment()
        var retry = job
        retry.failedAttempts += 1
        guard retry.failedAttempts < DiagnosisQueue.maxRediagnosisAttempts else {
            Metrics.llm.rediagnoses.labels("dropped").increment()
            logger.warning("second diagnosis of a fallback window failed too often; its fallback report is final", [
                "report_id": job.supersedes ?? "", "attempts": String(retry.failedAttempts),
            ])
            return
        }
        keepForRediagnosis(retry)
    }

    private func keepForRediagnosis(_ job: DiagnosisJob) {
        var candidate = job
        candidate.supersedes = candidate.supersedes ?? job.window.id
        if let dropped = queue.addCandidate(candidate) {
            Metrics.llm.rediagnoses.labels("dropped").increment()
            logger.warning("too many fallback windows wait for a second diagnosis; the oldest keeps its fallback report", [
                "report_id": dropped.supersedes ?? "", "max_waiting": String(queue.rediagnosisCapacity),
            ], rateLimitKey: "llm-rediagnosis-dropped")
        }
    }

    /// Starts the second diagnoses that the queue has room for while the LLM looks healthy.
    func startRediagnoses() {
        guard queue.policy.rediagnose else {
            return
        }
        for job in queue.takeRediagnoses(now: clock()) {
            queue.append(PendingDiagnosis(job: job, diagnoser: diagnoser, clock: clock))
        }
        metricsRecorder.pendingDiagnosesChanged(queue.entries.count)
    }

    /// At the end of the input, runs the second diagnoses that the LLM's health allows now.
    func finishRediagnoses() async throws {
        while queue.policy.rediagnose {
            startRediagnoses()
            guard !queue.isEmpty else {
                return
            }
            try await writePendingReports()
        }
    }

    func write(_ report: DiagnosisReport, seconds: Double) async throws {
        try await sink.write(report)
        statistics.reportsWritten += 1
        metricsRecorder.reportWritten(report, diagnosisSeconds: seconds)
        statistics.reportsByLabelSource[report.labelSource, default: 0] += 1
        statistics.diagnosisSeconds.append(seconds)
        if let rounds = report.llm?.rounds {
            let tokens = rounds.reduce(0) { $0 + ($1.promptTokens ?? 0) + ($1.completionTokens ?? 0) }
            statistics.llmTokens.append(tokens)
        }
    }
}
