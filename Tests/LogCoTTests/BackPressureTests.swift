import Foundation
import Testing

@testable import LogCoT

/// The pause decision of `logcot run` when reports are unwritten.
@Suite struct ReportBackPressureTests {
    @Test func pausesAtLimitAndResumesBelow() {
        let metrics = LogCoTMetrics(registry: MetricsRegistry()).delivery
        let gate = ReportBackPressure(limit: 3, logger: Logger(label: "test", minimumLevel: .error), metrics: metrics)

        #expect(gate.decide(unwritten: 2) == .read)
        #expect(gate.decide(unwritten: 3) == .pause)
        #expect(metrics.sourcePaused.labels().value == 1)
        #expect(gate.decide(unwritten: 4) == .pause)
        #expect(gate.decide(unwritten: 2) == .resume)
        #expect(gate.decide(unwritten: 0) == .read)
        #expect(gate.maxUnwrittenInPause == 4)
        #expect(metrics.sourcePaused.labels().value == 0)
        #expect(metrics.sourcePauses.labels().value == 1)
        #expect(metrics.unwrittenCapacity.labels().value == 3)
        #expect(metrics.unwrittenReports.labels().value == 0)
    }

    @Test func limitReadFromConfig() throws {
        let config = try LogCoTConfig.parse(Data(#"{sinks: {maxPendingReports: 7}}"#.utf8), source: "test")
        #expect(config.sinks.maxPendingReports == 7)
        #expect(throws: ConfigError.self) {
            try LogCoTConfig.parse(Data(#"{sinks: {maxPendingReports: 0}}"#.utf8), source: "test")
        }
    }
}

/// `logcot run` over a journal while its sink fails: reading pauses at `sinks.maxPendingReports`.
@Suite(.serialized, .enabled(if: JournalFixture.journalRemoteAvailable))
struct BackPressureRunTests {
    static let windowCount = 8

    /// Returns one host's entries: a fault every 2,000 s, and a heartbeat 840 s later that closes its window.
    static func entries() -> [Data] {
        (0..<windowCount).flatMap { index in
            [
                JournalFixture.entry(secondsAfterBase: index * 2_000 + 60, message: "EDAC MC0: 1 UE uncorrectable ECC error on DIMM A1", fields: ["PRIORITY": "2"]),
                JournalFixture.entry(secondsAfterBase: index * 2_000 + 900, message: "heartbeat"),
            ]
        }
    }

    @Test func slowSinkSlowsReading() throws {
        let directory = try TestSupport.temporaryDirectory()
        let config = try Self.writeConfig(in: directory, maxPendingReports: 2)

        let daemon = try RunCommandTests.runUntilCaughtUp(config, in: directory, environment: ["LOGCOT_TEST_SINK_DELAY_MS": "300"])
        let stderr = daemon.stderr

        #expect(daemon.process.terminationStatus == 0, "stderr: \(stderr)")
        let stopLine = stderr.split(separator: "\n").filter { $0.contains("logcot run stopped") }.joined()
        let peaks = Self.values(of: "max_unwritten_reports", in: stopLine)
        #expect(peaks.count == 1, "stderr: \(stderr)")
        #expect(peaks.allSatisfy { $0 >= 1 && $0 <= 2 }, "unwritten reports while the sink was slow: \(peaks)")
        let reports = try RunConfig.reports(in: directory)
        #expect(reports.count == Self.windowCount)
        #expect(Set(reports.map(\.reportId)).count == Self.windowCount)
    }

    /// Writes the journal and a config whose sink is a report file in `directory`.
    static func writeConfig(in directory: URL, maxPendingReports: Int) throws -> URL {
        let journal = directory.appendingPathComponent("journal/x.journal")
        try JournalFixture.append(Self.entries(), to: journal)
        let config = directory.appendingPathComponent("logcot.json5")
        try """
            {
              masking: { secret: "test-secret" },
              metrics: { address: "127.0.0.1:0" },
              windowing: { before: "1h", after: "5m", allowedLateness: "1m" },
              sources: { journald: { directory: "\(journal.deletingLastPathComponent().path)", startAt: "head", waitTimeout: "200ms" } },
              sinks: { file: { path: "\(directory.appendingPathComponent("reports.jsonl").path)" }, maxPendingReports: \(maxPendingReports) },
              state: { path: "\(directory.appendingPathComponent("state.sqlite").path)" },
            }
            """.write(to: config, atomically: true, encoding: .utf8)
        return config
    }

    @Test func failingSinkPausesReading() throws {
        let directory = try TestSupport.temporaryDirectory()
        let config = try Self.writeConfig(in: directory, maxPendingReports: 2)

        let daemon = try RunCommandTests.runUntilCaughtUp(config, in: directory, environment: ["LOGCOT_TEST_SINK_FAILURES": "2"])
        let stderr = daemon.stderr

        #expect(daemon.process.terminationStatus == 0, "stderr: \(stderr)")
        #expect(stderr.contains("reading the source pauses"), "stderr: \(stderr)")
        #expect(stderr.contains("reading the source resumes"), "stderr: \(stderr)")
        let peaks = Self.values(of: "max_unwritten_reports", in: stderr)
        #expect(!peaks.isEmpty)
        #expect(peaks.allSatisfy { $0 <= 2 }, "unwritten reports passed the limit: \(peaks)")
        let reports = try RunConfig.reports(in: directory)
        #expect(reports.count == Self.windowCount)
        #expect(Set(reports.map(\.reportId)).count == Self.windowCount)
    }

    /// Returns the integer values of a `key=value` log field.
    static func values(of key: String, in log: String) -> [Int] {
        log.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "\(key)=") else {
                return nil
            }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
    }
}
