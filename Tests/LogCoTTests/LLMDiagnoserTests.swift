import Foundation
import Testing

@testable import LogCoT

/// The diagnosis step as the pipeline uses it: example selection, the dialogue and the fallback.
@Suite struct LLMDiagnoserTests {
    private func window() -> FaultWindow {
        var window = FaultWindow(host: "h1", fault: FaultEvent(host: "h1", time: Date(timeIntervalSince1970: 10_000), origin: .ticket, detail: "t"), before: 1_000, after: 100, maxLines: 100)
        for (index, text) in ["Memory CPU0A1_DIMM_Stat | Uncorrectable ECC | Asserted", "System Boot Initiated | warm reset | Asserted"].enumerated() {
            window.add(WindowLine(timestamp: Date(timeIntervalSince1970: Double(9_500 + index)), text: text, template: TemplateMiner.template(of: text)))
        }
        return window
    }

    private func analysis(for window: FaultWindow) -> WindowAnalysis {
        let model = TFIDFModel()
        var analysis = WindowAnalyzer(labels: .serverDefault, promptBudgetTokens: 500, keyTermCount: 5)
            .analyze(window, termCounts: WindowAnalyzer.termCounts(of: window), model: model)
        analysis.examples = [BuiltinPool.examples[2]]
        return analysis
    }

    private func diagnoser(_ server: StubHTTPServer, maxRetries: Int) throws -> LLMDiagnoser {
        let config = LLMClientConfig(baseURL: server.baseURL, model: "stub", maxRetries: maxRetries, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(10))
        let logger = Logger(label: "test", minimumLevel: .error)
        let client = try ChatClient(config: config, environment: [:], logger: logger)
        let dialogue = ChainOfThoughtDiagnoser(client: client, builder: PromptBuilder(labels: .serverDefault), constraint: .jsonSchema, logger: logger)
        return LLMDiagnoser(dialogue: dialogue, model: "stub", poolVersion: "pool@test", logger: logger)
    }

    @Test func labelledByLLM() async throws {
        let server = try StubHTTPServer(responses: [
            .completion("The uncorrectable ECC error on the DIMM comes first.", promptTokens: 300, completionTokens: 12),
            .completion(#"{"label": "memory"}"#, promptTokens: 320, completionTokens: 5),
        ])
        defer { server.stop() }
        let window = window()
        let diagnosis = try await diagnoser(server, maxRetries: 0).diagnose(window, analysis: analysis(for: window))

        #expect(diagnosis.labelSource == .llm)
        #expect(diagnosis.label?.id == "memory")
        #expect(diagnosis.reasoning == "The uncorrectable ECC error on the DIMM comes first.")
        #expect(diagnosis.llm?.exampleIDs == ["builtin-memory-1"])
        #expect(diagnosis.llm?.rounds.count == 2)
        #expect(diagnosis.llm?.rounds.first?.promptTokens == 300)
        #expect(diagnosis.llm?.poolVersion == "pool@test")
    }

    @Test func serverDownFallsBackToTFIDF() async throws {
        let server = try StubHTTPServer(responses: [.error(500, "boom"), .error(503, "busy"), .error(500, "boom")])
        defer { server.stop() }
        let window = window()
        let analysis = analysis(for: window)
        let llm = try diagnoser(server, maxRetries: 2)
        let diagnosis = await llm.diagnose(window, analysis: analysis)

        #expect(diagnosis.labelSource == .tfidfFallback)
        #expect(diagnosis.label == analysis.label)
        #expect(diagnosis.reasoning == nil)
        #expect(diagnosis.llm?.error?.contains("after 3 attempts") == true)
        #expect(llm.fallbackCount == 1)
    }

    @Test func promptLinesShowRepeats() {
        let lines = LLMDiagnoser.promptLines([
            KeyLine(text: "a", template: "a", count: 1, first: Date(), last: Date(), score: 1),
            KeyLine(text: "b", template: "b", count: 7, first: Date(), last: Date(), score: 1),
        ])
        #expect(lines == ["a", "b (repeated 7 times)"])
    }
}

@Suite struct ExampleSelectorTests {
    @Test func picksNearestPerClass() throws {
        let masker = try Masker(secret: "s")
        let pool = ExamplePool(examples: [
            PoolExample(id: "m1", lines: ["Memory DIMM Uncorrectable ECC"], reasoning: "", label: "memory"),
            PoolExample(id: "m2", lines: ["Drive Fault predictive failure"], reasoning: "", label: "memory"),
            PoolExample(id: "c1", lines: ["Processor CATERR"], reasoning: "", label: "cpu"),
            PoolExample(id: "o1", lines: ["Fan speed low"], reasoning: "", label: "other"),
        ], version: "t")
        let selector = ExampleSelector(pool: pool, perClass: 1, masker: masker)
        let model = TFIDFModel()
        var counts: [String: Int] = [:]
        for term in TermExtractor.terms(of: "Memory DIMM Uncorrectable ECC Asserted") { counts[term, default: 0] += 1 }

        let chosen = selector.select(for: model.vector(counts), labels: .serverDefault, model: model)
        #expect(chosen.map(\.id) == ["c1", "m1", "o1"])
    }

    @Test func classWithoutExamplesIsSkipped() throws {
        let pool = ExamplePool(examples: [PoolExample(id: "c1", lines: ["Processor CATERR"], reasoning: "", label: "cpu")], version: "t")
        let selector = ExampleSelector(pool: pool, perClass: 3, masker: try Masker(secret: "s"))
        let chosen = selector.select(for: [:], labels: .serverDefault, model: TFIDFModel())
        #expect(chosen.map(\.id) == ["c1"])
    }
}

@Suite struct ExampleTrimmingTests {
    @Test func longExampleCutToBudget() throws {
        let lines = (0..<100).map { "Memory CPU\($0)_DIMM_Stat | Correctable ECC | Asserted" }
        let pool = ExamplePool(examples: [PoolExample(id: "long", lines: lines, reasoning: "r", label: "memory")], version: "t")
        let selector = ExampleSelector(pool: pool, perClass: 1, maxExampleTokens: 64, masker: try Masker(secret: "s"))
        let chosen = selector.select(for: [:], labels: .serverDefault, model: TFIDFModel())
        let kept = try #require(chosen.first).lines
        #expect(!kept.isEmpty)
        #expect(kept.count < 100)
        #expect(kept.reduce(0) { $0 + WindowAnalyzer.estimatedTokens($1) + 1 } <= 64)
        #expect(kept == Array(lines.prefix(kept.count)))
    }
}
