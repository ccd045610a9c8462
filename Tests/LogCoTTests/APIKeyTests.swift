import Foundation
import Testing
@testable import LogCoT

/// The API key reaches the server but never a log line or an error message.
@Suite struct APIKeyTests {
    private let secret = "sk-test-9f3b2c1d-SECRET"

    @Test func keySentAsBearerToken() async throws {
        let server = try StubHTTPServer(responses: [.completion("ok")])
        defer { server.stop() }
        let config = LLMClientConfig(baseURL: server.baseURL, model: "stub-model", apiKey: secret)
        let client = try ChatClient(config: config, environment: [:], logger: CapturingLogger())

        _ = try await client.complete([.user("hi")], maxTokens: 4)

        #expect(server.recordedRequests.first?.headers["authorization"] == "Bearer \(secret)")
    }

    @Test func keyAbsentFromLogsAndErrors() async throws {
        // Some servers echo the key in error messages, as OpenAI does for an invalid key.
        let server = try StubHTTPServer(responses: [
            .error(500, "upstream failed for key \(secret)"),
            .error(401, "Incorrect API key provided: \(secret)"),
        ])
        defer { server.stop() }
        let logger = CapturingLogger()
        let config = LLMClientConfig(
            baseURL: server.baseURL,
            model: "stub-model",
            apiKey: secret,
            maxRetries: 2,
            initialBackoff: .milliseconds(10),
            maxBackoff: .milliseconds(20)
        )
        let client = try ChatClient(config: config, environment: [:], logger: logger)

        let error = await #expect(throws: ChatClientError.self) {
            _ = try await client.complete([.user("hi")], maxTokens: 4)
        }

        #expect(error == .requestRejected(status: 401, message: "Incorrect API key provided: [REDACTED]"))
        #expect(error?.description.contains(secret) == false)
        #expect(logger.events.count >= 2)
        for event in logger.events {
            #expect(!event.line.contains(secret), "log line contains the API key: \(event.line)")
        }
        #expect(logger.events.contains { $0.line.contains("[REDACTED]") })
    }

    @Test func keyAbsentFromConfigDescriptions() throws {
        let config = LLMClientConfig(baseURL: URL(string: "http://127.0.0.1:9/v1"), model: "m", apiKey: secret)

        #expect(!String(describing: config).contains(secret))
        #expect(!String(reflecting: config).contains(secret))
        var dumped = ""
        dump(config, to: &dumped)
        #expect(!dumped.contains(secret))

        let endpoint = try config.resolveEndpoint(environment: [:])
        #expect(!String(describing: endpoint).contains(secret))
    }

    @Test func keyFromEnvironmentAbsentFromLogs() async throws {
        let server = try StubHTTPServer(responses: [.error(500, "echo \(secret)"), .completion("ok")])
        defer { server.stop() }
        let logger = CapturingLogger()
        let config = LLMClientConfig(model: "stub-model", maxRetries: 1, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(10))
        let environment = ["OPENAI_BASE_URL": server.baseURL.absoluteString, "OPENAI_API_KEY": secret]
        let client = try ChatClient(config: config, environment: environment, logger: logger)

        _ = try await client.complete([.user("hi")], maxTokens: 4)

        #expect(server.recordedRequests.last?.headers["authorization"] == "Bearer \(secret)")
        #expect(!logger.events.isEmpty)
        for event in logger.events {
            #expect(!event.line.contains(secret), "log line contains the API key: \(event.line)")
        }
    }
}
