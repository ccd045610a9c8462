import Foundation
import Testing

@testable import LogCoT

/// The time semantics of windowing that docs/reliability.md states: out-of-order lines, clock skew
/// between hosts and against the daemon, exact duplicate lines, and lines after their window closed.
@Suite struct WindowTimeTests {
    static let base = TestSupport.utc("2024-03-10T12:00:00Z")

    static func line(_ offset: TimeInterval, _ text: String = "Memory CPU0A1_DIMM_Stat | Correctable ECC | Asserted") -> WindowLine {
        WindowLine(timestamp: base.addingTimeInterval(offset), text: text, template: TemplateMiner.template(of: text))
    }

    static func ticket(_ host: String, _ offset: TimeInterval) -> FaultEvent {
        FaultEvent(host: host, time: base.addingTimeInterval(offset), origin: .ticket, detail: "test")
    }

    /// Windows of [-3600 s, +600 s] around the fault, closing 60 s after the host passes their end.
    static func manager(lateness: TimeInterval? = 60) -> WindowManager {
        var config = WindowingConfig()
        config.before = 3_600
        config.after = 600
        config.allowedLateness = lateness
        config.idleTimeout = 30
        return WindowManager(config: config)
    }

    @Test func outOfOrderLineWithinLatenessCounted() {
        let windows = Self.manager()
        _ = windows.addFault(Self.ticket("h1", 0))
        _ = windows.add(host: "h1", line: Self.line(300), arrival: Date())
        _ = windows.add(host: "h1", line: Self.line(100, "older line"), arrival: Date())

        let closed = windows.closeAll()
        #expect(closed.count == 1)
        #expect(closed.first?.window.counts.seen == 2)
        #expect(closed.first?.window.counts.outOfOrder == 1)
        #expect(windows.lateLines == 0)
        #expect(closed.first?.window.lines.map(\.text).contains("older line") == true)
    }

    @Test func lineAfterWindowClosedCountedLate() {
        let windows = Self.manager()
        _ = windows.addFault(Self.ticket("h1", 0))
        _ = windows.add(host: "h1", line: Self.line(10), arrival: Date())
        // 661 s is past the end (600 s) plus the lateness (60 s), so the window closes.
        let closed = windows.add(host: "h1", line: Self.line(661), arrival: Date())
        #expect(closed.count == 1)
        #expect(closed.first?.reason == .watermark)

        _ = windows.add(host: "h1", line: Self.line(20, "arrived too late"), arrival: Date())
        #expect(windows.lateLines == 1)
        #expect(closed.first?.window.counts.seen == 1)
        #expect(windows.closeAll().isEmpty, "a late line opens no window")
    }

    @Test func lineBeforeAnyWindowIsNotLate() {
        let windows = Self.manager()
        _ = windows.add(host: "h1", line: Self.line(10), arrival: Date())
        _ = windows.add(host: "h1", line: Self.line(-7_200), arrival: Date())
        #expect(windows.lateLines == 0, "only lines inside a closed window's bounds count as late")
    }

    /// A host whose clock runs two hours ahead moves only its own watermark.
    @Test func skewedHostClosesOnlyItsWindows() {
        let windows = Self.manager()
        _ = windows.addFault(Self.ticket("slow", 0))
        _ = windows.addFault(Self.ticket("fast", 7_200))
        _ = windows.add(host: "slow", line: Self.line(30), arrival: Date())

        let closedFast = windows.add(host: "fast", line: Self.line(7_200 + 661), arrival: Date())
        #expect(closedFast.map(\.window.host) == ["fast"])
        #expect(windows.openCount == 1, "the slow host's window stays open")

        let closedSlow = windows.add(host: "slow", line: Self.line(661), arrival: Date())
        #expect(closedSlow.map(\.window.host) == ["slow"])
        #expect(closedSlow.first?.window.counts.seen == 1, "the line at +661 s lies after the end")
    }

    /// The idle timeout compares a window's end with the daemon's clock, so a host whose clock
    /// runs ahead keeps its windows open until the daemon's clock passes their end.
    @Test func idleCloseWaitsForDaemonClock() {
        let windows = Self.manager()
        _ = windows.addFault(Self.ticket("ahead", 0))
        let arrival = Self.base.addingTimeInterval(-3_000)
        _ = windows.add(host: "ahead", line: Self.line(10), arrival: arrival)

        let beforeEnd = windows.closeIdle(now: Self.base.addingTimeInterval(599))
        #expect(beforeEnd.isEmpty, "idle for long enough, but the end lies ahead of the daemon's clock")

        let afterEnd = windows.closeIdle(now: Self.base.addingTimeInterval(601))
        #expect(afterEnd.count == 1)
        #expect(afterEnd.first?.reason == .idle)
    }

    @Test func exactDuplicateLineDroppedAndCounted() {
        let windows = Self.manager()
        _ = windows.addFault(Self.ticket("h1", 0))
        _ = windows.add(host: "h1", line: Self.line(10), arrival: Date())
        _ = windows.add(host: "h1", line: Self.line(10), arrival: Date())
        _ = windows.add(host: "h1", line: Self.line(11), arrival: Date())
        _ = windows.add(host: "h1", line: Self.line(10, "same time, other text"), arrival: Date())

        let window = windows.closeAll()[0].window
        #expect(window.counts.duplicates == 1)
        #expect(window.counts.seen == 3)
        #expect(window.counts.stored == 3)
        #expect(window.templates.values.map(\.count).reduce(0, +) == 3)
        #expect(windows.duplicateLines == 1)
    }

    /// A line both in the host's history and sent again after the fault opened the window.
    @Test func duplicateOfHistoryLineCounted() {
        let windows = Self.manager()
        _ = windows.add(host: "h1", line: Self.line(-20), arrival: Date())
        _ = windows.addFault(Self.ticket("h1", 0))
        _ = windows.add(host: "h1", line: Self.line(-20), arrival: Date())

        let window = windows.closeAll()[0].window
        #expect(window.counts.seen == 1)
        #expect(window.counts.duplicates == 1)
        #expect(windows.duplicateLines == 1)
    }

    /// After a restart the window comes from its saved JSON, and repeats are still recognised.
    @Test func duplicateDetectedAfterSnapshot() throws {
        var window = FaultWindow(host: "h1", fault: Self.ticket("h1", 0), before: 3_600, after: 600, maxLines: 100)
        let added = window.add(Self.line(10))
        #expect(added)
        let data = try JSONEncoder().encode(window)
        #expect(!String(decoding: data, as: UTF8.self).contains("storedIdentities"))

        var restored = try JSONDecoder().decode(FaultWindow.self, from: data)
        let repeatAdded = restored.add(Self.line(10))
        let newAdded = restored.add(Self.line(12))
        #expect(repeatAdded == false)
        #expect(newAdded)
        #expect(restored.counts.duplicates == 1)
        #expect(restored.counts.seen == 2)
    }

    /// Counts saved before the duplicate count existed still load.
    @Test func countsWithoutDuplicatesDecode() throws {
        let json = #"{"seen":4,"stored":3,"compacted":1,"outOfOrder":2,"rejected":0}"#
        let counts = try JSONDecoder().decode(WindowLineCounts.self, from: Data(json.utf8))
        #expect(counts.seen == 4)
        #expect(counts.compacted == 1)
        #expect(counts.duplicates == 0)
    }

    /// Repeats past `maxLinesPerWindow` are compacted, not compared.
    @Test func duplicatesPastStoredLinesCompacted() {
        var window = FaultWindow(host: "h1", fault: Self.ticket("h1", 0), before: 3_600, after: 600, maxLines: 1)
        let results = [10, 11, 11, 10].map { window.add(Self.line(TimeInterval($0))) }
        // 10 is stored; 11 is past the maximum, so its repeat is compacted again; 10 repeats a stored line.
        #expect(results == [true, true, true, false])
        #expect(window.counts.compacted == 2)
        #expect(window.counts.duplicates == 1)
    }

    @Test func duplicateTicketIgnored() {
        let windows = Self.manager()
        _ = windows.addFault(Self.ticket("h1", 0))
        _ = windows.addFault(Self.ticket("h1", 0))
        #expect(windows.openCount == 1)
        #expect(windows.duplicateFaults == 1)
    }
}
