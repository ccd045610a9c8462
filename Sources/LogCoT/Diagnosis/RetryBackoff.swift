import Foundation

/// Exponential backoff with jitter, and parsing of the `Retry-After` header.
public struct RetryBackoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// Returns the delay before retry number `retry` (1 for the first retry).
    ///
    /// The base delay is `initial * 2^(retry - 1)`, capped at `maximum`. The result is a uniformly random value
    /// between half of the base delay and the whole of it, so that clients that failed together spread out.
    public func delay(beforeRetry retry: Int, randomUnit: Double = Double.random(in: 0...1)) -> Duration {
        let initialSeconds = Self.seconds(initial)
        let maximumSeconds = Self.seconds(maximum)
        let exponent = Double(max(0, retry - 1))
        let baseSeconds = min(maximumSeconds, initialSeconds * pow(2, exponent))
        let jitteredSeconds = baseSeconds * (0.5 + 0.5 * min(1, max(0, randomUnit)))
        return .milliseconds(Int64((jitteredSeconds * 1000).rounded()))
    }

    /// Parses a `Retry-After` value given in seconds, such as `"2"` or `"1.5"`.
    ///
    /// Returns nil for the HTTP-date form and for negative or unparseable values, so that the caller uses its own
    /// backoff in those cases.
    public static func retryAfterSeconds(_ headerValue: String?) -> Double? {
        guard let text = headerValue?.trimmingCharacters(in: .whitespaces), let seconds = Double(text),
              seconds.isFinite, seconds >= 0
        else {
            return nil
        }
        return seconds
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
