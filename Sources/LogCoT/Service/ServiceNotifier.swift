import CSystemd
import Foundation

/// Sends service state to systemd with libsystemd's `sd_notify` (READY, STATUS, WATCHDOG, STOPPING).
///
/// Outside systemd `NOTIFY_SOCKET` is unset and every call does nothing.
public final class ServiceNotifier {
    private let logger: Logger
    /// Half of `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises; nil when no watchdog is set.
    public let watchdogInterval: TimeInterval?
    public let isEnabled: Bool
    private var lastWatchdog = Date.distantPast

    public init(logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.logger = logger
        isEnabled = !(environment["NOTIFY_SOCKET"] ?? "").isEmpty

        var microseconds: UInt64 = 0
        let status = sd_watchdog_enabled(0, &microseconds)
        if status > 0, microseconds > 0 {
            watchdogInterval = Double(microseconds) / 2_000_000
        } else {
            watchdogInterval = nil
            if status < 0 {
                logger.warning("WATCHDOG_USEC is invalid, so no watchdog pings are sent", ["error": String(cString: strerror(-status))])
            }
        }
    }

    /// Sends one notification; a failure is logged, because systemd's view matters but is not fatal.
    public func send(_ state: String) {
        guard isEnabled else {
            return
        }
        let status = sd_notify(0, state)
        if status < 0 {
            logger.warning("sd_notify failed", ["error": String(cString: strerror(-status)), "state": state], rateLimitKey: "sd-notify")
        }
    }

    public func ready(status: String) {
        send("READY=1\nSTATUS=\(Self.oneLine(status))")
    }

    public func status(_ text: String) {
        send("STATUS=\(Self.oneLine(text))")
    }

    public func stopping(status: String) {
        send("STOPPING=1\nSTATUS=\(Self.oneLine(status))")
    }

    /// Sends WATCHDOG=1 when half the watchdog timeout has passed since the last ping.
    public func pingWatchdogIfDue(now: Date = Date()) {
        guard let watchdogInterval, now.timeIntervalSince(lastWatchdog) >= watchdogInterval else {
            return
        }
        lastWatchdog = now
        send("WATCHDOG=1")
    }

    /// Time until the next watchdog ping is due, or nil without a watchdog.
    public func timeUntilWatchdog(now: Date = Date()) -> TimeInterval? {
        watchdogInterval.map { max(0, $0 - now.timeIntervalSince(lastWatchdog)) }
    }

    static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ")
    }
}
