import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress bar with rate and ETA on standard error.
///
/// On a terminal it redraws one line in place. When standard error is a file or a pipe it writes a plain line
/// at most every `plainInterval` seconds, and always for the last item, so logs stay readable. The ETA uses
/// the rate of this run only, so items skipped on resumption do not make it look faster.
public final class ProgressBar: Sendable {
    private struct State {
        var done: Int
        var doneThisRun = 0
        var lastDrawn = Date.distantPast
    }

    public let label: String
    public let total: Int
    private let started = Date()
    private let isTerminal: Bool
    private let enabled: Bool
    private let plainInterval: TimeInterval
    private let state: Mutex<State>

    /// - Parameters:
    ///   - alreadyDone: items finished by an earlier run, counted as done but not in the rate.
    ///   - enabled: false writes nothing, for `--quiet`.
    public init(label: String, total: Int, alreadyDone: Int, enabled: Bool = true, plainInterval: TimeInterval = 2) {
        self.label = label
        self.total = total
        self.enabled = enabled
        self.plainInterval = plainInterval
        isTerminal = isatty(STDERR_FILENO) == 1
        state = Mutex(State(done: alreadyDone))
    }

    /// Counts one finished item and redraws when due.
    public func advance() {
        let line: String? = state.withLock { state in
            state.done += 1
            state.doneThisRun += 1
            let now = Date()
            let isLast = state.done >= total
            let interval = isTerminal ? 0.2 : plainInterval
            guard enabled, isLast || now.timeIntervalSince(state.lastDrawn) >= interval else {
                return nil
            }
            state.lastDrawn = now
            return render(done: state.done, doneThisRun: state.doneThisRun, elapsed: now.timeIntervalSince(started))
        }
        if let line {
            write(line)
        }
    }

    /// Ends the terminal line so that later output starts on a new line.
    public func finish() {
        if enabled && isTerminal {
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }

    private func write(_ line: String) {
        let text = isTerminal ? "\r\u{1B}[K" + line : line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    func render(done: Int, doneThisRun: Int, elapsed: TimeInterval) -> String {
        Self.render(label: label, done: done, total: total, doneThisRun: doneThisRun, elapsed: elapsed)
    }

    /// Formats `LABEL [#####-----] 12/40 30% 1.5/s ETA 0:19`.
    static func render(label: String, done: Int, total: Int, doneThisRun: Int, elapsed: TimeInterval) -> String {
        let width = 24
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let rate = elapsed > 0 ? Double(doneThisRun) / elapsed : 0
        let remaining = max(0, total - done)
        let eta = rate > 0 ? formatDuration(Double(remaining) / rate) : "?"
        let numbers = String(format: "%d/%d %3.0f%% %.2f/s", done, total, fraction * 100, rate)
        return "\(label) [\(bar)] \(numbers) ETA \(eta)"
    }

    /// Formats seconds as `M:SS`, or `H:MM:SS` from one hour.
    static func formatDuration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        let hours = whole / 3600
        let minutes = (whole % 3600) / 60
        let rest = whole % 60
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, rest) : String(format: "%d:%02d", minutes, rest)
    }
}
