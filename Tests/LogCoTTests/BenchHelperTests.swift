import Foundation
import Testing

@testable import LogCoT

@Suite struct GroupingAccuracyTests {
    @Test func exactGroupsScoreOne() {
        let accuracy = GroupingAccuracy.compute(predicted: ["a", "a", "b"], truth: ["x", "x", "y"])
        #expect(accuracy == 1)
    }

    @Test func mergedGroupsScoreZero() {
        // One predicted group contains both truth groups, so no message is grouped correctly.
        let accuracy = GroupingAccuracy.compute(predicted: ["a", "a", "a"], truth: ["x", "x", "y"])
        #expect(accuracy == 0)
    }

    @Test func splitGroupCountsOnlyExactOnes() {
        // Truth: {0,1,2} and {3,4}. Predicted: {0,1}, {2}, {3,4}. Only messages 3 and 4 are correct.
        let accuracy = GroupingAccuracy.compute(predicted: ["p", "p", "q", "r", "r"], truth: ["x", "x", "x", "y", "y"])
        #expect(accuracy == 0.4)
    }

    @Test func emptyInputScoresZero() {
        #expect(GroupingAccuracy.compute(predicted: [], truth: []) == 0)
    }
}

@Suite struct PercentilesTests {
    @Test func nearestRankOfTenSamples() {
        let samples = (1...10).map(Double.init).shuffled()
        #expect(Percentiles.nearestRank(samples, percent: 50) == 5)
        #expect(Percentiles.nearestRank(samples, percent: 99) == 10)
        #expect(Percentiles.nearestRank(samples, percent: 90) == 9)
        #expect(Percentiles.nearestRank(samples, percent: 0) == 1)
        #expect(Percentiles.nearestRank(samples, percent: 100) == 10)
    }

    @Test func noSamplesGiveNil() {
        #expect(Percentiles.nearestRank([], percent: 50) == nil)
    }
}

@Suite struct BenchReportTests {
    private func report() -> BenchReport {
        BenchReport(
            startedAt: "2026-01-01T00:00:00.000Z",
            command: ["logcot", "bench"],
            build: "release",
            machine: BenchMachine(cores: 2, cpuModel: "test cpu", loadAtStart: [1, 2, 3]),
            tools: ["drain3": "0.9.11"],
            figures: [
                BenchFigure(item: "latency", name: "p99", value: 7, unit: "ms", target: BenchTarget(.atMost, 5)),
                BenchFigure(item: "throughput", name: "sel", value: 2_000_000, unit: "lines/s", target: BenchTarget(.atLeast, 1_000_000)),
                BenchFigure(item: "llm", name: "1 in flight", value: nil, unit: "requests/s", note: "not run"),
            ]
        )
    }

    @Test func targetsDecideMeetsTarget() {
        let figures = report().figures
        #expect(figures[0].meetsTarget == false)
        #expect(figures[1].meetsTarget == true)
        #expect(figures[2].meetsTarget == nil)
    }

    @Test func jsonUsesSnakeCaseKeys() throws {
        let object = try JSONSerialization.jsonObject(with: report().encoded()) as? [String: Any]
        #expect(object?["schema_version"] as? Int == 1)
        #expect((object?["machine"] as? [String: Any])?["cpu_model"] as? String == "test cpu")
        #expect((object?["tools"] as? [String: String])?["drain3"] == "0.9.11")
        let figures = object?["figures"] as? [[String: Any]]
        #expect(figures?.count == 3)
        #expect(figures?[0]["meets_target"] as? Bool == false)
        let target = figures?[0]["target"] as? [String: Any]
        #expect(target?["direction"] as? String == "at_most")
        #expect(target?["bound"] as? Double == 5)
        #expect(figures?[2]["value"] == nil)
    }

    @Test func tableMarksMissedTargets() {
        let lines = report().table().split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[1].contains("<= 5"))
        #expect(lines[1].contains("NO"))
        #expect(lines[2].contains("2000000"))
        #expect(lines[2].contains("yes"))
        #expect(lines[3].contains("not run"))
    }
}

@Suite struct DecisiveLinesTests {
    let lines = [
        "Memory #0xf9 | Correctable ECC | Asserted",
        "Processor CPU_CATERR | State Deasserted | Asserted",
        "Button Button_Pressed | State Asserted | Asserted",
    ]

    @Test func quotedPhraseSelectsLine() {
        let reasoning = #"The highest-priority error is the "Processor CPU_CATERR" error, a CPU fault."#
        #expect(DecisiveLines.find(in: lines, reasoning: reasoning) == [1])
    }

    @Test func sensorNameIsTheFallback() {
        let reasoning = "The button_pressed event shows someone reset the host by hand."
        #expect(DecisiveLines.find(in: lines, reasoning: reasoning) == [2])
    }

    @Test func shortQuotesAndGenericWordsSelectNothing() {
        let reasoning = #"The "ECC" count is low, so memory is fine and the cause is unclear."#
        #expect(DecisiveLines.find(in: lines, reasoning: reasoning).isEmpty)
    }
}

@Suite struct SyntheticSELTests {
    @Test func rowsParseAsSELRecords() {
        var generator = SyntheticSEL(hostCount: 3, faultShare: 0.5, seed: 7)
        let parser = SELCSVParser(resolver: TimestampResolver(zone: .gmt))
        let rows = generator.next(50)
        var hosts: Set<String> = []
        for row in rows {
            guard case .record(let record) = parser.parse(RawLine(text: row, origin: "test", position: 1)) else {
                Issue.record("row did not parse: \(row)")
                continue
            }
            hosts.insert(record.host)
            #expect(record.fields["sensor"] != nil, "row lacks three | parts: \(row)")
        }
        #expect(hosts.count == 3)
    }

    @Test func sameSeedGivesSameRows() {
        var first = SyntheticSEL(hostCount: 5, seed: 42)
        var second = SyntheticSEL(hostCount: 5, seed: 42)
        #expect(first.next(20) == second.next(20))
    }

    @Test func timestampTextMatchesCalendar() {
        // 2020-02-29 12:34:56 UTC is 1582979696 seconds after the epoch.
        #expect(SyntheticSEL.timestampText(Date(timeIntervalSince1970: 1_582_979_696)) == "2020-02-29 12:34:56")
        #expect(SyntheticSEL.timestampText(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00")
    }
}

@Suite struct ProcessMemoryTests {
    @Test func statusFieldsParseToBytes() {
        let status = "Name:\tlogcot\nVmHWM:\t  20480 kB\nVmRSS:\t   1024 kB\n"
        #expect(ProcessMemory.parseStatus(status, name: "VmHWM") == 20_480 * 1024)
        #expect(ProcessMemory.parseStatus(status, name: "VmRSS") == 1024 * 1024)
        #expect(ProcessMemory.parseStatus(status, name: "VmSwap") == nil)
    }
}

@Suite struct LoghubStructuredTests {
    @Test func readsContentAndEventColumns() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("tiny_structured.csv")
        let text = """
            LineId,Content,EventId,EventTemplate
            1,"RAS KERNEL INFO, generating core.2275",E1,RAS KERNEL INFO <*>
            2,instruction cache parity error corrected,E2,instruction cache parity error corrected

            """
        try Data(text.utf8).write(to: url)
        let structured = try LoghubStructured.load(from: url)
        #expect(structured.contents == ["RAS KERNEL INFO, generating core.2275", "instruction cache parity error corrected"])
        #expect(structured.eventIDs == ["E1", "E2"])
    }

    @Test func missingColumnIsAnError() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("bad_structured.csv")
        try Data("LineId,Content\n1,x\n".utf8).write(to: url)
        #expect(throws: LoghubStructuredError.self) {
            try LoghubStructured.load(from: url)
        }
    }
}
