import Foundation
import Testing

@testable import LogCoT

/// Compares two parse results field by field.
private func sameResult(_ left: ParseResult, _ right: ParseResult) -> Bool {
    switch (left, right) {
    case (.record(let a), .record(let b)):
        return a == b
    case (.ignored, .ignored):
        return true
    case (.rejected(let a), .rejected(let b)):
        return a == b
    default:
        return false
    }
}

@Suite struct SELFastPathTests {
    let parser = SELCSVParser(resolver: TimestampResolver(zone: .gmt))

    @Test func edgeRowsMatchGeneralParser() {
        let rows = [
            "000d33b21436,2020-09-02 11:38:40, Memory Memory_Status | Correctable ECC | Asserted,SM40",
            "  sn1 \t,\t2020-09-02 11:38:40 ,  msg with, two commas | b | c  , model ",
            "SN,TIME,msg,model",
            "sn,time,msg,model",
            " sn,time,msg,model",
            "sn1,2020-09-02 11:38:40,a | b | c | d,m",
            "sn1,2020-09-02 11:38:40,a || b | c,m",
            "sn1,2020-09-02 11:38:40, | | ,m",
            "sn1,2020-09-02 11:38:40,msg\r,m\r",
            "sn1,2020-09-02 11:38:40,\u{0B}msg\u{0C},m",
            "sn1,not a time,msg,m",
            ",2020-09-02 11:38:40,msg,m",
            "sn1,2020-09-02 11:38:40,msg",
            "sn1,,msg,m",
            "   ",
            "",
            "sn1,2020-09-02T11:38:40+02:00,msg,m",
        ]
        for text in rows {
            let line = RawLine(text: text, origin: "test", position: 1)
            #expect(sameResult(parser.parse(line), parser.parseGeneral(line)), "results differ for \(text.debugDescription)")
        }
    }

    @Test func tianchiRowsMatchGeneralParser() throws {
        guard TestSupport.sharedDataAvailable else {
            return
        }
        let url = try TestSupport.sharedFile("tianchi-sel/preliminary_sel_log_dataset_a.csv")
        var compared = 0
        try FileLineSource(url: url, maxLineBytes: 65_536).forEachLine { line in
            compared += 1
            #expect(sameResult(parser.parse(line), parser.parseGeneral(line)), "results differ for line \(line.position)")
        }
        #expect(compared > 10_000)
    }
}

@Suite struct TriggerRequiredWordsTests {
    /// Every line of the shared logs that a default rule's pattern matches must pass its word check.
    @Test func wordsNeverHideAMatch() throws {
        guard TestSupport.sharedDataAvailable else {
            return
        }
        let files = [
            "tianchi-sel/preliminary_sel_log_dataset_a.csv",
            "loghub/BGL_2k.log",
            "loghub/Thunderbird_2k.log",
            "loghub/Linux_2k.log",
        ]
        var messages = [
            "Processor CPU1_Status | IERR | Asserted",
            "processor reports a machine check",
            "%ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/7 is down (Link failure)",
            "Line protocol on Interface Gi0/1, changed state to DOWN",
            "%PKT_INFRA-FM-2-FAULT_CRITICAL : ALARM_CRITICAL",
            "UCE on DIMM A1",
        ]
        for file in files {
            try FileLineSource(url: try TestSupport.sharedFile(file), maxLineBytes: 65_536).forEachLine { messages.append($0.text) }
        }

        var matched = 0
        for rule in TriggerRule.defaults {
            let regex = try #require(rule.regex)
            for message in messages {
                let range = NSRange(message.startIndex..., in: message)
                guard regex.firstMatch(in: message, range: range) != nil else {
                    continue
                }
                matched += 1
                #expect(!rule.requiredWords.excludes(message), "\(rule.name) skipped a matching line: \(message)")
            }
        }
        #expect(matched > 6)
    }

    @Test func wordsRuleOutOnlyASCII() {
        let words = RequiredWords(["down"])
        #expect(words.excludes("link up"))
        #expect(!words.excludes("link DOWN"))
        #expect(!words.excludes("link d\u{00F6}wn"))
        #expect(!RequiredWords([]).excludes("anything"))
    }
}
