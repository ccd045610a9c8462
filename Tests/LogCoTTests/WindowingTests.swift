import Foundation
import Testing

@testable import LogCoT

private let base = TestSupport.utc("2024-03-10T12:00:00Z")

private func windowLine(_ offset: TimeInterval, _ text: String = "Memory CPU0A1_DIMM_Stat | Correctable ECC | Asserted") -> WindowLine {
    WindowLine(timestamp: base.addingTimeInterval(offset), text: text, template: TemplateMiner.template(of: text))
}

private func ticket(_ host: String, _ offset: TimeInterval) -> FaultEvent {
    FaultEvent(host: host, time: base.addingTimeInterval(offset), origin: .ticket, detail: "test")
}

private func trigger(_ host: String, _ offset: TimeInterval) -> FaultEvent {
    FaultEvent(host: host, time: base.addingTimeInterval(offset), origin: .trigger, detail: "rule")
}

private func manager(lateness: TimeInterval? = 60, maxLines: Int = 10_000) -> WindowManager {
    var config = WindowingConfig()
    config.before = 3_600
    config.after = 600
    config.allowedLateness = lateness
    config.idleTimeout = 30
    config.maxLinesPerWindow = maxLines
    return WindowManager(config: config)
}

@Suite struct WindowManagerTests {
    @Test func ticketBeforeLinesClosesByWatermark() {
        let windows = manager()
        #expect(windows.addFault(ticket("h1", 0)).isEmpty)
        #expect(windows.add(host: "h1", line: windowLine(-100), arrival: Date()).isEmpty)
        #expect(windows.add(host: "h1", line: windowLine(300), arrival: Date()).isEmpty)
        // The watermark is latest minus 60 s; the window ends at +600 s.
        #expect(windows.add(host: "h1", line: windowLine(660), arrival: Date()).isEmpty)
        let closed = windows.add(host: "h1", line: windowLine(661), arrival: Date())
        #expect(closed.count == 1)
        #expect(closed.first?.reason == .watermark)
        #expect(closed.first?.window.counts.seen == 2)
    }

    @Test func ticketAfterLinesUsesHistory() {
        let windows = manager()
        _ = windows.add(host: "h1", line: windowLine(-4_000), arrival: Date())
        _ = windows.add(host: "h1", line: windowLine(-3_000), arrival: Date())
        _ = windows.add(host: "h1", line: windowLine(-10), arrival: Date())
        _ = windows.add(host: "h1", line: windowLine(700), arrival: Date())
        // The fault arrives after its lines and after the watermark passed its end, so it closes at once.
        let closed = windows.addFault(ticket("h1", 0))
        #expect(closed.count == 1)
        // -4000 is outside [-3600, +600]; -3000 and -10 are inside, and +700 is after the end.
        #expect(closed.first?.window.counts.seen == 2)
    }

    @Test func emptyWindowClosesAtEndOfInput() {
        let windows = manager()
        _ = windows.addFault(ticket("quiet", 0))
        let closed = windows.closeAll()
        #expect(closed.count == 1)
        #expect(closed.first?.reason == .endOfInput)
        #expect(closed.first?.window.counts.seen == 0)
    }

    @Test func repeatedTriggersExtendOneWindow() {
        let windows = manager(lateness: nil)
        _ = windows.addFault(trigger("sw1", 0))
        _ = windows.addFault(trigger("sw1", 300))
        _ = windows.addFault(trigger("sw1", 800))
        #expect(windows.openCount == 1)
        #expect(windows.extendedByTrigger == 2)
        let closed = windows.closeAll()
        #expect(closed.count == 1)
        #expect(closed.first?.window.end == base.addingTimeInterval(1_400))
        #expect(closed.first?.window.extensions == 2)
    }

    @Test func eachTicketGetsItsOwnWindow() {
        let windows = manager(lateness: nil)
        _ = windows.addFault(ticket("h1", 0))
        _ = windows.addFault(ticket("h1", 120))
        _ = windows.addFault(ticket("h1", 0))
        #expect(windows.openCount == 2)
        #expect(windows.duplicateFaults == 1)
    }

    @Test func lateLineForClosedWindowIsCounted() {
        let windows = manager()
        _ = windows.addFault(ticket("h1", 0))
        _ = windows.add(host: "h1", line: windowLine(10_000), arrival: Date())
        #expect(windows.openCount == 0)
        _ = windows.add(host: "h1", line: windowLine(100), arrival: Date())
        #expect(windows.lateLines == 1)
    }

    @Test func outOfOrderWithinLatenessStaysInWindow() {
        let windows = manager(lateness: 3_600)
        _ = windows.addFault(ticket("h1", 0))
        _ = windows.add(host: "h1", line: windowLine(500), arrival: Date())
        _ = windows.add(host: "h1", line: windowLine(-200), arrival: Date())
        let closed = windows.closeAll()
        #expect(closed.first?.window.counts.seen == 2)
        #expect(closed.first?.window.counts.outOfOrder == 1)
    }

    @Test func idleCloseUsesWallClock() {
        let windows = manager(lateness: nil)
        let arrival = base.addingTimeInterval(700)
        _ = windows.addFault(ticket("h1", 0))
        _ = windows.add(host: "h1", line: windowLine(10), arrival: arrival)
        #expect(windows.closeIdle(now: arrival.addingTimeInterval(5)).isEmpty)
        let closed = windows.closeIdle(now: arrival.addingTimeInterval(31))
        #expect(closed.count == 1)
        #expect(closed.first?.reason == .idle)
    }

    @Test func stormOnOneHostStaysBounded() {
        let windows = manager(lateness: nil, maxLines: 10_000)
        _ = windows.addFault(ticket("storm", 0))
        for index in 0..<50_000 {
            // Distinct timestamps, so that no line is an exact repeat, which the window would drop.
            _ = windows.add(host: "storm", line: windowLine(Double(index) / 100, "link flap \(index % 7) on port Ethernet1/\(index % 48)"), arrival: Date())
        }
        let closed = windows.closeAll()
        let window = closed[0].window
        #expect(window.counts.seen == 50_000)
        #expect(window.counts.stored == 10_000)
        #expect(window.counts.compacted == 40_000)
        #expect(window.lines.count == 10_000)
        #expect(window.templates.count == 1)
        #expect(window.templates.values.first?.count == 50_000)
    }

    @Test func historyIsBoundedPerHost() {
        var config = WindowingConfig()
        config.historyMaxLinesPerHost = 100
        let windows = WindowManager(config: config)
        for index in 0..<1_000 {
            _ = windows.add(host: "h", line: windowLine(Double(index)), arrival: Date())
        }
        let closed = windows.addFault(ticket("h", 1_000))
        #expect(closed.isEmpty)
        #expect(windows.closeAll().first?.window.counts.seen == 100)
    }

    @Test func reportIDIsStableAndDistinct() {
        let first = FaultWindow(host: "h1", fault: ticket("h1", 0), before: 3_600, after: 600, maxLines: 10)
        let again = FaultWindow(host: "h1", fault: ticket("h1", 0), before: 3_600, after: 600, maxLines: 10)
        let other = FaultWindow(host: "h2", fault: ticket("h2", 0), before: 3_600, after: 600, maxLines: 10)
        #expect(first.id == again.id)
        #expect(first.id != other.id)
        #expect(first.id.count == 32)
    }
}

@Suite struct TriggerRuleTests {
    private func record(_ message: String, severity: Severity? = nil) -> LogRecord {
        LogRecord(host: "h", timestamp: base, timestampText: "", severity: severity, message: message)
    }

    @Test func defaultRulesMatchFaults() {
        let rules = TriggerRule.defaults
        let faults = [
            "Memory CPU0F0_DIMM_Stat | Uncorrectable ECC | Asserted",
            "Processor CPU_CATERR | State Asserted | Asserted",
            "Processor CPU1_Status | IERR | Asserted",
            "%PKT_INFRA-LINK-3-UPDOWN : Interface HundredGigE0/0/0/8, changed state to Down",
            "%ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/7 is down (Link failure)",
        ]
        for message in faults {
            #expect(rules.contains { $0.matches(record(message)) }, "no rule matched: \(message)")
        }
    }

    @Test func defaultRulesIgnoreNoise() {
        let rules = TriggerRule.defaults
        let noise = [
            "Memory CPU0F0_DIMM_Stat | Correctable ECC | Asserted",
            "%PKT_INFRA-LINK-3-UPDOWN : Interface HundredGigE0/0/0/8, changed state to Up",
            "System Boot Initiated BIOS_Boot_Up | Initiated by power up | Asserted",
        ]
        for message in noise {
            #expect(!rules.contains { $0.matches(record(message)) }, "a rule matched: \(message)")
        }
    }

    @Test func severityThreshold() throws {
        let rule = try TriggerRule(name: "crit", pattern: nil, minimumSeverity: .critical)
        #expect(rule.matches(record("x", severity: .alert)))
        #expect(!rule.matches(record("x", severity: .error)))
        #expect(!rule.matches(record("x")))
    }
}
