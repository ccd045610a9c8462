import Foundation
import Testing

@testable import LogCoT

/// The journald source's mapping, line joining and filters, and the state that checkpoints save.
@Suite struct JournaldTests {
    static func entry(_ message: [UInt8], fields: [String: String] = [:], realtime: UInt64 = 1_714_521_600_000_000) -> JournalEntry {
        var all = fields.mapValues { Array($0.utf8) }
        all["MESSAGE"] = message
        return JournalEntry(fields: all, realtimeMicroseconds: realtime)
    }

    @Test func mapperDecodesBinaryMessage() throws {
        let mapper = JournalRecordMapper(maxLineBytes: 1_024)
        let record = try #require(mapper.record(from: Self.entry(Array("disk ".utf8) + [0xFF, 0xFE] + Array(" error\r".utf8))))
        #expect(record.message == "disk \u{FFFD}\u{FFFD} error")
        #expect(record.truncated == false)
    }

    @Test func mapperStripsOneCarriageReturn() throws {
        let mapper = JournalRecordMapper(maxLineBytes: 1_024)
        let record = try #require(mapper.record(from: Self.entry(Array("line\r\r".utf8))))
        #expect(record.message == "line\r")
    }

    @Test func mapperPrefersSourceTimestamp() throws {
        let mapper = JournalRecordMapper(maxLineBytes: 1_024)
        let withSource = try #require(mapper.record(from: Self.entry(Array("a".utf8), fields: ["_SOURCE_REALTIME_TIMESTAMP": "1714521599500000"])))
        #expect(withSource.timestamp == Date(timeIntervalSince1970: 1_714_521_599.5))
        #expect(withSource.timestampText == "1714521599500000")
        #expect(withSource.fields["timestamp_field"] == "_SOURCE_REALTIME_TIMESTAMP")

        let withoutSource = try #require(mapper.record(from: Self.entry(Array("a".utf8))))
        #expect(withoutSource.timestamp == Date(timeIntervalSince1970: 1_714_521_600))
        #expect(withoutSource.fields["timestamp_field"] == "__REALTIME_TIMESTAMP")
    }

    @Test func mapperMapsFields() throws {
        let mapper = JournalRecordMapper(maxLineBytes: 1_024)
        let record = try #require(mapper.record(from: Self.entry(Array("a".utf8), fields: [
            "_HOSTNAME": "node7", "PRIORITY": "3", "SYSLOG_IDENTIFIER": "kernel", "_SYSTEMD_UNIT": "rasdaemon.service",
        ])))
        #expect(record.host == "node7")
        #expect(record.severity == .error)
        #expect(record.fields["app_name"] == "kernel")
        #expect(record.fields["systemd_unit"] == "rasdaemon.service")

        let noHost = try #require(mapper.record(from: Self.entry(Array("a".utf8), fields: ["_MACHINE_ID": "abc", "PRIORITY": "9"])))
        #expect(noHost.host == "abc")
        #expect(noHost.severity == nil)
        #expect(mapper.record(from: JournalEntry(fields: [:], realtimeMicroseconds: 1)) == nil)
    }

    @Test func mapperCutsAtCharacterBoundary() {
        // "é" is two bytes, so a cut after byte 4 of "abcé" would split it.
        let cut = JournalRecordMapper.decodeMessage(Array("abcéd".utf8), maxBytes: 4)
        #expect(cut.text == "abc")
        #expect(cut.truncated)

        let exact = JournalRecordMapper.decodeMessage(Array("abcd".utf8), maxBytes: 4)
        #expect(exact.text == "abcd")
        #expect(exact.truncated == false)

        let invalid = JournalRecordMapper.decodeMessage([0x61, 0x80, 0x80, 0x80, 0x80, 0x62], maxBytes: 5)
        #expect(invalid.text.hasPrefix("a"))
        #expect(invalid.truncated)
    }

    @Test func joinerJoinsLineMaxPieces() throws {
        var joiner = JournalLineJoiner(maxBytes: 1_024)
        let stream = ["_STREAM_ID": "s1", "_HOSTNAME": "node1"]
        let first = Self.entry(Array("part one, ".utf8), fields: stream.merging(["_LINE_BREAK": "line-max"]) { $1 }, realtime: 10)
        let second = Self.entry(Array("part two, ".utf8), fields: stream.merging(["_LINE_BREAK": "line-max"]) { $1 }, realtime: 11)
        let other = Self.entry(Array("another stream".utf8), fields: ["_STREAM_ID": "s2"], realtime: 12)
        let last = Self.entry(Array("end\r".utf8), fields: stream, realtime: 13)

        #expect(joiner.feed(first).isEmpty)
        #expect(joiner.feed(second).isEmpty)
        #expect(joiner.feed(other) == [other])
        #expect(joiner.openLines == 1)
        let joined = try #require(joiner.feed(last).first)
        #expect(joiner.openLines == 0)
        #expect(joined.fields["MESSAGE"] == Array("part one, part two, end\r".utf8))
        #expect(joined.realtimeMicroseconds == 10)
        #expect(joined.parts == 3)

        let record = try #require(JournalRecordMapper(maxLineBytes: 1_024).record(from: joined))
        #expect(record.message == "part one, part two, end")
        #expect(record.fields["journal_parts"] == "3")
    }

    @Test func joinerMarksOverlongLineTruncated() throws {
        var joiner = JournalLineJoiner(maxBytes: 8)
        let piece = Self.entry(Array("123456".utf8), fields: ["_STREAM_ID": "s1", "_LINE_BREAK": "line-max"])
        #expect(joiner.feed(piece).isEmpty)
        let joined = try #require(joiner.feed(Self.entry(Array("789abc".utf8), fields: ["_STREAM_ID": "s1"])).first)
        #expect(joined.fields["MESSAGE"]?.count == 9)

        let record = try #require(JournalRecordMapper(maxLineBytes: 8).record(from: joined))
        #expect(record.message == "12345678")
        #expect(record.truncated)
    }

    @Test func joinerStateRoundTrips() throws {
        var joiner = JournalLineJoiner(maxBytes: 64)
        _ = joiner.feed(Self.entry(Array("piece".utf8), fields: ["_STREAM_ID": "s1", "_LINE_BREAK": "line-max"]))
        let state = JournaldSourceState(position: JournalPosition(cursor: "s=1;i=2", realtimeMicroseconds: 5), joiner: joiner)
        let decoded = try JSONDecoder().decode(JournaldSourceState.self, from: JSONEncoder().encode(state))
        #expect(decoded == state)
    }

    @Test func priorityRangeParses() {
        #expect(JournalMatchExpression.priorityRange("err") == 0...3)
        #expect(JournalMatchExpression.priorityRange("3") == 0...3)
        #expect(JournalMatchExpression.priorityRange("warning..crit") == 2...4)
        #expect(JournalMatchExpression.priorityRange("crit..warning") == 2...4)
        #expect(JournalMatchExpression.priorityRange("loud") == nil)
        #expect(JournalMatchExpression.priorityRange("1..2..3") == nil)
    }

    @Test func matchTermsAndPriority() {
        let terms = JournalMatchExpression.terms(matches: ["_SYSTEMD_UNIT=a.service", "+", "_TRANSPORT=kernel"], priority: 2...3)
        #expect(terms == [
            .match("_SYSTEMD_UNIT=a.service"), .disjunction, .match("_TRANSPORT=kernel"),
            .conjunction, .match("PRIORITY=2"), .match("PRIORITY=3"),
        ])
        #expect(JournalMatchExpression.terms(matches: [], priority: 0...1) == [.match("PRIORITY=0"), .match("PRIORITY=1")])
    }

    @Test func matchProblemsReported() {
        #expect(JournalMatchExpression.problem(in: "_SYSTEMD_UNIT=sshd.service") == nil)
        #expect(JournalMatchExpression.problem(in: "PRIORITY=3") == nil)
        #expect(JournalMatchExpression.problem(in: "+") == nil)
        #expect(JournalMatchExpression.problem(in: "unit=sshd")?.contains("invalid field name 'unit'") == true)
        #expect(JournalMatchExpression.problem(in: "__CURSOR=x")?.contains("invalid field name") == true)
        #expect(JournalMatchExpression.problem(in: "PRIORITY=0..3")?.contains("use the priority key") == true)
        #expect(JournalMatchExpression.problem(in: "MESSAGE")?.contains("write FIELD=value") == true)
    }

    @Test func runConfigKeysParse() throws {
        let config = try LogCoTConfig.parse(Data("""
            {
              sources: { journald: { directory: "${DIR}", matches: ["_TRANSPORT=kernel"], priority: "err", startAt: "head", waitTimeout: "250ms" } },
              sinks: { file: { path: "/tmp/r.jsonl" }, stdout: { enabled: true } },
              state: { checkpointInterval: "2s", checkpointRecords: 50 },
            }
            """.utf8), source: "test.json5", environment: EnvironmentSubstitution(environment: ["DIR": "/var/log/journal/remote"]))
        let journald = try #require(config.sources.journald)
        #expect(journald.location == .directory("/var/log/journal/remote"))
        #expect(journald.matches == ["_TRANSPORT=kernel"])
        #expect(journald.priority == 0...3)
        #expect(journald.startAt == "head")
        #expect(journald.waitTimeout == 0.25)
        #expect(config.sinks.filePath == "/tmp/r.jsonl")
        #expect(config.sinks.stdout)
        #expect(config.state.checkpointInterval == 2)
        #expect(config.state.checkpointRecords == 50)
        #expect(LogCoTConfig().sources.journald == nil)
    }

    @Test func runConfigProblemsReported() {
        var issues: [ConfigIssue] = []
        do {
            _ = try LogCoTConfig.parse(Data("""
                {
                  sources: { journald: { directory: "/a", files: ["/b.journal"], matches: ["bad"], priority: "loud", startAt: "middle", folder: "/x" } },
                  sinks: { file: {}, stdout: { enable: true } },
                }
                """.utf8), source: "test.json5")
        } catch let error as ConfigError {
            issues = error.issues
        } catch {
            Issue.record("unexpected error \(error)")
        }
        let paths = issues.map(\.path)
        #expect(paths.contains("sources.journald.files"))
        #expect(paths.contains("sources.journald.matches[0]"))
        #expect(paths.contains("sources.journald.priority"))
        #expect(paths.contains("sources.journald.startAt"))
        #expect(paths.contains("sources.journald.folder"))
        #expect(paths.contains("sinks.file.path"))
        #expect(paths.contains("sinks.stdout.enable"))
    }

    @Test func exampleConfigChecks() throws {
        let run = try TestSupport.runLogcot(["check-config", "config/journald.json5"], environment: [
            "JOURNAL_DIRECTORY": "/var/log/journal", "REPORTS_FILE": "/tmp/reports.jsonl",
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
    }

    @Test func windowStateRestores() throws {
        var windowing = WindowingConfig()
        windowing.before = 3_600
        windowing.after = 300
        windowing.allowedLateness = 60
        let base = Date(timeIntervalSince1970: 1_714_521_600)
        func line(_ seconds: Double, _ text: String) -> WindowLine {
            WindowLine(timestamp: base.addingTimeInterval(seconds), text: text, template: text)
        }

        let original = WindowManager(config: windowing)
        _ = original.add(host: "node1", line: line(0, "boot"), arrival: base)
        _ = original.addFault(FaultEvent(host: "node1", time: base.addingTimeInterval(60), origin: .trigger, detail: "rule"))
        _ = original.add(host: "node1", line: line(120, "error"), arrival: base)
        let snapshot = try #require(original.snapshot(host: "node1"))
        let decoded = try HostWindowSnapshot.decode(snapshot.encoded())

        let restored = WindowManager(config: windowing)
        restored.restore(["node1": decoded], closedWindowIDs: ["closed-before"])
        #expect(restored.openCount == 1)
        #expect(restored.hostsWithOpenWindows == ["node1"])
        #expect(restored.knownWindowIDs.contains("closed-before"))
        #expect(restored.knownWindowIDs.contains(decoded.openWindowIDs[0]))

        let closed = restored.add(host: "node1", line: line(900, "later"), arrival: base)
        let expected = original.add(host: "node1", line: line(900, "later"), arrival: base)
        #expect(closed.count == 1)
        #expect(closed.first?.window.id == expected.first?.window.id)
        #expect(closed.first?.window.counts == expected.first?.window.counts)
        #expect(closed.first?.window.counts.seen == 2)
    }

    @Test func unboundedLatenessSnapshotEncodes() throws {
        var windowing = WindowingConfig()
        windowing.allowedLateness = nil
        let manager = WindowManager(config: windowing)
        _ = manager.add(host: "h", line: WindowLine(timestamp: Date(timeIntervalSince1970: 0), text: "x", template: "x"), arrival: Date())
        let snapshot = try #require(manager.snapshot(host: "h"))
        #expect(try HostWindowSnapshot.decode(snapshot.encoded()).history.count == 1)
    }

    @Test func reportLogDeduplicatesIDs() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        let store = try CheckpointStore(database: database)
        let added = try store.addReports([(id: "a", json: "{}"), (id: "b", json: "{}")])
        #expect(added.map(\.reportID) == ["a", "b"])
        #expect(try store.addReports([(id: "a", json: "{}")]).isEmpty)

        try store.markDelivered([added[0].sequence])
        #expect(try store.undeliveredReports().map(\.reportID) == ["b"])
        #expect(try store.reportIDs() == ["a", "b"])
    }

    @Test func nestedTransactionRollsBackWithOuter() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        let store = try CheckpointStore(database: database)
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try database.transaction {
                try store.saveSourceState("journald", Data("{}".utf8))
                try database.transaction {
                    _ = try store.addReports([(id: "a", json: "{}")])
                }
                throw Abort()
            }
        }
        #expect(try store.sourceState("journald") == nil)
        #expect(try store.reportIDs().isEmpty)
    }

    @Test func reportFileRecoversTornLine() throws {
        let directory = try TestSupport.temporaryDirectory()
        let path = directory.appendingPathComponent("reports.jsonl").path
        let complete = #"{"report_id":"r1"}"# + "\n" + #"{"report_id":"r2"}"# + "\n"
        try (complete + #"{"report_id":"r3","#).write(toFile: path, atomically: true, encoding: .utf8)

        let file = try ReportFile(path: path, logger: Logger(label: "test", minimumLevel: .error))
        let found = try file.recover(findingIDs: ["r2", "r3"], tailBytes: 40)
        #expect(found == ["r2"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == complete)

        try file.append([#"{"report_id":"r3"}"#])
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 3)
    }
}
