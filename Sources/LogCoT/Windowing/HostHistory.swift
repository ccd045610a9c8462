import Foundation

/// A host's recent lines, kept so that a fault event arriving after its lines still sees them.
///
/// Bounded three ways: lines older than `maxAge` before the host's latest timestamp go first, then
/// the oldest lines while the count or byte total is over its limit.
struct HostHistory {
    private var buffer: [WindowLine] = []
    private var head = 0
    private(set) var byteCount = 0
    let maxLines: Int
    let maxBytes: Int
    let maxAge: TimeInterval
    /// Lines dropped to stay within the bounds.
    private(set) var evicted = 0

    init(maxLines: Int, maxBytes: Int, maxAge: TimeInterval) {
        self.maxLines = maxLines
        self.maxBytes = maxBytes
        self.maxAge = maxAge
    }

    var count: Int { buffer.count - head }

    mutating func append(_ line: WindowLine, latest: Date) {
        guard maxLines > 0, maxBytes > 0 else {
            return
        }
        buffer.append(line)
        byteCount += line.text.utf8.count

        let oldest = latest.addingTimeInterval(-maxAge)
        while count > 0, count > maxLines || byteCount > maxBytes || buffer[head].timestamp < oldest {
            byteCount -= buffer[head].text.utf8.count
            head += 1
            evicted += 1
        }

        // Compact once the dead prefix is as large as the live part, so appends stay amortised O(1).
        if head > 1_024, head * 2 > buffer.count {
            buffer.removeFirst(head)
            head = 0
        }
    }

    func lines(in window: ClosedRange<Date>) -> [WindowLine] {
        buffer[head...].filter { window.contains($0.timestamp) }
    }
}

/// Everything the window manager tracks for one host.
struct HostState {
    var history: HostHistory
    var latest: Date = .distantPast
    var open: [FaultWindow] = []
    /// Recently closed windows' bounds and ids, to count late lines and drop duplicate tickets.
    var recentlyClosed: [(id: String, start: Date, end: Date)] = []
    var lastInput: Date = .distantPast
}
