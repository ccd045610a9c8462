import Foundation

/// The result of one chat completions call, after any retries.
public struct ChatCompletion: Sendable, Equatable {
    /// The content of the first choice's message. Empty when the server returned no content.
    public var text: String

    /// `usage.prompt_tokens` from the response, nil when the server sent no usage object.
    public var promptTokens: Int?

    /// `usage.completion_tokens` from the response, nil when the server sent no usage object.
    public var completionTokens: Int?

    /// Wall-clock seconds from the start of the first attempt to the final response, including backoff delays.
    public var latencySeconds: Double

    /// Number of HTTP attempts, 1 when the first attempt succeeded.
    public var attempts: Int

    /// The first choice's `finish_reason`, such as `stop` or `length`.
    public var finishReason: String?

    public init(
        text: String,
        promptTokens: Int?,
        completionTokens: Int?,
        latencySeconds: Double,
        attempts: Int,
        finishReason: String?
    ) {
        self.text = text
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencySeconds = latencySeconds
        self.attempts = attempts
        self.finishReason = finishReason
    }
}
