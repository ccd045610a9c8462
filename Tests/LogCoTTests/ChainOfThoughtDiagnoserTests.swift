import Foundation
import Testing
@testable import LogCoT

/// Two-round diagnoses against a local stub server.
@Suite struct ChainOfThoughtDiagnoserTests {
    private let window = [
        "Memory CPU0F0_DIMM_Stat | Uncorrectable ECC | Asserted",
        "Processor CPU0 Status | IERR | Asserted",
    ]

    private let examples = [
        PoolExample(id: "ex-mem-1", lines: ["Memory DIMM_A1 | Correctable ECC | Asserted"], reasoning: "ECC errors come from memory.", label: "memory"),
    ]

    private func makeDiagnoser(server: StubHTTPServer, constraint: LabelConstraint, logger: CapturingLogger, maxRetries: Int = 0) throws -> ChainOfThoughtDiagnoser {
        let config = LLMClientConfig(
            baseURL: server.baseURL,
            model: "stub-model",
            maxRetries: maxRetries,
            initialBackoff: .milliseconds(10),
            maxBackoff: .milliseconds(20),
            maxReasoningTokens: 300,
            maxAnswerTokens: 20
        )
        let client = try ChatClient(config: config, environment: [:], logger: logger)
        return ChainOfThoughtDiagnoser(client: client, builder: PromptBuilder(labels: .serverDefault), constraint: constraint, logger: logger)
    }

    @Test func jsonSchemaDiagnosisLabelled() async throws {
        let reasoning = "The uncorrectable ECC error on CPU0F0 came first; the IERR follows from it."
        let server = try StubHTTPServer(responses: [
            .completion(reasoning, promptTokens: 400, completionTokens: 25),
            .completion(#"{"label": "memory"}"#, promptTokens: 450, completionTokens: 6),
        ])
        defer { server.stop() }
        let logger = CapturingLogger()
        let diagnoser = try makeDiagnoser(server: server, constraint: .jsonSchema, logger: logger)

        let diagnosis = try await diagnoser.diagnose(windowLines: window, examples: examples, windowID: "host-1@t0")

        #expect(diagnosis.reasoning == reasoning)
        #expect(diagnosis.answer == #"{"label": "memory"}"#)
        #expect(diagnosis.label?.id == "memory")
        #expect(diagnosis.labelSource == .llm)
        #expect(diagnosis.unparsedReason == nil)
        #expect(diagnosis.model == "stub-model")
        #expect(diagnosis.promptVersion == "fewshot-cot-v1")
        #expect(diagnosis.labelConstraint == .jsonSchema)
        #expect(diagnosis.exampleIDs == ["ex-mem-1"])
        #expect(diagnosis.rounds.count == 2)
        #expect(diagnosis.rounds[0].promptTokens == 400)
        #expect(diagnosis.rounds[0].completionTokens == 25)
        #expect(diagnosis.rounds[1].promptTokens == 450)
        #expect(diagnosis.rounds[1].completionTokens == 6)
        #expect(diagnosis.rounds.allSatisfy { $0.attempts == 1 })

        let requests = server.recordedRequests
        #expect(requests.count == 2)
        let first = try #require(requests[0].jsonBody)
        let second = try #require(requests[1].jsonBody)
        #expect(first["response_format"] == nil)
        #expect(first["max_tokens"] as? Int == 300)
        #expect(second["response_format"] != nil)
        #expect(second["max_tokens"] as? Int == 20)

        let secondMessages = try #require(second["messages"] as? [[String: String]])
        #expect(secondMessages.count == 4)
        #expect(secondMessages[2] == ["role": "assistant", "content": reasoning])
        #expect(secondMessages[3]["content"]?.hasSuffix("Therefore, the answer is") == true)

        let finished = try #require(logger.events(withMessage: "diagnosis finished").first)
        #expect(finished.fields["window"] == "host-1@t0")
        #expect(finished.fields["label"] == "memory")
    }

    @Test func grammarDiagnosisLabelled() async throws {
        let server = try StubHTTPServer(responses: [.completion("CPU0 raised IERR first."), .completion("cpu")])
        defer { server.stop() }
        let diagnoser = try makeDiagnoser(server: server, constraint: .grammar, logger: CapturingLogger())

        let diagnosis = try await diagnoser.diagnose(windowLines: window, examples: [])

        #expect(diagnosis.label?.id == "cpu")
        #expect(diagnosis.exampleIDs.isEmpty)
        let second = try #require(server.recordedRequests.last?.jsonBody)
        #expect(second["grammar"] as? String == #"root ::= "cpu" | "memory" | "other""#)
    }

    @Test func ambiguousAnswerLeftUnparsed() async throws {
        let server = try StubHTTPServer(responses: [.completion("Either could be the cause."), .completion("1 or 2")])
        defer { server.stop() }
        let logger = CapturingLogger()
        let diagnoser = try makeDiagnoser(server: server, constraint: .none, logger: logger)

        let diagnosis = try await diagnoser.diagnose(windowLines: window, examples: examples)

        #expect(diagnosis.label == nil)
        #expect(diagnosis.labelSource == .llmUnparsed)
        #expect(diagnosis.labelSource.rawValue == "llm-unparsed")
        #expect(diagnosis.unparsedReason?.contains("several labels") == true, "reason: \(diagnosis.unparsedReason ?? "nil")")
        #expect(logger.events(withMessage: "diagnosis answer names no single label").count == 1)
    }

    @Test func serverDownThrowsTypedError() async throws {
        let server = try StubHTTPServer(responses: [.error(503, "loading model")])
        defer { server.stop() }
        let diagnoser = try makeDiagnoser(server: server, constraint: .jsonSchema, logger: CapturingLogger(), maxRetries: 2)

        let error = await #expect(throws: DiagnosisError.self) {
            _ = try await diagnoser.diagnose(windowLines: window, examples: examples)
        }

        #expect(error == .requestFailed(round: 1, error: .retriesExhausted(attempts: 3, lastFailure: .serverError(status: 503, message: "loading model"))))
        #expect(server.recordedRequests.count == 3)
    }

    @Test func truncatedReasoningLogged() async throws {
        let server = try StubHTTPServer(responses: [
            .completion("The ECC error", finishReason: "length"),
            .completion(#"{"label":"memory"}"#),
        ])
        defer { server.stop() }
        let logger = CapturingLogger()
        let diagnoser = try makeDiagnoser(server: server, constraint: .jsonSchema, logger: logger)

        let diagnosis = try await diagnoser.diagnose(windowLines: window, examples: examples)

        #expect(diagnosis.rounds[0].finishReason == "length")
        #expect(diagnosis.label?.id == "memory")
        #expect(logger.events(withMessage: "diagnosis reasoning hit the token limit and was cut").count == 1)
    }

    @Test func invalidPromptThrowsBeforeRequest() async throws {
        let server = try StubHTTPServer(responses: [.completion("unused")])
        defer { server.stop() }
        let diagnoser = try makeDiagnoser(server: server, constraint: .jsonSchema, logger: CapturingLogger())

        await #expect(throws: DiagnosisError.invalidPrompt(.emptyWindow)) {
            _ = try await diagnoser.diagnose(windowLines: [], examples: examples)
        }
        #expect(server.recordedRequests.isEmpty)
    }
}
