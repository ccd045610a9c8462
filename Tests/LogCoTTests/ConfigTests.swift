import Foundation
import Testing

@testable import LogCoT

@Suite struct ConfigTests {
    private func parse(_ text: String, environment: [String: String] = [:]) throws -> LogCoTConfig {
        try LogCoTConfig.parse(Data(text.utf8), source: "test.json5", environment: EnvironmentSubstitution(environment: environment))
    }

    private func issues(_ text: String, environment: [String: String] = [:]) -> [ConfigIssue] {
        do {
            _ = try parse(text, environment: environment)
            return []
        } catch let error as ConfigError {
            return error.issues
        } catch {
            return [ConfigIssue(path: "?", message: "\(error)")]
        }
    }

    @Test func defaultsWithoutFile() {
        let config = LogCoTConfig()
        #expect(config.windowing.before == 86_400)
        #expect(config.windowing.after == 600)
        #expect(config.windowing.maxLinesPerWindow == 10_000)
        #expect(config.parsing.maxLineBytes == 65_536)
        #expect(config.labels.ids == ["cpu", "memory", "other"])
    }

    @Test func json5WithCommentsAndEnvironment() throws {
        let config = try parse("""
            // comment
            {
              timeZone: "Europe/Berlin",
              windowing: { before: "2h", after: 90, allowedLateness: "unbounded" },
              masking: { secret: "${SECRET}", routingHost: false, },
              state: { path: "${STATE_DIR:-/tmp}/x.sqlite" },
            }
            """, environment: ["SECRET": "s3"])
        #expect(config.timeZone.identifier == "Europe/Berlin")
        #expect(config.windowing.before == 7_200)
        #expect(config.windowing.after == 90)
        #expect(config.windowing.allowedLateness == nil)
        #expect(config.masking.secret == "s3")
        #expect(config.masking.routingHost == false)
        #expect(config.state.path == "/tmp/x.sqlite")
    }

    @Test func reportsEveryProblemWithPath() {
        let found = issues("""
            {
              timeZone: "Mars/Olympus",
              windowng: {},
              windowing: { before: "ten minutes", maxLinesPerWindow: 0 },
              masking: { secret: "${NOT_SET}", kinds: ["ip", "phone"], serialPatterns: ["(unclosed"] },
              faults: { rules: [{ name: "x", pattern: "[" }, { name: "y" }] },
              labels: { set: [{ id: "a", code: 1 }, { id: "a", code: 2 }] },
            }
            """)
        let paths = found.map(\.path)
        #expect(paths.contains("timeZone"))
        #expect(found.contains { $0.path == "windowng" && $0.message.contains("did you mean 'windowing'") })
        #expect(paths.contains("windowing.before"))
        #expect(paths.contains("windowing.maxLinesPerWindow"))
        #expect(found.contains { $0.path == "masking.secret" && $0.message.contains("NOT_SET") })
        #expect(found.contains { $0.path == "masking.kinds" && $0.message.contains("phone") })
        #expect(paths.contains("masking.serialPatterns[0]"))
        #expect(paths.contains("faults.rules[0].pattern"))
        #expect(paths.contains("faults.rules[1]"))
        #expect(found.contains { $0.path == "labels.set" && $0.message.contains("appears twice") })
        #expect(found.count == 10)
    }

    @Test func metricsSection() throws {
        #expect(LogCoTConfig().metrics.address == MetricsAddress.defaultAddress)
        #expect(LogCoTConfig().metrics.enabled)
        let config = try parse(#"{ metrics: { enabled: false, address: "[::1]:9500" } }"#)
        #expect(config.metrics.enabled == false)
        #expect(config.metrics.address == MetricsAddress(host: "::1", port: 9500, isIPv6: true))
    }

    @Test func metricsAddressProblems() {
        let found = issues(#"{ metrics: { address: "localhost:9464", adress: "x" } }"#)
        #expect(found.count == 2)
        #expect(found.first { $0.path == "metrics.address" }?.message.contains("'localhost' is not a numeric IPv4 or IPv6 address") == true)
        #expect(found.first { $0.path == "metrics.adress" }?.message.contains("did you mean 'address'") == true)
    }

    @Test func invalidJSON5NamesFile() {
        let found = issues("{ windowing: ")
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("not valid JSON5") == true)
    }

    @Test func durationText() {
        #expect(DurationText.parse("500ms") == 0.5)
        #expect(DurationText.parse("24h") == 86_400)
        #expect(DurationText.parse("7d") == 604_800)
        #expect(DurationText.parse("-1s") == nil)
        #expect(DurationText.parse("soon") == nil)
    }

    @Test func exampleConfigIsValid() throws {
        let url = TestSupport.packageRoot.appendingPathComponent("config/logcot.json5")
        let config = try LogCoTConfig.load(from: url, environment: EnvironmentSubstitution(environment: ["LOGCOT_MASKING_SECRET": "test"]))
        #expect(config.masking.secret == "test")
        #expect(config.metrics.address.description == "127.0.0.1:9464")
    }
}

@Suite struct LabelSetTests {
    @Test func resolvesIdOrCode() {
        let labels = LabelSet.serverDefault
        #expect(labels.resolve("2")?.id == "memory")
        #expect(labels.resolve(" CPU ")?.id == "cpu")
        #expect(labels.resolve("9") == nil)
        #expect(labels.fallback.id == "other")
    }

    @Test func rejectsDuplicates() {
        #expect(throws: LabelSetError.duplicateCode(1)) {
            try LabelSet(labels: [FaultLabel(id: "a", code: 1, description: ""), FaultLabel(id: "b", code: 1, description: "")])
        }
    }
}

@Suite struct ExamplePoolTests {
    @Test func readsJSONLinesWithCodes() throws {
        let directory = try TestSupport.temporaryDirectory()
        let url = directory.appendingPathComponent("pool.jsonl")
        try """
            {"id": "e1", "lines": ["Processor CATERR"], "reasoning": "cpu fault", "label": "1"}
            {"id": "e2", "lines": ["Memory ECC"], "reasoning": "dimm", "label": "memory"}
            """.write(to: url, atomically: true, encoding: .utf8)
        let pool = try ExamplePool.load(from: url, labels: .serverDefault)
        #expect(pool.examples.map(\.label) == ["cpu", "memory"])
        #expect(pool.version.hasPrefix("pool@"))
    }

    @Test func rejectsUnknownLabel() throws {
        let directory = try TestSupport.temporaryDirectory()
        let url = directory.appendingPathComponent("bad.jsonl")
        try #"{"id": "e1", "lines": [], "reasoning": "", "label": "disk"}"#.write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: PoolError.self) {
            try ExamplePool.load(from: url, labels: .serverDefault)
        }
    }

    @Test(.enabled(if: TestSupport.sharedDataAvailable)) func readsAuthorsFormat() throws {
        let pool = try ExamplePool.load(from: try TestSupport.sharedFile("logcot-d1/train_62.json"), labels: .serverDefault)
        #expect(pool.examples.count == 62)
        let counts = Dictionary(grouping: pool.examples, by: \.label).mapValues(\.count)
        #expect(counts == ["cpu": 26, "memory": 15, "other": 21])
        #expect(pool.examples.allSatisfy { !$0.lines.isEmpty && !$0.reasoning.isEmpty })
        #expect(pool.examples[0].lines.first == "Memory #0xf9 | Correctable ECC | Asserted")
        #expect(!pool.examples[0].reasoning.hasPrefix("The error category"))
    }
}
