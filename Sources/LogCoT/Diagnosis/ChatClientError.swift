import Foundation

/// A failure of a chat completions call.
public enum ChatClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither the config nor `OPENAI_BASE_URL` sets a base URL.
    case missingBaseURL

    /// The base URL does not parse as an http or https URL. The value has credentials removed.
    case invalidBaseURL(String)

    /// A config value is out of range. The text names the value and the fix.
    case invalidConfig(String)

    /// The server rejected the request with a 4xx status other than 429. Such requests are not retried.
    case requestRejected(status: Int, message: String)

    /// The server failed transiently on every attempt, and the client stopped retrying.
    case retriesExhausted(attempts: Int, lastFailure: TransientFailure)

    /// The connection failed in a way that a retry would not fix, such as an unsupported URL or a TLS error.
    case transportFailed(String)

    /// The server returned 2xx with a body that is not a chat completion.
    case invalidResponse(String)

    /// The calling task was cancelled.
    case cancelled

    /// True when the last attempt timed out.
    public var isTimeout: Bool {
        if case .retriesExhausted(_, .timedOut) = self {
            return true
        }
        return false
    }

    public var description: String {
        switch self {
        case .missingBaseURL:
            "missing LLM base URL; set baseURL in the config or \(LLMClientConfig.baseURLEnvironmentKey), such as http://127.0.0.1:8080/v1"
        case .invalidBaseURL(let text):
            "invalid LLM base URL '\(text)'; use an http or https URL ending in /v1"
        case .invalidConfig(let text):
            "invalid LLM client config: \(text)"
        case .requestRejected(let status, let message):
            "LLM server rejected the request with HTTP \(status): \(message)"
        case .retriesExhausted(let attempts, let lastFailure):
            "LLM request failed after \(attempts) attempts; last failure: \(lastFailure)"
        case .transportFailed(let text):
            "LLM request failed: \(text)"
        case .invalidResponse(let text):
            "LLM server returned an invalid chat completion: \(text)"
        case .cancelled:
            "LLM request cancelled"
        }
    }
}

/// A failure that the client retries: a timeout, a connection error, HTTP 429 or HTTP 5xx.
public enum TransientFailure: Sendable, Equatable, CustomStringConvertible {
    case timedOut(seconds: Double)
    case connectionFailed(String)
    case rateLimited(retryAfterSeconds: Double?, message: String)
    case serverError(status: Int, message: String)

    public var description: String {
        switch self {
        case .timedOut(let seconds):
            "request timed out after \(seconds) s"
        case .connectionFailed(let text):
            "connection failed: \(text)"
        case .rateLimited(let retryAfter, let message):
            if let retryAfter {
                "HTTP 429 with Retry-After \(retryAfter) s: \(message)"
            } else {
                "HTTP 429: \(message)"
            }
        case .serverError(let status, let message):
            "HTTP \(status): \(message)"
        }
    }
}
