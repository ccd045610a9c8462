import Foundation
import Testing

@testable import LogCoT

/// Tests of the per-window bounds that keep a log storm of distinct lines from growing memory.
@Suite struct StormBoundsTests {
    private func window(maxLines: Int) -> FaultWindow {
        let fault = FaultEvent(host: "storm", time: Date(timeIntervalSince1970: 1_000), origin: .ticket, detail: "t")
        return FaultWindow(host: "storm", fault: fault, before: 3_600, after: 3_600, maxLines: maxLines)
    }

    @Test func templateTableBounded() {
        var window = window(maxLines: 100)
        for index in 0..<1_000 {
            let text = "unique token word\(index) appeared"
            window.add(WindowLine(timestamp: Date(timeIntervalSince1970: 1_000), text: text, template: text))
        }
        #expect(window.counts.seen == 1_000)
        #expect(window.counts.stored == 100)
        #expect(window.counts.compacted == 900)
        #expect(window.templates.count == 101)
        #expect(window.templates[FaultWindow.overflowTemplateKey]?.count == 900)
        #expect(window.templates.values.reduce(0) { $0 + $1.count } == 1_000)
    }

    @Test func knownTemplatesCountedPastBound() {
        var window = window(maxLines: 2)
        // Distinct timestamps, because an exact repeat of a stored line is dropped as a duplicate.
        for (offset, text) in ["a", "b", "c", "a", "b", "d"].enumerated() {
            window.add(WindowLine(timestamp: Date(timeIntervalSince1970: 1_000 + Double(offset)), text: text, template: text))
        }
        #expect(window.templates["a"]?.count == 2)
        #expect(window.templates["b"]?.count == 2)
        #expect(window.templates[FaultWindow.overflowTemplateKey]?.count == 2)
        #expect(window.templates[FaultWindow.overflowTemplateKey]?.example == "c")
    }
}
