import Foundation
import Testing
@testable import LogCoT

/// The JSON bodies that each label constraint puts on the wire.
@Suite struct RequestBodyTests {
    private let labels = LabelSet.serverDefault

    private func sentBody(constraint: ResponseConstraint, seed: Int? = nil) async throws -> [String: Any] {
        let server = try StubHTTPServer(responses: [.completion("{\"label\":\"cpu\"}")])
        defer { server.stop() }
        let config = LLMClientConfig(baseURL: server.baseURL, model: "test-model", temperature: 0.2, seed: seed)
        let client = try ChatClient(config: config, environment: [:], logger: CapturingLogger())

        _ = try await client.complete([.system("s"), .user("u")], maxTokens: 24, constraint: constraint)

        return try #require(server.recordedRequests.first?.jsonBody)
    }

    @Test func jsonSchemaBody() async throws {
        let body = try await sentBody(constraint: LabelConstraint.jsonSchema.responseConstraint(for: labels))

        #expect(body["model"] as? String == "test-model")
        #expect(body["max_tokens"] as? Int == 24)
        #expect(body["temperature"] as? Double == 0.2)
        #expect(body["stream"] as? Bool == false)
        #expect(body["grammar"] == nil)
        #expect(body["seed"] == nil)

        let format = try #require(body["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema")
        let spec = try #require(format["json_schema"] as? [String: Any])
        #expect(spec["name"] as? String == "label")
        #expect(spec["strict"] as? Bool == true)
        let schema = try #require(spec["schema"] as? [String: Any])
        #expect(schema["type"] as? String == "object")
        #expect(schema["required"] as? [String] == ["label"])
        #expect(schema["additionalProperties"] as? Bool == false)
        let properties = try #require(schema["properties"] as? [String: Any])
        let label = try #require(properties["label"] as? [String: Any])
        #expect(label["type"] as? String == "string")
        #expect(label["enum"] as? [String] == ["cpu", "memory", "other"])
    }

    @Test func grammarBody() async throws {
        let body = try await sentBody(constraint: LabelConstraint.grammar.responseConstraint(for: labels))

        #expect(body["grammar"] as? String == #"root ::= "cpu" | "memory" | "other""#)
        #expect(body["response_format"] == nil)
    }

    @Test func freeTextBody() async throws {
        let body = try await sentBody(constraint: LabelConstraint.none.responseConstraint(for: labels), seed: 7)

        #expect(body["grammar"] == nil)
        #expect(body["response_format"] == nil)
        #expect(body["seed"] as? Int == 7)
        let messages = try #require(body["messages"] as? [[String: String]])
        #expect(messages == [["role": "system", "content": "s"], ["role": "user", "content": "u"]])
    }

    @Test func grammarEscapesQuotesAndBackslashes() throws {
        let odd = try LabelSet(labels: [
            FaultLabel(id: #"a"b"#, code: 1, description: "quote"),
            FaultLabel(id: #"c\d"#, code: 2, description: "backslash"),
        ])

        #expect(LabelConstraint.labelGrammar(for: odd) == #"root ::= "a\"b" | "c\\d""#)
    }

    @Test func errorMessageFormsRead() {
        #expect(errorMessage(fromBody: Data(#"{"error":{"message":"openai style"}}"#.utf8)) == "openai style")
        #expect(errorMessage(fromBody: Data(#"{"object":"error","message":"vllm style","code":400}"#.utf8)) == "vllm style")
        #expect(errorMessage(fromBody: Data(#"{"error":"plain string"}"#.utf8)) == "plain string")
        #expect(errorMessage(fromBody: Data("Bad Gateway".utf8)) == "Bad Gateway")
        #expect(errorMessage(fromBody: Data()) == "(empty body)")
    }
}
