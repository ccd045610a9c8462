import Foundation
import Synchronization

/// A structured logger that writes one `key=value` line per event to standard error.
///
/// The line format (`ts=... level=... msg="..." key=value`) follows logfmt, which journald stores as is
/// and log shippers parse. Repeats of one message are rate-limited per `rateLimitKey`.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        case debug = 0, info, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }

        public init?(name: String) {
            switch name.lowercased() {
            case "debug": self = .debug
            case "info": self = .info
            case "warning", "warn": self = .warning
            case "error": self = .error
            default: return nil
            }
        }
    }

    public let label: String
    private let state: LoggerState

    public init(label: String, minimumLevel: Level = .info) {
        self.label = label
        self.state = LoggerState(minimumLevel: minimumLevel)
    }

    private init(label: String, state: LoggerState) {
        self.label = label
        self.state = state
    }

    /// Returns a logger with another component label that shares this one's level and rate limits.
    public func child(_ label: String) -> Logger {
        Logger(label: label, state: state)
    }

    public func setMinimumLevel(_ level: Level) {
        state.minimumLevel.withLock { $0 = level }
    }

    public func debug(_ message: String, _ fields: [String: String] = [:]) {
        log(.debug, message, fields)
    }

    public func info(_ message: String, _ fields: [String: String] = [:]) {
        log(.info, message, fields)
    }

    public func warning(_ message: String, _ fields: [String: String] = [:], rateLimitKey: String? = nil) {
        log(.warning, message, fields, rateLimitKey: rateLimitKey)
    }

    public func error(_ message: String, _ fields: [String: String] = [:], rateLimitKey: String? = nil) {
        log(.error, message, fields, rateLimitKey: rateLimitKey)
    }

    /// Writes one event unless its level is below the minimum or its rate-limit key fired too often.
    ///
    /// With a `rateLimitKey`, the first 10 events per key and minute are written; the next one that
    /// gets through after a quiet period reports how many were suppressed.
    public func log(_ level: Level, _ message: String, _ fields: [String: String] = [:], rateLimitKey: String? = nil) {
        guard level >= state.minimumLevel.withLock({ $0 }) else {
            return
        }

        var fields = fields
        if let rateLimitKey {
            let decision = state.limiter.withLock { $0.admit(rateLimitKey, now: Date()) }
            guard decision.admitted else {
                return
            }
            if decision.suppressed > 0 {
                fields["suppressed"] = String(decision.suppressed)
            }
        }

        var line = "ts=\(Logger.timestampFormatter.format(Date())) level=\(level) component=\(label) msg=\(Logger.quote(message))"
        for key in fields.keys.sorted() {
            line += " \(key)=\(Logger.quote(fields[key] ?? ""))"
        }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    static let timestampFormatter: Date.ISO8601FormatStyle = .iso8601.time(includingFractionalSeconds: true).year().month().day()
        .dateTimeSeparator(.standard)

    /// Quotes a logfmt value when it contains spaces, quotes, `=` or control characters.
    static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains {
            $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20
        }
        guard needsQuotes else {
            return value
        }
        var escaped = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default:
                if scalar.value < 0x20 {
                    escaped += String(format: "\\u%04x", scalar.value)
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped + "\""
    }
}

private final class LoggerState: Sendable {
    let minimumLevel: Mutex<Logger.Level>
    let limiter = Mutex(RateLimiter())

    init(minimumLevel: Logger.Level) {
        self.minimumLevel = Mutex(minimumLevel)
    }
}

/// Admits a bounded number of events per key and minute and counts the rest.
struct RateLimiter {
    struct Bucket {
        var windowStart: Date
        var admitted: Int
        var suppressed: Int
    }

    static let eventsPerMinute = 10
    var buckets: [String: Bucket] = [:]

    mutating func admit(_ key: String, now: Date) -> (admitted: Bool, suppressed: Int) {
        var bucket = buckets[key] ?? Bucket(windowStart: now, admitted: 0, suppressed: 0)
        if now.timeIntervalSince(bucket.windowStart) >= 60 {
            let suppressed = bucket.suppressed
            bucket = Bucket(windowStart: now, admitted: 1, suppressed: 0)
            buckets[key] = bucket
            return (true, suppressed)
        }
        if bucket.admitted < RateLimiter.eventsPerMinute {
            bucket.admitted += 1
            buckets[key] = bucket
            return (true, 0)
        }
        bucket.suppressed += 1
        buckets[key] = bucket
        return (false, 0)
    }
}

extension Logger: DiagnosisLogger {
    /// Receives the diagnosis client's events; an unknown level name logs at `info`.
    public func log(_ level: String, _ message: String, _ fields: [String: String]) {
        log(Level(name: level) ?? .info, message, fields)
    }
}
