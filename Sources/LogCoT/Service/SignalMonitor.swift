import Dispatch
import Foundation
import Synchronization

/// Turns SIGTERM, SIGINT and SIGHUP into flags that the daemon's loop polls.
///
/// The signals are ignored at the process level and observed with `DispatchSource`, so no code runs
/// in a signal handler and the loop picks them up at its next iteration.
public final class SignalMonitor: @unchecked Sendable {
    private struct Flags {
        var stop: Int32?
        var reload = false
    }

    private let flags = Mutex(Flags())
    private let logger: Logger
    private let queue = DispatchQueue(label: "logcot.signals")
    /// Written only in `init`; the sources stay alive as long as the monitor.
    private var sources: [DispatchSourceSignal] = []

    public init(logger: Logger) {
        self.logger = logger
        signal(SIGPIPE, SIG_IGN)
        for number in [SIGTERM, SIGINT, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in
                received(number)
            }
            source.resume()
            sources.append(source)
        }
    }

    private func received(_ number: Int32) {
        let name = Self.name(number)
        if number == SIGHUP {
            flags.withLock { $0.reload = true }
            logger.info("received signal; reloading the config", ["signal": name])
            return
        }
        let first = flags.withLock { state -> Bool in
            defer { state.stop = state.stop ?? number }
            return state.stop == nil
        }
        logger.info(first ? "received signal; stopping after the current step" : "received signal while stopping; still stopping", ["signal": name])
    }

    /// True once SIGTERM or SIGINT arrived.
    public var stopRequested: Bool {
        flags.withLock { $0.stop != nil }
    }

    /// Returns true once per SIGHUP received since the last call.
    public func takeReloadRequest() -> Bool {
        flags.withLock { state in
            defer { state.reload = false }
            return state.reload
        }
    }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}
