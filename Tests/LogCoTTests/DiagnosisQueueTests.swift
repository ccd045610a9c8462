import Foundation
import Synchronization
import Testing

@testable import LogCoT

/// The bounded diagnosis queue of `logcot run` against a stub LLM server that is down, fails,
/// hangs or times out while 100 windows close at once.
@Suite struct DiagnosisQueueTests {
    static let windowCount = 100
    static let faultTime = Date(timeIntervalSince1970: 1_700_000_000)

    actor MemorySink: ReportSink {
        var reports: [DiagnosisReport] = []

        func write(_ report: DiagnosisReport) async throws {
            reports.append(report)
        }

        func flush() async throws {}
    }

    /// A wall clock that a test moves by hand.
    final class ManualClock: Sendable {
        private let now = Mutex(DiagnosisQueueTests.faultTime)

        func advance(by seconds: TimeInterval) {
            now.withLock { $0 = $0.addingTimeInterval(seconds) }
        }

        var date: Date {
            now.withLock { $0 }
        }
    }

    struct Setup {
        let pipeline: Pipeline
        let sink: MemorySink
        let diagnoser: LLMDiagnoser
        let clock: ManualClock
    }

    private func makeSetup(
        baseURL: URL, capacity: Int, concurrency: Int, timeout: Duration = .seconds(30), rediagnose: Bool = false, checkpointWait: TimeInterval = 30
    ) throws -> Setup {
        let logger = Logger(label: "test", minimumLevel: .error)
        var config = LogCoTConfig()
        config.windowing.before = 60
        config.windowing.after = 60
        config.llm.examplesPerClass = 0
        let clientConfig = LLMClientConfig(
            baseURL: baseURL, model: "stub", requestTimeout: timeout, maxConcurrentRequests: concurrency, maxRetries: 0,
            initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(10)
        )
        let client = try ChatClient(config: clientConfig, environment: [:], logger: logger)
        let dialogue = ChainOfThoughtDiagnoser(client: client, builder: PromptBuilder(labels: config.labels), constraint: .jsonSchema, logger: logger)
        let diagnoser = LLMDiagnoser(dialogue: dialogue, model: "stub", poolVersion: "pool@test", logger: logger)

        let factory = PipelineFactory(config: config, logger: logger)
        let masker = try factory.makeMasker()
        let sink = MemorySink()
        let pipeline = Pipeline(
            config: config, masker: masker, model: try factory.makeModel(store: nil, masker: masker, pool: BuiltinPool.pool), modelStore: nil,
            diagnoser: diagnoser, sink: sink, rejects: nil, triggersEnabled: false, maxConcurrentDiagnoses: concurrency,
            queuePolicy: DiagnosisQueuePolicy(capacity: capacity, whenFull: .fallback, rediagnose: rediagnose, maxCheckpointWait: checkpointWait),
            logger: logger, metrics: LogCoTMetrics(registry: MetricsRegistry()).pipeline
        )
        let clock = ManualClock()
        pipeline.clock = { clock.date }
        return Setup(pipeline: pipeline, sink: sink, diagnoser: diagnoser, clock: clock)
    }

    /// Opens one window per host, each with two lines, then lets them all close as idle at once.
    private func closeWindows(_ setup: Setup, count: Int = windowCount) async throws {
        for index in 0..<count {
            let host = "node-\(index)"
            try await setup.pipeline.addFault(FaultEvent(host: host, time: Self.faultTime, origin: .ticket, detail: "ticket \(index)"))
            for (offset, text) in ["Memory DIMM_A1 | Uncorrectable ECC | Asserted", "System Boot Initiated | warm reset"].enumerated() {
                let time = Self.faultTime.addingTimeInterval(Double(offset))
                try await setup.pipeline.process(LogRecord(host: host, timestamp: time, timestampText: "t", message: text))
            }
        }
        setup.clock.advance(by: 3_600)
        try await setup.pipeline.tick()
    }

    private func fallbackErrors(_ reports: [DiagnosisReport]) -> [String] {
        reports.filter { $0.labelSource == LabelSource.tfidfFallback.rawValue }.compactMap { $0.llm?.error }
    }

    @Test func hungServerFallsBackAtOnce() async throws {
        let server = try StubHTTPServer(responses: [.completion("The DIMM fails first."), .completion(#"{"label": "memory"}"#)])
        defer { server.stop() }
        server.holdRequests()
        let setup = try makeSetup(baseURL: server.baseURL, capacity: 4, concurrency: 2)

        try await closeWindows(setup)

        let early = await setup.sink.reports
        #expect(early.count == Self.windowCount - 4, "windows past the queue get their reports before the LLM answers")
        #expect(early.allSatisfy { $0.labelSource == "tfidf-fallback" })
        #expect(fallbackErrors(early).allSatisfy { $0.contains("LLM queue was full") })
        #expect(setup.pipeline.diagnosisQueueHighWater == 4)

        server.releaseHeldRequests()
        try await setup.pipeline.finish()
        let reports = await setup.sink.reports
        #expect(reports.count == Self.windowCount)
        #expect(Set(reports.map(\.reportId)).count == Self.windowCount)
        #expect(reports.filter { $0.labelSource == "llm" }.count == 4)
        #expect(setup.diagnoser.fallbackCount == Self.windowCount - 4)
        #expect(server.maxConcurrentRequests <= 2)
    }

    @Test func serverDownCountsEveryFallback() async throws {
        let port = try ReservedPort()
        defer { port.close() }
        let setup = try makeSetup(baseURL: URL(string: "http://127.0.0.1:\(port.port)/v1")!, capacity: 4, concurrency: 2)

        try await closeWindows(setup)
        try await setup.pipeline.finish()

        let reports = await setup.sink.reports
        #expect(reports.count == Self.windowCount)
        #expect(reports.allSatisfy { $0.labelSource == "tfidf-fallback" })
        #expect(setup.diagnoser.fallbackCount == Self.windowCount)
        #expect(setup.pipeline.diagnosisQueueHighWater <= 4)
    }

    @Test func serverErrorsCountEveryFallback() async throws {
        let server = try StubHTTPServer(responses: [.error(500, "model crashed")])
        defer { server.stop() }
        let setup = try makeSetup(baseURL: server.baseURL, capacity: 4, concurrency: 2)

        try await closeWindows(setup)
        try await setup.pipeline.finish()

        let reports = await setup.sink.reports
        #expect(reports.count == Self.windowCount)
        #expect(setup.diagnoser.fallbackCount == Self.windowCount)
        #expect(fallbackErrors(reports).contains { $0.contains("500") })
        #expect(setup.pipeline.diagnosisQueueHighWater <= 4)
        #expect(server.recordedRequests.count <= 4, "a full queue sends no request")
    }

    @Test func slowServerTimesOut() async throws {
        let server = try StubHTTPServer(responses: [.completion("late", delay: .seconds(5))])
        defer { server.stop() }
        let setup = try makeSetup(baseURL: server.baseURL, capacity: 2, concurrency: 2, timeout: .seconds(1))

        try await closeWindows(setup)
        try await setup.pipeline.finish()

        let reports = await setup.sink.reports
        let errors = fallbackErrors(reports)
        #expect(reports.count == Self.windowCount)
        #expect(setup.diagnoser.fallbackCount == Self.windowCount)
        #expect(errors.filter { $0.contains("LLM queue was full") }.count == Self.windowCount - 2)
        #expect(errors.filter { !$0.contains("LLM queue was full") }.count == 2, "the two queued windows time out")
    }

    @Test func rediagnosisWritesFollowUps() async throws {
        let server = try StubHTTPServer(responses: [
            .error(500, "loading model"), .error(500, "loading model"),
            .completion("The DIMM fails first."), .completion(#"{"label": "memory"}"#),
        ])
        defer { server.stop() }
        let setup = try makeSetup(baseURL: server.baseURL, capacity: 2, concurrency: 2, rediagnose: true)

        try await closeWindows(setup, count: 4)
        try await setup.pipeline.writePendingReports()
        #expect(await setup.sink.reports.count == 4)

        setup.clock.advance(by: DiagnosisQueue.probeInterval + 1)
        try await setup.pipeline.finish()

        let reports = await setup.sink.reports
        let firsts = reports.filter { $0.supersedes == nil }
        let followUps = reports.filter { $0.supersedes != nil }
        #expect(firsts.count == 4)
        #expect(firsts.allSatisfy { $0.labelSource == "tfidf-fallback" })
        #expect(followUps.count == 4)
        #expect(Set(followUps.compactMap(\.supersedes)) == Set(firsts.map(\.reportId)))
        for report in followUps {
            #expect(report.reportId == DiagnosisJob.followUpID(of: report.supersedes ?? ""))
            #expect(report.labelSource == "llm")
        }
    }

    @Test func checkpointStopsWaitingAndCancels() async throws {
        let server = try StubHTTPServer(responses: [.completion("The DIMM fails first."), .completion(#"{"label": "memory"}"#)])
        defer { server.stop() }
        server.holdRequests()
        let setup = try makeSetup(baseURL: server.baseURL, capacity: 2, concurrency: 2, checkpointWait: 0.2)

        try await closeWindows(setup, count: 2)
        try await setup.pipeline.writeReportsForCheckpoint()

        let reports = await setup.sink.reports
        #expect(reports.count == 2)
        #expect(fallbackErrors(reports).allSatisfy { $0.contains("llm.maxCheckpointWait") })
        #expect(setup.pipeline.queue.isEmpty, "without rediagnose the running dialogues are cancelled")

        server.releaseHeldRequests()
        try await setup.pipeline.finish()
        #expect(await setup.sink.reports.count == 2)
        #expect(setup.diagnoser.fallbackCount == 2, "a cancelled dialogue is not counted again")
    }

    @Test func checkpointContinuesAsFollowUp() async throws {
        let server = try StubHTTPServer(responses: [.completion("The DIMM fails first."), .completion(#"{"label": "memory"}"#)])
        defer { server.stop() }
        server.holdRequests()
        let setup = try makeSetup(baseURL: server.baseURL, capacity: 2, concurrency: 2, rediagnose: true, checkpointWait: 0.2)

        try await closeWindows(setup, count: 2)
        try await setup.pipeline.writeReportsForCheckpoint()
        let firsts = await setup.sink.reports
        #expect(firsts.count == 2)
        #expect(setup.pipeline.queue.entries.count == 2)
        let allFollowUps = setup.pipeline.queue.entries.allSatisfy { $0.isFollowUp }
        #expect(allFollowUps)
        #expect(!setup.pipeline.canPostponeCheckpoint, "a later checkpoint does not wait for follow-ups")

        server.releaseHeldRequests()
        try await setup.pipeline.finish()
        let followUps = await setup.sink.reports.filter { $0.supersedes != nil }
        #expect(followUps.count == 2)
        #expect(Set(followUps.compactMap(\.supersedes)) == Set(firsts.map(\.reportId)))
        for report in followUps {
            #expect(report.reportId == DiagnosisJob.followUpID(of: report.supersedes ?? ""))
            #expect(report.labelSource == "llm")
        }
        #expect(setup.diagnoser.fallbackCount == 2)
    }

    @Test func followUpIDIsStable() {
        let id = "0123456789abcdef0123456789abcdef"
        #expect(DiagnosisJob.followUpID(of: id) == DiagnosisJob.followUpID(of: id))
        #expect(DiagnosisJob.followUpID(of: id) != id)
        #expect(DiagnosisJob.followUpID(of: id).count == 32)
    }

    @Test func queueKeysParsed() throws {
        let text = #"{llm: {maxQueuedWindows: 16, rediagnose: true, maxCheckpointWait: "5s"}}"#
        let config = try LogCoTConfig.parse(Data(text.utf8), source: "test")
        #expect(config.llm.maxQueuedWindows == 16)
        #expect(config.llm.rediagnose)
        #expect(config.llm.maxCheckpointWait == 5)
    }

    @Test func longCheckpointWaitRejected() {
        #expect(throws: ConfigError.self) {
            try LogCoTConfig.parse(Data(#"{llm: {maxCheckpointWait: "10m"}}"#.utf8), source: "test")
        }
    }

    @Test func queueBoundBelowConcurrencyRejected() {
        let text = #"{llm: {maxQueuedWindows: 1, maxConcurrentRequests: 4}}"#
        #expect(throws: ConfigError.self) {
            try LogCoTConfig.parse(Data(text.utf8), source: "test")
        }
    }
}

/// The bounds of the second-diagnosis list.
@Suite struct RediagnosisListTests {
    @Test func oldestCandidateDropped() throws {
        let queue = DiagnosisQueue(policy: DiagnosisQueuePolicy(capacity: 1, whenFull: .fallback, rediagnose: true))
        let masker = try Masker(secret: "s")
        let builder = ReportBuilder(labels: .serverDefault, masker: masker, includeRoutingHost: false)
        var dropped: [String] = []
        for index in 0...queue.rediagnosisCapacity {
            let fault = FaultEvent(host: "h\(index)", time: Date(timeIntervalSince1970: 1_000), origin: .ticket, detail: "t")
            let window = FaultWindow(host: "h\(index)", fault: fault, before: 10, after: 10, maxLines: 10)
            let analysis = WindowAnalyzer(labels: .serverDefault, promptBudgetTokens: 100, keyTermCount: 1)
                .analyze(window, termCounts: [:], model: TFIDFModel())
            let job = DiagnosisJob(window: window, reason: .idle, analysis: analysis, builder: builder, supersedes: window.id)
            if let old = queue.addCandidate(job) {
                dropped.append(old.window.host)
            }
        }
        #expect(dropped == ["h0"])
        #expect(queue.candidates.count == queue.rediagnosisCapacity)
    }

    @Test func unhealthyLLMProbesOneWindow() throws {
        let queue = DiagnosisQueue(policy: DiagnosisQueuePolicy(capacity: 4, whenFull: .fallback, rediagnose: true))
        let masker = try Masker(secret: "s")
        let builder = ReportBuilder(labels: .serverDefault, masker: masker, includeRoutingHost: false)
        for index in 0..<3 {
            let fault = FaultEvent(host: "h\(index)", time: Date(timeIntervalSince1970: 1_000), origin: .ticket, detail: "t")
            let window = FaultWindow(host: "h\(index)", fault: fault, before: 10, after: 10, maxLines: 10)
            let analysis = WindowAnalyzer(labels: .serverDefault, promptBudgetTokens: 100, keyTermCount: 1)
                .analyze(window, termCounts: [:], model: TFIDFModel())
            _ = queue.addCandidate(DiagnosisJob(window: window, reason: .idle, analysis: analysis, builder: builder, supersedes: window.id))
        }
        let now = Date(timeIntervalSince1970: 5_000)
        queue.noteOutcome(.tfidfFallback, now: now)

        #expect(queue.takeRediagnoses(now: now).isEmpty, "no probe before the probe interval")
        #expect(queue.takeRediagnoses(now: now.addingTimeInterval(DiagnosisQueue.probeInterval)).count == 1)
        queue.noteOutcome(.llm, now: now)
        #expect(queue.takeRediagnoses(now: now).count == 2)
    }
}
