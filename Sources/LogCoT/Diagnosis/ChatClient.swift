import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A client for the OpenAI-compatible `POST /v1/chat/completions` endpoint of vLLM, llama-server or Ollama.
///
/// The client limits how many requests are in flight at once and retries timeouts, connection errors, HTTP 429
/// and HTTP 5xx with exponential backoff. Other 4xx responses fail at once with `ChatClientError.requestRejected`.
/// It logs every retry and every failure, and it replaces the API key with `[REDACTED]` in logged and thrown text.
public final class ChatClient: Sendable {
    public let config: LLMClientConfig
    public let endpoint: ResolvedEndpoint

    private let session: URLSession
    private let limiter: ConcurrencyLimiter
    private let backoff: RetryBackoff
    private let logger: any DiagnosisLogger

    /// Creates a client, reading `OPENAI_BASE_URL` and `OPENAI_API_KEY` from `environment` for values that
    /// `config` leaves nil.
    public init(
        config: LLMClientConfig,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: any DiagnosisLogger = StandardErrorDiagnosisLogger()
    ) throws(ChatClientError) {
        self.config = config
        self.endpoint = try config.resolveEndpoint(environment: environment)
        self.logger = logger
        self.limiter = ConcurrencyLimiter(limit: config.maxConcurrentRequests)
        self.backoff = RetryBackoff(initial: config.initialBackoff, maximum: config.maxBackoff)

        // The timeout is set on the session because older swift-corelibs-foundation releases ignore
        // URLRequest.timeoutInterval. For a non-streaming completion the server sends nothing until it has
        // finished, so the idle timeout (ForRequest) and the total timeout (ForResource) both bound one attempt.
        let sessionConfig = URLSessionConfiguration.ephemeral
        let timeoutSeconds = Self.effectiveTimeoutSeconds(config.requestTimeout)
        sessionConfig.timeoutIntervalForRequest = timeoutSeconds
        sessionConfig.timeoutIntervalForResource = timeoutSeconds
        sessionConfig.httpMaximumConnectionsPerHost = config.maxConcurrentRequests
        sessionConfig.requestCachePolicy = .reloadIgnoringLocalCacheData
        sessionConfig.urlCache = nil
        self.session = URLSession(configuration: sessionConfig)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// Returns the timeout in seconds that the URL session applies for `requested`.
    ///
    /// swift-corelibs-foundation (checked in Swift 6.3.1 on Linux) converts the timeout with
    /// `Int(seconds) * 1000` milliseconds, so it drops fractions and a timeout below 1 s fires at once.
    /// There the value is rounded up to whole seconds.
    public static func effectiveTimeoutSeconds(_ requested: Duration) -> Double {
        let seconds = RetryBackoff.seconds(requested)
        #if canImport(FoundationNetworking)
        return max(1, seconds.rounded(.up))
        #else
        return seconds
        #endif
    }

    /// Sends one chat completion request, retrying transient failures, and returns the first choice.
    ///
    /// - Parameters:
    ///   - messages: The conversation so far.
    ///   - maxTokens: Maximum number of tokens to generate, sent as `max_tokens`.
    ///   - constraint: The structured output restriction for this request.
    ///   - logFields: Ids to add to every log event of this call, such as the window id and round.
    public func complete(
        _ messages: [ChatMessage],
        maxTokens: Int,
        constraint: ResponseConstraint = .none,
        logFields: [String: String] = [:]
    ) async throws(ChatClientError) -> ChatCompletion {
        let request = try makeRequest(messages: messages, maxTokens: maxTokens, constraint: constraint)
        let maxAttempts = config.maxRetries + 1
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 0

        while true {
            attempt += 1
            let attemptStart = clock.now
            let outcome = await performAttempt(request)
            Self.record(outcome, seconds: RetryBackoff.seconds(clock.now - attemptStart))

            switch outcome {
            case .success(let body):
                let choice = body.choices[0]
                return ChatCompletion(
                    text: choice.message?.content ?? "",
                    promptTokens: body.usage?.promptTokens,
                    completionTokens: body.usage?.completionTokens,
                    latencySeconds: RetryBackoff.seconds(clock.now - start),
                    attempts: attempt,
                    finishReason: choice.finishReason
                )

            case .permanent(let error):
                if error != .cancelled {
                    log("error", "LLM request failed without retry", logFields, ["attempt": String(attempt), "error": error.description])
                }
                throw error

            case .transient(let failure, let retryAfterSeconds):
                if attempt >= maxAttempts {
                    let error = ChatClientError.retriesExhausted(attempts: attempt, lastFailure: failure)
                    log("error", "LLM request failed after retries", logFields, ["attempts": String(attempt), "error": error.description])
                    throw error
                }

                var delay = backoff.delay(beforeRetry: attempt)
                if let retryAfterSeconds {
                    let requested = Duration.milliseconds(Int64((retryAfterSeconds * 1000).rounded()))
                    if requested > config.maxRetryAfter {
                        let error = ChatClientError.retriesExhausted(attempts: attempt, lastFailure: failure)
                        log("error", "LLM server requested a Retry-After delay above maxRetryAfter, not retrying", logFields, [
                            "attempts": String(attempt),
                            "retry_after_seconds": String(retryAfterSeconds),
                            "max_retry_after_seconds": String(RetryBackoff.seconds(config.maxRetryAfter)),
                            "error": error.description,
                        ])
                        throw error
                    }
                    delay = requested
                }

                Metrics.llm.retries.increment()
                log("warning", "retrying LLM request", logFields, [
                    "attempt": String(attempt),
                    "max_attempts": String(maxAttempts),
                    "delay_seconds": String(format: "%.3f", RetryBackoff.seconds(delay)),
                    "failure": failure.description,
                ])
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw .cancelled
                }
            }
        }
    }

    /// Counts one HTTP attempt in the LLM metrics by outcome, duration and token usage.
    private static func record(_ outcome: AttemptOutcome, seconds: Double) {
        Metrics.llm.requestDuration.observe(seconds)
        switch outcome {
        case .success(let body):
            Metrics.llm.requests.increment(outcome: .success)
            Metrics.llm.tokens.observe(prompt: body.usage?.promptTokens, completion: body.usage?.completionTokens)
        case .permanent(.invalidResponse):
            Metrics.llm.requests.increment(outcome: .invalidResponse)
        case .permanent(.transportFailed):
            Metrics.llm.requests.increment(outcome: .connectionError)
        case .permanent(.cancelled):
            break
        case .permanent:
            Metrics.llm.requests.increment(outcome: .httpError)
        case .transient(.timedOut, _):
            Metrics.llm.requests.increment(outcome: .timeout)
        case .transient(.connectionFailed, _):
            Metrics.llm.requests.increment(outcome: .connectionError)
        case .transient:
            Metrics.llm.requests.increment(outcome: .httpError)
        }
    }

    // MARK: - One attempt

    private enum AttemptOutcome {
        case success(ChatCompletionResponseBody)
        case transient(TransientFailure, retryAfterSeconds: Double?)
        case permanent(ChatClientError)
    }

    private func makeRequest(messages: [ChatMessage], maxTokens: Int, constraint: ResponseConstraint) throws(ChatClientError) -> URLRequest {
        let body = ChatCompletionRequestBody(
            model: config.model,
            messages: messages,
            temperature: config.temperature,
            maxTokens: maxTokens,
            seed: config.seed,
            constraint: constraint
        )
        let encoded: Data
        do {
            encoded = try JSONEncoder().encode(body)
        } catch {
            throw .invalidConfig("the request body could not be encoded as JSON: \(error)")
        }

        var request = URLRequest(url: endpoint.chatCompletionsURL)
        request.httpMethod = "POST"
        request.httpBody = encoded
        request.timeoutInterval = Self.effectiveTimeoutSeconds(config.requestTimeout)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let apiKey = endpoint.apiKey {
            request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization")
        }
        return request
    }

    private func performAttempt(_ request: URLRequest) async -> AttemptOutcome {
        do {
            try await limiter.acquire()
        } catch {
            return .permanent(.cancelled)
        }

        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            await limiter.release()
            return classifyTransportError(error)
        }
        await limiter.release()

        guard let http = response as? HTTPURLResponse else {
            return .permanent(.invalidResponse("the response is not an HTTP response"))
        }

        switch http.statusCode {
        case 200..<300:
            return decodeCompletion(data)
        case 429:
            let retryAfter = RetryBackoff.retryAfterSeconds(http.value(forHTTPHeaderField: "Retry-After"))
            let message = redact(errorMessage(fromBody: data))
            return .transient(.rateLimited(retryAfterSeconds: retryAfter, message: message), retryAfterSeconds: retryAfter)
        case 500..<600:
            return .transient(.serverError(status: http.statusCode, message: redact(errorMessage(fromBody: data))), retryAfterSeconds: nil)
        default:
            return .permanent(.requestRejected(status: http.statusCode, message: redact(errorMessage(fromBody: data))))
        }
    }

    private func decodeCompletion(_ data: Data) -> AttemptOutcome {
        let body: ChatCompletionResponseBody
        do {
            body = try JSONDecoder().decode(ChatCompletionResponseBody.self, from: data)
        } catch {
            let excerpt = redact(String(decoding: data.prefix(200), as: UTF8.self))
            return .permanent(.invalidResponse("the body does not decode as a chat completion (\(error)); body starts: \(excerpt)"))
        }
        guard !body.choices.isEmpty else {
            return .permanent(.invalidResponse("the response has no choices"))
        }
        return .success(body)
    }

    private func classifyTransportError(_ error: any Error) -> AttemptOutcome {
        if error is CancellationError {
            return .permanent(.cancelled)
        }
        guard let urlError = error as? URLError else {
            return .permanent(.transportFailed(redact(String(describing: error))))
        }

        switch urlError.code {
        case .cancelled:
            return .permanent(.cancelled)
        case .timedOut:
            return .transient(.timedOut(seconds: Self.effectiveTimeoutSeconds(config.requestTimeout)), retryAfterSeconds: nil)
        case .cannotConnectToHost, .cannotFindHost, .networkConnectionLost, .dnsLookupFailed,
             .notConnectedToInternet, .badServerResponse, .resourceUnavailable:
            return .transient(.connectionFailed(redact(urlError.localizedDescription)), retryAfterSeconds: nil)
        default:
            return .permanent(.transportFailed("\(urlError.code.rawValue) \(redact(urlError.localizedDescription))"))
        }
    }

    // MARK: - Logging

    private func log(_ level: String, _ message: String, _ context: [String: String], _ fields: [String: String]) {
        var merged = context.mapValues(redact)
        merged["endpoint"] = ResolvedEndpoint.redactedURLText(endpoint.chatCompletionsURL.absoluteString)
        merged["model"] = config.model
        for (key, value) in fields {
            merged[key] = redact(value)
        }
        logger.log(level, redact(message), merged)
    }

    /// Replaces every occurrence of the API key in `text` with `[REDACTED]`.
    private func redact(_ text: String) -> String {
        guard let apiKey = endpoint.apiKey, !apiKey.isEmpty else {
            return text
        }
        return text.replacingOccurrences(of: apiKey, with: "[REDACTED]")
    }
}
