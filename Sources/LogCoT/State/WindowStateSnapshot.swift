import Foundation

/// The saved windowing state of one host: its open windows, recent history and watermark.
public struct HostWindowSnapshot: Sendable, Codable {
    /// Bounds of a recently closed window, to count late lines and drop repeated triggers.
    struct ClosedBounds: Sendable, Codable {
        var id: String
        var start: Date
        var end: Date
    }

    var latest: Date
    var lastInput: Date
    var open: [FaultWindow]
    var recentlyClosed: [ClosedBounds]
    /// The history's lines, oldest first; restoring re-applies the current history limits to them.
    var history: [WindowLine]

    /// Ids of the open windows.
    public var openWindowIDs: [String] { open.map(\.id) }

    /// Encodes as JSON; infinite or NaN numbers, which JSON lacks, are written as strings.
    public func encoded() throws -> Data {
        try Self.encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> HostWindowSnapshot {
        try decoder.decode(HostWindowSnapshot.self, from: data)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }()
}

extension WindowManager {
    /// Hosts with at least one open window.
    public var hostsWithOpenWindows: [String] {
        hosts.compactMap { $0.value.open.isEmpty ? nil : $0.key }
    }

    /// Returns the host's state for a checkpoint, or nil when the host was never seen.
    public func snapshot(host: String) -> HostWindowSnapshot? {
        guard let state = hosts[host] else {
            return nil
        }
        return HostWindowSnapshot(
            latest: state.latest,
            lastInput: state.lastInput,
            open: state.open,
            recentlyClosed: state.recentlyClosed.map { .init(id: $0.id, start: $0.start, end: $0.end) },
            history: state.history.lines(in: Date.distantPast...Date.distantFuture)
        )
    }

    /// Replaces the state with saved hosts.
    ///
    /// `closedWindowIDs` are the ids of windows that already have a report. A fault whose window id
    /// is among them opens no second window.
    public func restore(_ snapshots: [String: HostWindowSnapshot], closedWindowIDs: Set<String>) {
        hosts.removeAll()
        knownWindowIDs = closedWindowIDs
        merge(snapshots)
    }

    /// Adds or replaces the state of `snapshots`' hosts and keeps every other host, for state that
    /// another process handed over.
    ///
    /// The ids of the hosts' open and recently closed windows become known, so that a fault whose
    /// window the other process already reported opens no second window here.
    public func merge(_ snapshots: [String: HostWindowSnapshot]) {
        for (host, snapshot) in snapshots {
            var state = newHostState()
            state.latest = snapshot.latest
            state.lastInput = snapshot.lastInput
            state.open = snapshot.open
            state.recentlyClosed = snapshot.recentlyClosed.map { ($0.id, $0.start, $0.end) }
            for line in snapshot.history {
                state.history.append(line, latest: snapshot.latest)
            }
            knownWindowIDs.formUnion(snapshot.open.map(\.id))
            knownWindowIDs.formUnion(snapshot.recentlyClosed.map(\.id))
            hosts[host] = state
        }
        openCount = hosts.values.reduce(0) { $0 + $1.open.count }
    }

    /// Removes the state of `hosts`, after it moved to another process; their open windows do not
    /// close here.
    public func remove(hosts removed: [String]) {
        for host in removed {
            hosts[host] = nil
        }
    }
}
