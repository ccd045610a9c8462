import CCurl
import Foundation

/// A client for the OpenAI-compatible `POST /v1/chat/completions` endpoint of vLLM, llama-server or Ollama.
///
/// The client limits how many requests are in flight at once and retries timeouts, connection errors, HTTP 429
/// and HTTP 5xx with exponential backoff. Other 4xx responses fail at once with `ChatClientError.requestRejected`.
/// It logs every retry and every failure, and it replaces the API key with `[REDACTED]` in logged and thrown text.
/// Requests go through libcurl (`CurlTransport`) instead of URLSession, because URLSession on Linux keeps one
/// CPU busy while it waits for a response.
public final class ChatClient: Sendable {
    public let config: LLMClientConfig
    public let endpoint: ResolvedEndpoint

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
    }

    /// Returns the timeout in seconds that one attempt gets for `requested`.
    ///
    /// libcurl takes the timeout in whole milliseconds (`CURLOPT_TIMEOUT_MS`), so the value is rounded up to the
    /// next millisecond, with 1 ms as the minimum.
    public static func effectiveTimeoutSeconds(_ requested: Duration) -> Double {
        Double(timeoutMilliseconds(requested)) / 1000
    }

    static func timeoutMilliseconds(_ requested: Duration) -> Int {
        let milliseconds = (RetryBackoff.seconds(requested) * 1000).rounded(.up)
        return max(1, Int(min(milliseconds, Double(Int32.max))))
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

    private func makeRequest(messages: [ChatMessage], maxTokens: Int, constraint: ResponseConstraint) throws(ChatClientError) -> CurlRequest {
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

        var headers = [
            "Content-Type": "application/json",
            "Accept": "application/json",
        ]
        if let apiKey = endpoint.apiKey {
            headers["Authorization"] = "Bearer \(apiKey)"
        }
        return CurlRequest(
            url: endpoint.chatCompletionsURL.absoluteString,
            headers: headers,
            body: encoded,
            timeoutMilliseconds: Self.timeoutMilliseconds(config.requestTimeout)
        )
    }

    private func performAttempt(_ request: CurlRequest) async -> AttemptOutcome {
        do {
            try await limiter.acquire()
        } catch {
            return .permanent(.cancelled)
        }

        let result = await CurlTransport.post(request)
        await limiter.release()

        let response: CurlResponse
        switch result {
        case .success(let value):
            response = value
        case .failure(let failure):
            return classifyTransportError(failure)
        }

        // NOTE: redirects are not followed, so a 3xx status fails as requestRejected.
        let data = response.body
        switch response.status {
        case 200..<300:
            return decodeCompletion(data)
        case 429:
            let retryAfter = RetryBackoff.retryAfterSeconds(response.headers["retry-after"])
            let message = redact(errorMessage(fromBody: data))
            return .transient(.rateLimited(retryAfterSeconds: retryAfter, message: message), retryAfterSeconds: retryAfter)
        case 500..<600:
            return .transient(.serverError(status: response.status, message: redact(errorMessage(fromBody: data))), retryAfterSeconds: nil)
        default:
            return .permanent(.requestRejected(status: response.status, message: redact(errorMessage(fromBody: data))))
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

    /// Sorts a libcurl failure into the outcomes that URLSession errors had: a timeout and a failed or lost
    /// connection are retried, and TLS errors, unsupported URLs and the like fail at once.
    private func classifyTransportError(_ failure: CurlFailure) -> AttemptOutcome {
        switch failure.code {
        case CURLE_ABORTED_BY_CALLBACK:
            return .permanent(.cancelled)
        case CURLE_OPERATION_TIMEDOUT:
            return .transient(.timedOut(seconds: Self.effectiveTimeoutSeconds(config.requestTimeout)), retryAfterSeconds: nil)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_GOT_NOTHING,
             CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY:
            return .transient(.connectionFailed(redact(failure.message)), retryAfterSeconds: nil)
        default:
            return .permanent(.transportFailed("curl error \(failure.code.rawValue): \(redact(failure.message))"))
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
