import Foundation
import Testing

@testable import LogCoT

private func line(_ text: String, hostHint: String? = nil, truncated: Bool = false) -> RawLine {
    RawLine(text: text, origin: "test", position: 1, truncated: truncated, hostHint: hostHint)
}

private func record(_ result: ParseResult) throws -> LogRecord {
    switch result {
    case .record(let record):
        return record
    case .ignored:
        throw TestFailure("line was ignored")
    case .rejected(let error):
        throw TestFailure("line was rejected: \(error.reason)")
    }
}

private func rejection(_ result: ParseResult) -> String? {
    if case .rejected(let error) = result {
        return error.reason
    }
    return nil
}

@Suite struct SELCSVParserTests {
    let parser = SELCSVParser(resolver: TimestampResolver(zone: .gmt))

    @Test func parsesRow() throws {
        let parsed = try record(parser.parse(line("000d33b21436,2020-09-02 11:38:40, Memory Memory_Status | Correctable ECC | Asserted,SM40")))
        #expect(parsed.host == "000d33b21436")
        #expect(parsed.timestamp == TestSupport.utc("2020-09-02T11:38:40Z"))
        #expect(parsed.timestampText == "2020-09-02 11:38:40")
        #expect(parsed.message == "Memory Memory_Status | Correctable ECC | Asserted")
        #expect(parsed.fields["server_model"] == "SM40")
        #expect(parsed.fields["event"] == "Correctable ECC")
        #expect(parsed.fields["assertion"] == "Asserted")
    }

    @Test func ignoresHeader() {
        guard case .ignored = parser.parse(line("sn,time,msg,server_model")) else {
            Issue.record("header was not ignored")
            return
        }
    }

    @Test func quotedFieldWithFullWidthComma() throws {
        let parsed = try record(parser.parse(line("054b6ad4c4c2,2020-06-04 16:40:51,\" Power Supply PS1_Status | AC lost，then \"\"restored\"\", ok | Asserted\",SM55")))
        #expect(parsed.message == "Power Supply PS1_Status | AC lost，then \"restored\", ok | Asserted")
        #expect(parsed.fields["server_model"] == "SM55")
    }

    @Test func unquotedCommasJoinIntoMessage() throws {
        let parsed = try record(parser.parse(line("34b02a163f55,2020-04-21 01:46:10, AC out-of-range, but present | Asserted,SM19")))
        #expect(parsed.message == "AC out-of-range, but present | Asserted")
        #expect(parsed.fields["server_model"] == "SM19")
    }

    @Test func rejectsBadTimeWithHost() {
        let result = parser.parse(line("abc,2020-13-40 99:00:00, Memory | x | Asserted,SM1"))
        guard case .rejected(let error) = result else {
            Issue.record("bad time was accepted")
            return
        }
        #expect(error.reason.contains("invalid time '2020-13-40 99:00:00'"))
        #expect(error.host == "abc")
    }

    @Test func rejectsTooFewFields() {
        #expect(rejection(parser.parse(line("abc,2020-01-01 00:00:00"))) == "expected 4 CSV fields (sn,time,msg,server_model), found 2")
    }

    @Test func configuredZoneApplies() throws {
        let berlin = SELCSVParser(resolver: TimestampResolver(zone: TimeZone(identifier: "Europe/Berlin")!))
        let winter = try record(berlin.parse(line("h,2020-01-15 12:00:00, x | y | Asserted,SM1")))
        let summer = try record(berlin.parse(line("h,2020-07-15 12:00:00, x | y | Asserted,SM1")))
        #expect(winter.timestamp == TestSupport.utc("2020-01-15T11:00:00Z"))
        #expect(summer.timestamp == TestSupport.utc("2020-07-15T10:00:00Z"))
    }
}

@Suite struct JSONLinesParserTests {
    let parser = JSONLinesParser(resolver: TimestampResolver(zone: .gmt), fields: JSONFieldMapping())

    @Test func parsesMappedFields() throws {
        let parsed = try record(parser.parse(line(#"{"host":"web1","timestamp":"2024-05-01T12:00:00.250+02:00","message":"disk full","severity":"err","unit":"app.service"}"#)))
        #expect(parsed.host == "web1")
        #expect(parsed.timestamp == TestSupport.utc("2024-05-01T10:00:00.250Z"))
        #expect(parsed.severity == .error)
        #expect(parsed.message == "disk full")
        #expect(parsed.fields["unit"] == "app.service")
    }

    @Test func customNestedMapping() throws {
        let custom = JSONLinesParser(resolver: TimestampResolver(zone: .gmt), fields: JSONFieldMapping(host: "agent.name", timestamp: "ts", message: "log", severity: "level"))
        let parsed = try record(custom.parse(line(#"{"agent":{"name":"db2"},"ts":1714564800,"log":"ok","level":3}"#)))
        #expect(parsed.host == "db2")
        #expect(parsed.timestamp == Date(timeIntervalSince1970: 1_714_564_800))
        #expect(parsed.severity == .error)
    }

    @Test func epochMilliseconds() throws {
        let parsed = try record(parser.parse(line(#"{"host":"a","timestamp":1714564800123,"message":"m"}"#)))
        #expect(abs(parsed.timestamp.timeIntervalSince1970 - 1_714_564_800.123) < 0.0005)
    }

    @Test func rejectsMissingHostAndBadJSON() {
        #expect(rejection(parser.parse(line(#"{"timestamp":"2024-05-01T00:00:00Z","message":"m"}"#)))?.contains("missing host field 'host'") == true)
        #expect(rejection(parser.parse(line(#"{"host": "a", "#)))?.hasPrefix("invalid JSON") == true)
        #expect(rejection(parser.parse(line(#"[1,2]"#))) == "expected a JSON object per line")
    }

    @Test func hostFromSourceHint() throws {
        let parsed = try record(parser.parse(line(#"{"timestamp":"2024-05-01T00:00:00Z","message":"m"}"#, hostHint: "kafka-key-host")))
        #expect(parsed.host == "kafka-key-host")
    }
}

@Suite struct SyslogParserTests {
    /// 2024-01-01 00:00:05 UTC, just after a year boundary.
    let newYear = SyslogParser(resolver: TimestampResolver(zone: .gmt, referenceTime: TestSupport.utc("2024-01-01T00:00:05Z")))

    @Test func yearRolloverKeepsOldYear() throws {
        let parsed = try record(newYear.parse(line("Dec 31 23:59:58 host1 kernel: tick")))
        #expect(parsed.timestamp == TestSupport.utc("2023-12-31T23:59:58Z"))
    }

    @Test func yearRolloverForwardsToNewYear() throws {
        let lateDecember = SyslogParser(resolver: TimestampResolver(zone: .gmt, referenceTime: TestSupport.utc("2023-12-31T23:59:58Z")))
        let parsed = try record(lateDecember.parse(line("Jan  1 00:00:05 host1 kernel: tock")))
        #expect(parsed.timestamp == TestSupport.utc("2024-01-01T00:00:05Z"))
    }

    @Test func rfc3164WithPriority() throws {
        let parsed = try record(newYear.parse(line("<34>Dec 30 10:00:00 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8")))
        #expect(parsed.host == "mymachine")
        #expect(parsed.severity == .critical)
        #expect(parsed.fields["facility"] == "4")
        #expect(parsed.fields["app_name"] == "su")
        #expect(parsed.fields["procid"] == "123")
        #expect(parsed.message == "'su root' failed for lonvick on /dev/pts/8")
    }

    @Test func rfc3164LinuxForm() throws {
        let parsed = try record(newYear.parse(line("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=10.2.3.4")))
        #expect(parsed.host == "combo")
        #expect(parsed.message == "authentication failure; rhost=10.2.3.4")
    }

    @Test func rfc5424() throws {
        let parsed = try record(newYear.parse(line(#"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventID="1011"] An application event"#)))
        #expect(parsed.host == "mymachine.example.com")
        #expect(parsed.timestamp == TestSupport.utc("2003-10-11T22:14:15.003Z"))
        #expect(parsed.severity == .notice)
        #expect(parsed.fields["app_name"] == "evntslog")
        #expect(parsed.fields["msgid"] == "ID47")
        #expect(parsed.fields["procid"] == nil)
        #expect(parsed.message == "An application event")
    }

    @Test func rfc5424WithOffset() throws {
        let parsed = try record(newYear.parse(line("<13>1 2024-03-01T08:00:00-05:00 sw1 app 77 - - link down")))
        #expect(parsed.timestamp == TestSupport.utc("2024-03-01T13:00:00Z"))
        #expect(parsed.message == "link down")
    }

    @Test func iosXRWithHostFromFile() throws {
        let september = SyslogParser(resolver: TimestampResolver(zone: .gmt, referenceTime: TestSupport.utc("2023-10-01T00:00:00Z")))
        let parsed = try record(september.parse(line("RP/0/RP0/CPU0:Sep  1 08:54:59.133 : ifmgr[241]: %PKT_INFRA-LINK-3-UPDOWN : Interface HundredGigE0/0/0/8, changed state to Down ", hostHint: "leaf1")))
        #expect(parsed.host == "leaf1")
        #expect(parsed.timestamp == TestSupport.utc("2023-09-01T08:54:59.133Z"))
        #expect(parsed.severity == .error)
        #expect(parsed.fields["node"] == "RP/0/RP0/CPU0")
        #expect(parsed.fields["app_name"] == "ifmgr")
        #expect(parsed.fields["mnemonic"] == "PKT_INFRA-LINK-3-UPDOWN")
        #expect(parsed.message.hasPrefix("%PKT_INFRA-LINK-3-UPDOWN : Interface HundredGigE0/0/0/8"))
    }

    @Test func iosXRWithRelayPrefix() throws {
        let parsed = try record(newYear.parse(line("<187>1234: spine7 RP/0/RSP0/CPU0:Dec 30 09:00:00.000 UTC: bgp[1084]: %ROUTING-BGP-5-ADJCHANGE : neighbor 10.0.0.2 Down")))
        #expect(parsed.host == "spine7")
        #expect(parsed.severity == .notice)
        #expect(parsed.timestamp == TestSupport.utc("2023-12-30T09:00:00Z"))
    }

    @Test func iosXRZoneAbbreviation() throws {
        let parsed = try record(newYear.parse(line("RP/0/RP0/CPU0:Dec 30 09:00:00.000 PST : bgp[1084]: %ROUTING-BGP-5-ADJCHANGE : up", hostHint: "r1")))
        #expect(parsed.timestamp == TestSupport.utc("2023-12-30T17:00:00Z"))
    }

    @Test func nxos() throws {
        let parsed = try record(newYear.parse(line("2023 Nov  5 10:12:13 n9k-leaf2 %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/7 is down (Link failure)")))
        #expect(parsed.host == "n9k-leaf2")
        #expect(parsed.timestamp == TestSupport.utc("2023-11-05T10:12:13Z"))
        #expect(parsed.severity == .notice)
        #expect(parsed.message == "%ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/7 is down (Link failure)")
    }

    @Test func nxosWithZoneAndNoHost() throws {
        let parsed = try record(newYear.parse(line("2023 Nov  5 10:12:13.456 UTC: %ETHPORT-3-IF_ERROR: bad", hostHint: "n9k")))
        #expect(parsed.host == "n9k")
        #expect(parsed.timestamp == TestSupport.utc("2023-11-05T10:12:13.456Z"))
        #expect(parsed.severity == .error)
    }

    @Test func ciscoIOS() throws {
        let parsed = try record(newYear.parse(line("*Dec 30 18:46:11.123 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down", hostHint: "edge1")))
        #expect(parsed.host == "edge1")
        #expect(parsed.severity == .error)
        #expect(parsed.timestamp == TestSupport.utc("2023-12-30T18:46:11.123Z"))
        #expect(parsed.message.hasPrefix("%LINK-3-UPDOWN: Interface"))
    }

    @Test func showClockHeaderRejected() {
        #expect(rejection(newYear.parse(line("Fri Sep  1 12:49:29.836 PDT", hostHint: "leaf1"))) == "IOS-XR 'show clock' output, not a log message")
    }

    @Test func rejectsNoTimestamp() {
        #expect(rejection(newYear.parse(line("hello world", hostHint: "x")))?.hasPrefix("no syslog timestamp found") == true)
    }

    @Test func rejectsWithoutHost() {
        #expect(rejection(newYear.parse(line("RP/0/RP0/CPU0:Dec 30 09:00:00.000 : bgp[1]: %A-B-5-C : x")))?.contains("names no host") == true)
    }

    @Test func invalidUTF8DoesNotCrash() throws {
        let bytes: [UInt8] = Array("Dec 30 10:00:00 h1 app: bad ".utf8) + [0xFF, 0xFE, 0xC3] + Array(" end".utf8)
        var splitter = LineSplitter(maxLineBytes: 1024)
        var lines: [String] = []
        bytes.withUnsafeBytes { splitter.feed($0) { text, _ in lines.append(text) } }
        splitter.finish { text, _ in lines.append(text) }
        #expect(lines.count == 1)
        let parsed = try record(newYear.parse(line(lines[0])))
        #expect(parsed.message.contains("\u{FFFD}"))
        #expect(parsed.message.hasSuffix(" end"))
    }

    @Test func fuzzedPrefixesNeverCrash() {
        let seeds = [
            "RP/0/RP0/CPU0:Sep  1 08:54:59.133 : ifmgr[241]: %PKT_INFRA-LINK-3-UPDOWN : x",
            "<165>1 2003-10-11T22:14:15.003Z mymachine evntslog - ID47 [a b=\"]\"] msg",
            "2023 Nov  5 10:12:13 n9k %ETHPORT-5-IF_DOWN: x",
            "*Dec 30 18:46:11.123 UTC: %LINK-3-UPDOWN: y",
        ]
        var parsedCount = 0
        for seed in seeds {
            for length in 0...seed.count {
                if case .record = newYear.parse(line(String(seed.prefix(length)), hostHint: "h")) {
                    parsedCount += 1
                }
            }
        }
        #expect(parsedCount > 0)
    }
}

@Suite struct LineSplitterTests {
    @Test func truncatesLongLineAndMarksIt() {
        var splitter = LineSplitter(maxLineBytes: 65_536)
        let long = String(repeating: "é", count: 51_200)  // 100 KiB of two-byte characters
        let input = Array("short\r\n\(long)\nafter\n".utf8)
        var lines: [(String, Bool)] = []
        input.withUnsafeBytes { splitter.feed($0) { lines.append(($0, $1)) } }
        splitter.finish { lines.append(($0, $1)) }

        #expect(lines.count == 3)
        #expect(lines[0].0 == "short")
        #expect(lines[0].1 == false)
        #expect(lines[1].1 == true)
        #expect(lines[1].0.utf8.count == 65_536)
        #expect(!lines[1].0.contains("\u{FFFD}"))
        #expect(lines[2].0 == "after")
    }

    @Test func cutInsideCharacterDropsPartialSequence() {
        var splitter = LineSplitter(maxLineBytes: 5)
        var lines: [(String, Bool)] = []
        Array("abcdé\n".utf8).withUnsafeBytes { splitter.feed($0) { lines.append(($0, $1)) } }
        #expect(lines.count == 1)
        #expect(lines[0].0 == "abcd")
        #expect(lines[0].1 == true)
    }

    @Test func lineSplitAcrossChunks() {
        var splitter = LineSplitter(maxLineBytes: 100)
        var lines: [String] = []
        Array("hel".utf8).withUnsafeBytes { splitter.feed($0) { text, _ in lines.append(text) } }
        Array("lo\nwor".utf8).withUnsafeBytes { splitter.feed($0) { text, _ in lines.append(text) } }
        splitter.finish { text, _ in lines.append(text) }
        #expect(lines == ["hello", "wor"])
    }
}

@Suite struct FormatDetectionTests {
    @Test func detectsEachFormat() {
        #expect(ParserFactory.detect(sampleLines: ["sn,time,msg,server_model"]) == .selCSV)
        #expect(ParserFactory.detect(sampleLines: ["abc,2020-01-01 00:00:00, x | y | z,SM1"]) == .selCSV)
        #expect(ParserFactory.detect(sampleLines: ["", #"{"host":"a"}"#]) == .jsonLines)
        #expect(ParserFactory.detect(sampleLines: ["Fri Sep  1 12:49:29.836 PDT", "RP/0/RP0/CPU0:Sep  1 ..."]) == .syslog)
    }
}

@Suite struct TimestampResolverTests {
    @Test func leapDayPicksLeapYear() {
        let resolver = TimestampResolver(zone: .gmt, referenceTime: TestSupport.utc("2025-03-01T00:00:00Z"))
        #expect(resolver.resolveYearless(month: 2, day: 29, hour: 1, minute: 0, second: 0) == TestSupport.utc("2024-02-29T01:00:00Z"))
    }

    @Test func rfc3339Forms() {
        let resolver = TimestampResolver(zone: .gmt)
        #expect(resolver.parseISOLike("2024-05-01T12:00:00Z") == TestSupport.utc("2024-05-01 12:00:00"))
        #expect(resolver.parseISOLike("2024-05-01T12:00:00+0130") == TestSupport.utc("2024-05-01T10:30:00Z"))
        #expect(resolver.parseISOLike("2024-05-01T12:00:00.5") == TestSupport.utc("2024-05-01T12:00:00.500Z"))
        #expect(resolver.parseISOLike("2024-02-30T12:00:00Z") == nil)
        #expect(resolver.parseISOLike("2024-05-01T12:00:00Zjunk") == nil)
    }
}
