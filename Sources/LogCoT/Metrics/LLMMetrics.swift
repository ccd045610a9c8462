import Foundation

/// The outcome of one HTTP request to the LLM server.
public enum LLMRequestOutcome: String, Sendable, CaseIterable {
    /// A 2xx response whose body decoded into a completion.
    case success
    /// A response with a status other than 2xx.
    case httpError = "http_error"
    /// No response: the connection was refused, reset or could not be made.
    case connectionError = "connection_error"
    /// No response within the client's timeout.
    case timeout
    /// A 2xx response whose body could not be decoded.
    case invalidResponse = "invalid_response"
}

/// Metrics of the LLM client, updated by that client.
///
/// Call per HTTP request (each retry is a request of its own):
///
///     Metrics.llm.requests.increment(outcome: .timeout)
///     Metrics.llm.requestDuration.observe(seconds)
///     Metrics.llm.tokens.observe(prompt: usage.promptTokens, completion: usage.completionTokens)
///     Metrics.llm.retries.increment()       // before sending a retry
///     Metrics.llm.fallbacks.increment()     // once per window labeled by TF-IDF because the LLM failed
public struct LLMMetrics: Sendable {
    public let requests: LLMRequestCounter
    /// Seconds from sending a request to its response or failure, for every outcome.
    public let requestDuration: HistogramFamily
    public let tokens: LLMTokenHistogram
    public let retries: CounterFamily
    public let fallbacks: CounterFamily
    /// Windows labelled by TF-IDF without an LLM request because `llm.maxQueuedWindows` windows were waiting.
    public let queueOverflows: CounterFamily
    /// `llm.maxQueuedWindows`, exported so that `logcot_pending_diagnoses` can be read against it.
    public let queueCapacity: GaugeFamily
    /// Second diagnoses of fallback windows, by outcome: `succeeded`, `failed` or `dropped`.
    public let rediagnoses: CounterFamily

    /// Bounds from 250 ms to 4 minutes, which spans a small local model on a GPU to a large one on a CPU.
    public static let durationBuckets: [Double] = [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 240]

    init(registry: MetricsRegistry) {
        requests = LLMRequestCounter(family: registry.counter(
            "logcot_llm_requests_total", help: "HTTP requests to the LLM server, by outcome.", labelNames: ["outcome"]))
        requestDuration = registry.histogram(
            "logcot_llm_request_duration_seconds", help: "Duration of HTTP requests to the LLM server, from sending to the response or failure.",
            buckets: Self.durationBuckets)
        tokens = LLMTokenHistogram(family: registry.histogram(
            "logcot_llm_request_tokens", help: "Tokens per LLM request as the server reports them, by kind: prompt or completion.",
            labelNames: ["kind"], buckets: Histogram.exponentialBuckets(start: 32, factor: 2, count: 10)))
        retries = registry.counter("logcot_llm_retries_total", help: "LLM requests sent again after a failed attempt.")
        fallbacks = registry.counter("logcot_llm_fallbacks_total", help: "Windows labeled by the TF-IDF model because the LLM failed or its queue was full.")
        queueOverflows = registry.counter(
            "logcot_llm_queue_overflows_total", help: "Windows labeled by the TF-IDF model without an LLM request because llm.maxQueuedWindows windows were waiting.")
        queueCapacity = registry.gauge("logcot_llm_queue_capacity", help: "The configured llm.maxQueuedWindows: closed windows that may wait for or be in an LLM diagnosis.")
        rediagnoses = registry.counter(
            "logcot_llm_rediagnoses_total", help: "Fallback windows diagnosed again by the LLM, by outcome: succeeded, failed or dropped.", labelNames: ["outcome"])
    }
}

/// `logcot_llm_requests_total`, with every outcome present from the start.
public struct LLMRequestCounter: Sendable {
    public let family: CounterFamily

    init(family: CounterFamily) {
        self.family = family
        for outcome in LLMRequestOutcome.allCases {
            _ = family.labels(outcome.rawValue)
        }
    }

    public func increment(outcome: LLMRequestOutcome) {
        family.labels(outcome.rawValue).increment()
    }
}

/// `logcot_llm_request_tokens`: prompt and completion token counts per request.
public struct LLMTokenHistogram: Sendable {
    public let family: HistogramFamily

    /// Observes the counts the server reported and skips a `nil` count, which a server without usage data returns.
    public func observe(prompt: Int?, completion: Int?) {
        if let prompt {
            family.labels("prompt").observe(Double(prompt))
        }
        if let completion {
            family.labels("completion").observe(Double(completion))
        }
    }
}
