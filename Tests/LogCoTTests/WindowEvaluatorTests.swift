import Foundation
import Testing
@testable import LogCoT

/// `WindowEvaluator` with the daemon's LLM diagnoser against a scripted chat server on 127.0.0.1.
@Suite struct WindowEvaluatorTests {
    static let pool = ExamplePool(examples: [
        PoolExample(id: "p-cpu", lines: ["Processor CPU0_Status | IERR | Asserted"], reasoning: "The CPU fails.", label: "cpu"),
        PoolExample(id: "p-memory", lines: ["Memory CPU0A1_DIMM_Stat | Uncorrectable ECC | Asserted"], reasoning: "The DIMM fails.", label: "memory"),
        PoolExample(id: "p-other", lines: ["Power Supply PS1_Status | Power Supply AC lost | Asserted"], reasoning: "Power is lost.", label: "other"),
    ], version: "pool@test")

    static let windows = [
        WindowRecord(id: "w-memory", host: "h1", faultTime: "2026-01-02T03:04:05Z", lines: ["Memory CPU1B0_DIMM_Stat | Uncorrectable ECC | Asserted"], label: "memory"),
        WindowRecord(id: "w-cpu", host: "h2", lines: ["Processor CPU1_Status | IERR | Asserted"], label: "cpu"),
    ]

    static func config(_ server: StubHTTPServer) -> LogCoTConfig {
        var config = LogCoTConfig()
        config.masking.secret = "test-secret"
        config.llm.client.baseURL = server.baseURL
        config.llm.client.model = "stub"
        config.llm.client.maxRetries = 0
        // One request at a time, so the scripted responses reach the windows in file order.
        config.llm.client.maxConcurrentRequests = 1
        config.llm.examplesPerClass = 1
        return config
    }

    @Test func llmCasesCarryLabelsAndUsage() async throws {
        let server = try StubHTTPServer(responses: [
            .completion("The DIMM reports an uncorrectable error.", promptTokens: 300, completionTokens: 12),
            .completion(#"{"label": "memory"}"#, promptTokens: 320, completionTokens: 5),
            .completion("Hard to say.", promptTokens: 200, completionTokens: 4),
            .completion("not sure", promptTokens: 210, completionTokens: 2),
        ])
        defer { server.stop() }

        let evaluator = try WindowEvaluator(config: Self.config(server), pool: Self.pool, logger: Logger(label: "test", minimumLevel: .error))
        #expect(evaluator.diagnoser is LLMDiagnoser)
        let cases = await evaluator.evaluate(Self.windows)

        #expect(cases.map(\.id) == ["w-memory", "w-cpu"])
        #expect(cases.map(\.truth) == ["memory", "cpu"])
        #expect(cases[0].predicted == "memory")
        #expect(cases[0].labelSource == .llm)
        #expect(cases[0].tokens == 637)
        #expect(cases[1].predicted == nil)
        #expect(cases[1].labelSource == .llmUnparsed)
        #expect(cases[1].tokens == 416)
        #expect(cases.allSatisfy { ($0.seconds ?? 0) > 0 })
        #expect(cases.map(\.baseline) == ["memory", "cpu"])

        // Round 1 of the first window carries one pool example per class and the window's line.
        let firstPrompt = String(decoding: try #require(server.recordedRequests.first).body, as: UTF8.self)
        #expect(firstPrompt.contains("The DIMM fails."))
        #expect(firstPrompt.contains("CPU1B0_DIMM_Stat | Uncorrectable ECC"))
        #expect(server.recordedRequests.count == 4)
    }

    @Test func llmNoneUsesTFIDF() async throws {
        var config = LogCoTConfig()
        config.masking.secret = "test-secret"
        config.llm.enabled = false
        let evaluator = try WindowEvaluator(config: config, pool: Self.pool, logger: Logger(label: "test", minimumLevel: .error))
        let cases = await evaluator.evaluate(Self.windows)

        #expect(evaluator.diagnoser is TFIDFDiagnoser)
        #expect(cases.map(\.predicted) == ["memory", "cpu"])
        #expect(cases.map(\.labelSource) == [.tfidf, .tfidf])
        #expect(cases.allSatisfy { $0.tokens == nil })
    }
}
