import Foundation
import Testing
@testable import LogCoT

/// Retry, timeout and error behaviour of `ChatClient` against a local stub server.
@Suite struct ChatClientRetryTests {
    private func makeConfig(
        server: StubHTTPServer,
        apiKey: String? = nil,
        timeout: Duration = .seconds(5),
        maxRetries: Int = 2,
        maxConcurrentRequests: Int = 2
    ) -> LLMClientConfig {
        LLMClientConfig(
            baseURL: server.baseURL,
            model: "stub-model",
            apiKey: apiKey,
            requestTimeout: timeout,
            maxConcurrentRequests: maxConcurrentRequests,
            maxRetries: maxRetries,
            initialBackoff: .milliseconds(20),
            maxBackoff: .milliseconds(100)
        )
    }

    private let messages: [ChatMessage] = [.system("You are a test."), .user("Say hello.")]

    @Test func serverErrorsThenSuccessRetried() async throws {
        let server = try StubHTTPServer(responses: [
            .error(500, "model is loading"),
            .error(503, "busy"),
            .completion("hello", promptTokens: 11, completionTokens: 2),
        ])
        defer { server.stop() }
        let logger = CapturingLogger()
        let client = try ChatClient(config: makeConfig(server: server), environment: [:], logger: logger)

        let completion = try await client.complete(messages, maxTokens: 16)

        #expect(completion.text == "hello")
        #expect(completion.attempts == 3)
        #expect(completion.promptTokens == 11)
        #expect(completion.completionTokens == 2)
        #expect(completion.finishReason == "stop")
        #expect(completion.latencySeconds > 0)
        #expect(server.recordedRequests.count == 3)

        let retries = logger.events(withMessage: "retrying LLM request")
        #expect(retries.count == 2)
        #expect(retries.first?.level == "warning")
        #expect(retries.first?.fields["failure"] == "HTTP 500: model is loading")
        #expect(retries.last?.fields["failure"] == "HTTP 503: busy")
    }

    @Test func requestSentToChatCompletionsPath() async throws {
        let server = try StubHTTPServer(responses: [.completion("ok")])
        defer { server.stop() }
        let client = try ChatClient(config: makeConfig(server: server), environment: [:], logger: CapturingLogger())

        _ = try await client.complete(messages, maxTokens: 16)

        let request = try #require(server.recordedRequests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/v1/chat/completions")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["authorization"] == nil)
    }

    @Test func rateLimitHonoursRetryAfter() async throws {
        let server = try StubHTTPServer(responses: [
            .error(429, "slow down", headers: ["Retry-After": "1"]),
            .completion("after wait"),
        ])
        defer { server.stop() }
        let logger = CapturingLogger()
        let client = try ChatClient(config: makeConfig(server: server), environment: [:], logger: logger)

        let completion = try await client.complete(messages, maxTokens: 16)

        #expect(completion.text == "after wait")
        #expect(completion.attempts == 2)
        // The backoff alone would wait at most 0.1 s, so a wait of about 1 s comes from Retry-After.
        #expect(completion.latencySeconds >= 0.95)
        let retry = try #require(logger.events(withMessage: "retrying LLM request").first)
        #expect(retry.fields["delay_seconds"] == "1.000")
    }

    @Test func retryAfterAboveLimitNotRetried() async throws {
        let server = try StubHTTPServer(responses: [
            .error(429, "quota exhausted", headers: ["Retry-After": "3600"]),
            .completion("never sent"),
        ])
        defer { server.stop() }
        let client = try ChatClient(config: makeConfig(server: server), environment: [:], logger: CapturingLogger())

        let error = await #expect(throws: ChatClientError.self) {
            _ = try await client.complete(messages, maxTokens: 16)
        }

        #expect(error == .retriesExhausted(attempts: 1, lastFailure: .rateLimited(retryAfterSeconds: 3600, message: "quota exhausted")))
        #expect(server.recordedRequests.count == 1)
    }

    @Test func badRequestFailsWithoutRetry() async throws {
        let server = try StubHTTPServer(responses: [
            // The message that llama-server sends when the prompt does not fit its context.
            .error(400, "request (12031 tokens) exceeds the available context size (4096 tokens), try increasing it"),
            .completion("never sent"),
        ])
        defer { server.stop() }
        let logger = CapturingLogger()
        let client = try ChatClient(config: makeConfig(server: server), environment: [:], logger: logger)

        let error = await #expect(throws: ChatClientError.self) {
            _ = try await client.complete(messages, maxTokens: 16)
        }

        #expect(error == .requestRejected(status: 400, message: "request (12031 tokens) exceeds the available context size (4096 tokens), try increasing it"))
        #expect(error?.description.contains("HTTP 400") == true)
        #expect(error?.description.contains("exceeds the available context size") == true)
        #expect(server.recordedRequests.count == 1)
        #expect(logger.events(withMessage: "retrying LLM request").isEmpty)
        #expect(logger.events(withMessage: "LLM request failed without retry").count == 1)
    }

    @Test func slowResponseTimesOutAfterRetries() async throws {
        let server = try StubHTTPServer(responses: [
            .completion("too late", delay: .seconds(4)),
        ])
        defer { server.stop() }
        let logger = CapturingLogger()
        let client = try ChatClient(
            config: makeConfig(server: server, timeout: .seconds(1), maxRetries: 1),
            environment: [:],
            logger: logger
        )

        let start = ContinuousClock.now
        let error = await #expect(throws: ChatClientError.self) {
            _ = try await client.complete(messages, maxTokens: 16)
        }
        let elapsed = ContinuousClock.now - start

        #expect(error == .retriesExhausted(attempts: 2, lastFailure: .timedOut(seconds: 1)))
        #expect(error?.isTimeout == true)
        #expect(server.recordedRequests.count == 2)
        // Two attempts of at least 1 s each. No upper bound: a loaded machine stretches wall time, and the
        // timed-out error above already shows that no 4 s response was awaited.
        #expect(elapsed >= .milliseconds(1900))
        #expect(logger.events(withMessage: "retrying LLM request").count == 1)
        #expect(logger.events(withMessage: "LLM request failed after retries").count == 1)
    }

    @Test func refusedConnectionRetried() async throws {
        // A port that is bound but not listening refuses connections, and it stays reserved for the whole test,
        // so a stub server of a test running in parallel cannot take it over.
        let reserved = try ReservedPort()
        defer { reserved.close() }
        let url = URL(string: "http://127.0.0.1:\(reserved.port)/v1")!

        let logger = CapturingLogger()
        let config = LLMClientConfig(
            baseURL: url,
            model: "stub-model",
            maxRetries: 2,
            initialBackoff: .milliseconds(10),
            maxBackoff: .milliseconds(20)
        )
        let client = try ChatClient(config: config, environment: [:], logger: logger)

        let error = await #expect(throws: ChatClientError.self) {
            _ = try await client.complete(messages, maxTokens: 16)
        }

        guard case .retriesExhausted(let attempts, .connectionFailed) = error else {
            Issue.record("expected retriesExhausted with connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(attempts == 3)
        #expect(logger.events(withMessage: "retrying LLM request").count == 2)
    }

    @Test func timeoutKeptToMilliseconds() {
        #expect(ChatClient.effectiveTimeoutSeconds(.milliseconds(500)) == 0.5)
        #expect(ChatClient.effectiveTimeoutSeconds(.milliseconds(1500)) == 1.5)
        #expect(ChatClient.effectiveTimeoutSeconds(.microseconds(1500)) == 0.002)
        #expect(ChatClient.effectiveTimeoutSeconds(.microseconds(1)) == 0.001)
        #expect(ChatClient.effectiveTimeoutSeconds(.seconds(30)) == 30)
    }

    @Test func missingUsageGivesNilTokens() async throws {
        let server = try StubHTTPServer(responses: [.completion("no usage", promptTokens: nil, completionTokens: nil)])
        defer { server.stop() }
        let client = try ChatClient(config: makeConfig(server: server), environment: [:], logger: CapturingLogger())

        let completion = try await client.complete(messages, maxTokens: 16)

        #expect(completion.text == "no usage")
        #expect(completion.promptTokens == nil)
        #expect(completion.completionTokens == nil)
    }

    @Test func invalidBodyFailsWithoutRetry() async throws {
        let server = try StubHTTPServer(responses: [
            StubHTTPServer.Response(status: 200, body: "<html>proxy page</html>"),
            .completion("never sent"),
        ])
        defer { server.stop() }
        let client = try ChatClient(config: makeConfig(server: server), environment: [:], logger: CapturingLogger())

        let error = await #expect(throws: ChatClientError.self) {
            _ = try await client.complete(messages, maxTokens: 16)
        }

        guard case .invalidResponse(let text) = error else {
            Issue.record("expected invalidResponse, got \(String(describing: error))")
            return
        }
        #expect(text.contains("<html>proxy page</html>"))
        #expect(server.recordedRequests.count == 1)
    }

    @Test func concurrencyLimitBoundsInFlightRequests() async throws {
        let server = try StubHTTPServer(responses: [.completion("slow", delay: .milliseconds(300))])
        defer { server.stop() }
        let client = try ChatClient(config: makeConfig(server: server, maxConcurrentRequests: 1), environment: [:], logger: CapturingLogger())

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    _ = try await client.complete(messages, maxTokens: 16)
                }
            }
            try await group.waitForAll()
        }

        #expect(server.recordedRequests.count == 3)
        #expect(server.maxConcurrentRequests == 1)
    }

    @Test func concurrentRequestsOverlapBelowLimit() async throws {
        // The counterpart of the test above: with a limit of 3 the stub records overlapping requests,
        // which shows that the stub can detect concurrency at all.
        let server = try StubHTTPServer(responses: [.completion("slow", delay: .milliseconds(500))])
        defer { server.stop() }
        let client = try ChatClient(config: makeConfig(server: server, maxConcurrentRequests: 3), environment: [:], logger: CapturingLogger())

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    _ = try await client.complete(messages, maxTokens: 16)
                }
            }
            try await group.waitForAll()
        }

        #expect(server.maxConcurrentRequests > 1)
        #expect(server.maxConcurrentRequests <= 3)
    }
}
