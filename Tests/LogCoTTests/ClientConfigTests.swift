import Foundation
import Testing
@testable import LogCoT

/// Base URL and API key resolution, including the OPENAI_* environment fallback.
@Suite struct ClientConfigTests {
    @Test func baseURLAndKeyFromEnvironment() throws {
        let config = LLMClientConfig(model: "m")
        let environment = ["OPENAI_BASE_URL": "http://127.0.0.1:8080/v1", "OPENAI_API_KEY": "env-key"]

        let endpoint = try config.resolveEndpoint(environment: environment)

        #expect(endpoint.baseURL.absoluteString == "http://127.0.0.1:8080/v1")
        #expect(endpoint.apiKey == "env-key")
        #expect(endpoint.chatCompletionsURL.absoluteString == "http://127.0.0.1:8080/v1/chat/completions")
    }

    @Test func configValuesOverrideEnvironment() throws {
        let config = LLMClientConfig(baseURL: URL(string: "http://127.0.0.1:9000/v1"), model: "m", apiKey: "config-key")
        let environment = ["OPENAI_BASE_URL": "http://127.0.0.1:8080/v1", "OPENAI_API_KEY": "env-key"]

        let endpoint = try config.resolveEndpoint(environment: environment)

        #expect(endpoint.baseURL.absoluteString == "http://127.0.0.1:9000/v1")
        #expect(endpoint.apiKey == "config-key")
    }

    @Test func keyOptionalAndEmptyKeyIgnored() throws {
        let config = LLMClientConfig(baseURL: URL(string: "http://127.0.0.1:9000/v1"), model: "m")

        #expect(try config.resolveEndpoint(environment: [:]).apiKey == nil)
        #expect(try config.resolveEndpoint(environment: ["OPENAI_API_KEY": ""]).apiKey == nil)
    }

    @Test func missingBaseURLRejected() {
        let config = LLMClientConfig(model: "m")

        #expect(throws: ChatClientError.missingBaseURL) {
            _ = try config.resolveEndpoint(environment: [:])
        }
        #expect(throws: ChatClientError.missingBaseURL) {
            _ = try config.resolveEndpoint(environment: ["OPENAI_BASE_URL": ""])
        }
    }

    @Test func nonHTTPBaseURLRejected() {
        let config = LLMClientConfig(model: "m")

        #expect(throws: ChatClientError.invalidBaseURL("ftp://127.0.0.1/v1")) {
            _ = try config.resolveEndpoint(environment: ["OPENAI_BASE_URL": "ftp://127.0.0.1/v1"])
        }
    }

    @Test func trailingSlashNotDoubled() throws {
        let config = LLMClientConfig(baseURL: URL(string: "http://127.0.0.1:8080/v1/"), model: "m")

        let endpoint = try config.resolveEndpoint(environment: [:])

        #expect(endpoint.chatCompletionsURL.absoluteString == "http://127.0.0.1:8080/v1/chat/completions")
    }

    @Test func invalidLimitsRejected() {
        var config = LLMClientConfig(baseURL: URL(string: "http://127.0.0.1:8080/v1"), model: "m")
        config.maxConcurrentRequests = 0
        #expect(throws: ChatClientError.self) {
            _ = try config.resolveEndpoint(environment: [:])
        }

        config = LLMClientConfig(baseURL: URL(string: "http://127.0.0.1:8080/v1"), model: "m")
        config.maxRetries = -1
        #expect(throws: ChatClientError.self) {
            _ = try config.resolveEndpoint(environment: [:])
        }

        config = LLMClientConfig(baseURL: URL(string: "http://127.0.0.1:8080/v1"), model: "m")
        config.initialBackoff = .seconds(10)
        config.maxBackoff = .seconds(1)
        #expect(throws: ChatClientError.self) {
            _ = try config.resolveEndpoint(environment: [:])
        }

        config = LLMClientConfig(baseURL: URL(string: "http://127.0.0.1:8080/v1"), model: "")
        #expect(throws: ChatClientError.self) {
            _ = try config.resolveEndpoint(environment: [:])
        }
    }

    @Test func clientUsesEnvironmentBaseURL() async throws {
        let server = try StubHTTPServer(responses: [.completion("from env")])
        defer { server.stop() }
        let client = try ChatClient(
            config: LLMClientConfig(model: "m"),
            environment: ["OPENAI_BASE_URL": server.baseURL.absoluteString],
            logger: CapturingLogger()
        )

        let completion = try await client.complete([.user("hi")], maxTokens: 4)

        #expect(completion.text == "from env")
        #expect(server.recordedRequests.count == 1)
    }
}
