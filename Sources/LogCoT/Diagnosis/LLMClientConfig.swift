import Foundation

/// Settings for the OpenAI-compatible chat completions client.
///
/// `description`, `debugDescription` and the mirror that `dump` uses show whether an API key is set, never the key.
public struct LLMClientConfig: Sendable {
    /// The API base URL ending in `/v1`, such as `http://127.0.0.1:8080/v1`. The client appends `/chat/completions`.
    /// When nil, the client reads `OPENAI_BASE_URL` from the environment.
    public var baseURL: URL?

    /// The model name sent in each request. llama-server accepts any name for the model it has loaded.
    public var model: String

    /// The bearer token for the `Authorization` header. When nil, the client reads `OPENAI_API_KEY` from the
    /// environment, and when that is unset or empty it sends no `Authorization` header.
    public var apiKey: String?

    /// Maximum time one attempt may wait for the response.
    ///
    /// The client sets it as libcurl's `CURLOPT_TIMEOUT_MS`, rounded up to whole milliseconds, so it bounds one
    /// attempt from connecting to the end of the response.
    public var requestTimeout: Duration = .seconds(120)

    /// Maximum number of requests that this client has in flight at once.
    public var maxConcurrentRequests: Int = 2

    /// Maximum number of retries after the first attempt, so a call makes at most `maxRetries + 1` attempts.
    public var maxRetries: Int = 3

    /// The delay before the first retry. Each further retry doubles it up to `maxBackoff`, and jitter picks a
    /// random delay between half and all of that value.
    public var initialBackoff: Duration = .milliseconds(500)

    /// Maximum delay between two attempts computed by the exponential backoff.
    public var maxBackoff: Duration = .seconds(30)

    /// Maximum `Retry-After` delay that the client waits for after a 429 response. A longer requested delay ends
    /// the retries at once, because waiting would hold the fault window for longer than a fallback label takes.
    public var maxRetryAfter: Duration = .seconds(60)

    /// Sampling temperature. Zero selects greedy decoding in llama-server and vLLM, which keeps diagnoses repeatable.
    public var temperature: Double = 0

    /// Optional sampling seed, sent as `seed` when set.
    public var seed: Int?

    /// Maximum number of tokens that round 1 (the reasoning) may generate.
    public var maxReasoningTokens: Int = 512

    /// Maximum number of tokens that round 2 (the label) may generate.
    public var maxAnswerTokens: Int = 64

    public init(
        baseURL: URL? = nil,
        model: String,
        apiKey: String? = nil,
        requestTimeout: Duration = .seconds(120),
        maxConcurrentRequests: Int = 2,
        maxRetries: Int = 3,
        initialBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(60),
        temperature: Double = 0,
        seed: Int? = nil,
        maxReasoningTokens: Int = 512,
        maxAnswerTokens: Int = 64
    ) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.requestTimeout = requestTimeout
        self.maxConcurrentRequests = maxConcurrentRequests
        self.maxRetries = maxRetries
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
        self.temperature = temperature
        self.seed = seed
        self.maxReasoningTokens = maxReasoningTokens
        self.maxAnswerTokens = maxAnswerTokens
    }

    /// Environment variable that supplies the base URL when `baseURL` is nil.
    public static let baseURLEnvironmentKey = "OPENAI_BASE_URL"

    /// Environment variable that supplies the API key when `apiKey` is nil.
    public static let apiKeyEnvironmentKey = "OPENAI_API_KEY"

    /// Resolves the base URL and API key from this config, falling back to the environment for unset values,
    /// and checks the numeric limits.
    public func resolveEndpoint(environment: [String: String]) throws(ChatClientError) -> ResolvedEndpoint {
        try validateLimits()

        let baseURLText: String
        if let baseURL {
            baseURLText = baseURL.absoluteString
        } else if let fromEnvironment = environment[Self.baseURLEnvironmentKey], !fromEnvironment.isEmpty {
            baseURLText = fromEnvironment
        } else {
            throw .missingBaseURL
        }

        guard let base = URL(string: baseURLText),
              let scheme = base.scheme?.lowercased(), scheme == "http" || scheme == "https",
              base.host != nil
        else {
            throw .invalidBaseURL(ResolvedEndpoint.redactedURLText(baseURLText))
        }

        var key = apiKey
        if key == nil {
            key = environment[Self.apiKeyEnvironmentKey]
        }
        if key?.isEmpty == true {
            key = nil
        }

        return ResolvedEndpoint(baseURL: base, apiKey: key)
    }

    private func validateLimits() throws(ChatClientError) {
        if model.isEmpty {
            throw .invalidConfig("model is empty; set the model name that the server serves")
        }
        if maxConcurrentRequests < 1 {
            throw .invalidConfig("maxConcurrentRequests is \(maxConcurrentRequests); set it to 1 or more")
        }
        if maxRetries < 0 {
            throw .invalidConfig("maxRetries is \(maxRetries); set it to 0 or more")
        }
        if requestTimeout <= .zero {
            throw .invalidConfig("requestTimeout is \(requestTimeout); set a positive duration")
        }
        if initialBackoff < .zero || maxBackoff < initialBackoff {
            throw .invalidConfig("backoff range \(initialBackoff)...\(maxBackoff) is invalid; set 0 <= initialBackoff <= maxBackoff")
        }
        if maxReasoningTokens < 1 || maxAnswerTokens < 1 {
            throw .invalidConfig("maxReasoningTokens and maxAnswerTokens must be 1 or more")
        }
    }
}

extension LLMClientConfig: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        let base = baseURL.map { ResolvedEndpoint.redactedURLText($0.absoluteString) } ?? "from $\(Self.baseURLEnvironmentKey)"
        let key = apiKey == nil ? "from $\(Self.apiKeyEnvironmentKey)" : "set"
        return "LLMClientConfig(baseURL: \(base), model: \(model), apiKey: \(key), requestTimeout: \(requestTimeout), "
            + "maxConcurrentRequests: \(maxConcurrentRequests), maxRetries: \(maxRetries))"
    }

    public var debugDescription: String {
        description
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["description": description])
    }
}

/// The base URL and API key that a client uses after the environment fallback.
public struct ResolvedEndpoint: Sendable, Equatable, CustomStringConvertible {
    public let baseURL: URL
    let apiKey: String?

    /// The chat completions URL: the base URL with `/chat/completions` appended.
    public var chatCompletionsURL: URL {
        var text = baseURL.absoluteString
        while text.hasSuffix("/") {
            text.removeLast()
        }
        // The base URL was checked to parse, and appending a fixed path keeps it valid.
        return URL(string: text + "/chat/completions")!
    }

    public var hasAPIKey: Bool {
        apiKey != nil
    }

    public var description: String {
        "\(Self.redactedURLText(baseURL.absoluteString)) (API key \(hasAPIKey ? "set" : "unset"))"
    }

    /// Returns a URL as text without user name, password and query, which may contain credentials.
    static func redactedURLText(_ text: String) -> String {
        guard var components = URLComponents(string: text) else {
            return "<unparseable URL>"
        }
        if components.user != nil || components.password != nil {
            components.user = "[REDACTED]"
            components.password = nil
        }
        if components.query != nil {
            components.query = "[REDACTED]"
        }
        return components.string ?? "<unparseable URL>"
    }
}
