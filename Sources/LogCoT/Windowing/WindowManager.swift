import Foundation

/// Groups each host's lines into windows around fault events and decides when windows close.
///
/// A window closes when the host's watermark (its latest timestamp minus the allowed lateness)
/// passes the window's end, when the input has been idle for `idleTimeout` and the wall clock is past
/// the end, or at end of input. Not thread-safe: one task owns it.
public final class WindowManager {
    public let config: WindowingConfig
    var hosts: [String: HostState] = [:]
    // NOTE: grows by one id per fault for the life of the process; the state store's report table
    // is the durable dedupe for long-running daemons.
    var knownWindowIDs: Set<String> = []

    /// Counters across all hosts.
    public private(set) var lateLines = 0
    public private(set) var duplicateFaults = 0
    /// Lines dropped because they repeat a line stored in an open window exactly (same timestamp and
    /// masked text); each window also counts them in `counts.duplicates`.
    public private(set) var duplicateLines = 0
    public private(set) var extendedByTrigger = 0
    public private(set) var closedCount = 0
    /// Open windows across all hosts, kept as a count because metrics read it after every fault
    /// event, and summing over 100,000 hosts each time made opening windows quadratic.
    public internal(set) var openCount = 0

    public init(config: WindowingConfig) {
        self.config = config
    }

    /// Adds a parsed, masked line; returns windows that closed because the host's watermark moved.
    public func add(host: String, line: WindowLine, arrival: Date) -> [ClosedWindow] {
        // Taking the state out of the dictionary leaves its arrays uniquely referenced, so the
        // appends below do not copy the host's history and window lines for every line.
        var state = hosts.removeValue(forKey: host) ?? newHostState()
        state.lastInput = arrival
        let outOfOrder = line.timestamp < state.latest
        if line.timestamp > state.latest {
            state.latest = line.timestamp
        }

        var matched = false
        var duplicate = false
        for index in state.open.indices where state.open[index].contains(line.timestamp) {
            matched = true
            guard state.open[index].add(line) else {
                duplicate = true
                continue
            }
            if outOfOrder {
                state.open[index].counts.outOfOrder += 1
            }
        }
        if duplicate {
            duplicateLines += 1
        }
        if !matched, state.recentlyClosed.contains(where: { line.timestamp >= $0.start && line.timestamp <= $0.end }) {
            lateLines += 1
        }
        state.history.append(line, latest: state.latest)

        let closed = closeByWatermark(&state)
        hosts[host] = state
        return closed
    }

    /// Counts a rejected line against the host's open windows.
    public func addRejected(host: String) {
        guard var state = hosts.removeValue(forKey: host) else {
            return
        }
        for index in state.open.indices {
            state.open[index].counts.rejected += 1
        }
        hosts[host] = state
    }

    /// Opens a window for a fault event, or extends an open one for a repeated trigger.
    ///
    /// A ticket always opens its own window, so each ticket gets one report. A ticket whose window id
    /// was already seen is a duplicate and is ignored. A trigger inside an open window of its host
    /// extends that window to `trigger + after` instead of opening another.
    ///
    /// With `arrival`, the fault counts as input for the idle timeout, so that a window opened by a
    /// fault event that arrives before its host's lines waits `idleTimeout` for them. Sources that
    /// deliver faults and lines on separate streams, such as Kafka topics, pass it.
    public func addFault(_ fault: FaultEvent, arrival: Date? = nil) -> [ClosedWindow] {
        var state = hosts.removeValue(forKey: fault.host) ?? newHostState()
        if let arrival, arrival > state.lastInput {
            state.lastInput = arrival
        }

        if fault.origin == .trigger {
            if let index = state.open.firstIndex(where: { $0.contains(fault.time) }) {
                state.open[index].extend(to: fault.time.addingTimeInterval(config.after))
                extendedByTrigger += 1
                hosts[fault.host] = state
                return []
            }
            if state.recentlyClosed.contains(where: { fault.time >= $0.start && fault.time <= $0.end }) {
                // The fault's lines were already diagnosed in a closed window; a new one would repeat it.
                duplicateFaults += 1
                hosts[fault.host] = state
                return []
            }
        }

        var window = FaultWindow(host: fault.host, fault: fault, before: config.before, after: config.after, maxLines: config.maxLinesPerWindow)
        guard knownWindowIDs.insert(window.id).inserted else {
            duplicateFaults += 1
            hosts[fault.host] = state
            return []
        }
        for line in state.history.lines(in: window.start...window.end) where !window.add(line) {
            duplicateLines += 1
        }
        state.open.append(window)
        openCount += 1

        let closed = closeByWatermark(&state)
        hosts[fault.host] = state
        return closed
    }

    /// Closes windows whose end lies before `now` on hosts idle for at least `idleTimeout`.
    public func closeIdle(now: Date) -> [ClosedWindow] {
        var closed: [ClosedWindow] = []
        for host in hosts.keys {
            guard var state = hosts[host], !state.open.isEmpty, now.timeIntervalSince(state.lastInput) >= config.idleTimeout else {
                continue
            }
            closed += close(&state, reason: .idle) { $0.end < now }
            hosts[host] = state
        }
        return closed
    }

    /// Closes every open window, as at end of input.
    public func closeAll() -> [ClosedWindow] {
        var closed: [ClosedWindow] = []
        for host in hosts.keys.sorted() {
            guard var state = hosts[host] else { continue }
            closed += close(&state, reason: .endOfInput) { _ in true }
            hosts[host] = state
        }
        return closed
    }

    private func closeByWatermark(_ state: inout HostState) -> [ClosedWindow] {
        guard let lateness = config.allowedLateness, !state.open.isEmpty else {
            return []
        }
        let watermark = state.latest.addingTimeInterval(-lateness)
        return close(&state, reason: .watermark) { $0.end < watermark }
    }

    private func close(_ state: inout HostState, reason: WindowCloseReason, where shouldClose: (FaultWindow) -> Bool) -> [ClosedWindow] {
        var closed: [ClosedWindow] = []
        state.open.removeAll { window in
            guard shouldClose(window) else {
                return false
            }
            closed.append(ClosedWindow(window: window, reason: reason))
            return true
        }
        for item in closed {
            state.recentlyClosed.append((item.window.id, item.window.start, item.window.end))
        }
        if state.recentlyClosed.count > config.closedWindowsRemembered {
            state.recentlyClosed.removeFirst(state.recentlyClosed.count - config.closedWindowsRemembered)
        }
        closedCount += closed.count
        openCount -= closed.count
        return closed.sorted { $0.window.fault.time < $1.window.fault.time }
    }

    func newHostState() -> HostState {
        HostState(history: HostHistory(
            maxLines: config.historyMaxLinesPerHost,
            maxBytes: config.historyMaxBytesPerHost,
            // A fault event may arrive as late as its window's close, when the host's newest line is
            // `after + lateness` past the fault, and still needs lines back to `fault - before`.
            maxAge: config.before + config.after + (config.allowedLateness ?? .infinity)
        ))
    }
}
