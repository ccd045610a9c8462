import Foundation
import Testing
@testable import LogCoT

/// `logcot eval` and `logcot replay --emit-windows`, run as a user would run the binary.
@Suite struct EvalCommandTests {
    /// Four windows per class with lines typical of each class, so the TF-IDF classes can separate them.
    static func classWindows() -> [WindowRecord] {
        let linesByLabel: [String: [String]] = [
            "cpu": ["Processor CPU0_Status | IERR | Asserted", "Processor CPU_CATERR | State Asserted | Asserted"],
            "memory": ["Memory CPU0A1_DIMM_Stat | Uncorrectable ECC | Asserted", "Memory Memory_Status | Correctable ECC | Asserted"],
            "other": ["Power Supply PS1_Status | Power Supply AC lost | Asserted", "Fan FAN2_Speed | Lower Critical going low | Asserted"],
        ]
        var records: [WindowRecord] = []
        for index in 0..<4 {
            for label in ["cpu", "memory", "other"] {
                let lines = linesByLabel[label]! + ["System Boot Initiated BIOS_Boot_Up | Initiated by warm reset | Asserted"]
                records.append(WindowRecord(id: "\(label)-\(index)", host: "h\(index)", faultTime: "2026-01-0\(index + 1)T00:00:00Z", lines: lines, label: label))
            }
        }
        return records
    }

    static func readJSON(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test func scorerParsesResponses() throws {
        let directory = try TestSupport.temporaryDirectory()
        let url = directory.appendingPathComponent("responses.jsonl")
        try """
            {"id": "r1", "label": 2, "response": "The error category code is:2."}
            {"id": "r2", "label": "cpu", "response": "{\\"label\\": \\"cpu\\"}"}
            // a comment line
            {"id": "r3", "label": "3", "response": "memory or cpu"}
            {"id": "r4", "label": "3", "response": "Category 1"}
            """.write(to: url, atomically: true, encoding: .utf8)

        let cases = try ResponseScorer(labels: .serverDefault).score(fileAt: url)
        #expect(cases.map(\.id) == ["r1", "r2", "r3", "r4"])
        #expect(cases.map(\.truth) == ["memory", "cpu", "other", "other"])
        #expect(cases.map(\.predicted) == ["memory", "cpu", nil, "cpu"])

        let summary = EvaluationSummary(name: "responses", cases: cases, labels: .serverDefault)
        #expect(summary.unparsed == 1)
        #expect(summary.metrics.accuracy == 0.5)
        #expect(summary.latency == nil)
    }

    @Test func scorerErrorNamesLine() throws {
        let url = try TestSupport.temporaryDirectory().appendingPathComponent("responses.jsonl")
        try """
            {"id": "r1", "label": 2, "response": "2"}
            {"id": "r2", "response": "2"}
            """.write(to: url, atomically: true, encoding: .utf8)
        let error = try #require(throws: WindowFileError.self) {
            try ResponseScorer(labels: .serverDefault).score(fileAt: url)
        }
        #expect(error.line == 2)
        #expect(error.description.contains("label"))
    }

    @Test func evalResponsesPrintsTable() throws {
        let directory = try TestSupport.temporaryDirectory()
        let responses = directory.appendingPathComponent("responses.jsonl")
        try """
            {"id": "r1", "label": "cpu", "response": "The error category code is:1."}
            {"id": "r2", "label": "memory", "response": "2"}
            {"id": "r3", "label": "memory", "response": "I cannot tell."}
            """.write(to: responses, atomically: true, encoding: .utf8)
        let json = directory.appendingPathComponent("metrics.json")

        let run = try TestSupport.runLogcot(["eval", "--responses", responses.path, "--json", json.path])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("accuracy"))
        #expect(run.stdout.contains("confusion (responses"))

        let object = try Self.readJSON(json)
        #expect(object["cases"] as? Int == 3)
        #expect(object["unparsed"] as? Int == 1)
        let accuracy = try #require(object["accuracy"] as? Double)
        #expect(abs(accuracy - 2.0 / 3) < 1e-6)
    }

    @Test func evalWindowsWithSplitAndBaseline() throws {
        let directory = try TestSupport.temporaryDirectory()
        let windows = directory.appendingPathComponent("windows.jsonl")
        try WindowFile.append(Self.classWindows(), to: windows)
        let json = directory.appendingPathComponent("metrics.json")
        let splitDirectory = directory.appendingPathComponent("split")

        let run = try TestSupport.runLogcot([
            "eval", "--windows", windows.path, "--split", "3", "--split-fractions", "0.1,0.1", "--split-out", splitDirectory.path,
            "--baseline", "tfidf", "--llm", "none", "--json", json.path, "--quiet",
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        // 12 windows at 10% give one pool window; one window of each missing class joins it.
        #expect(run.stdout.contains("split seed 3: pool 3, preference 1, test 8"))
        #expect(run.stdout.contains("macro-F1"))

        let pool = try WindowFile.load(from: splitDirectory.appendingPathComponent("pool.jsonl"), labels: .serverDefault)
        let preference = try WindowFile.load(from: splitDirectory.appendingPathComponent("preference.jsonl"), labels: .serverDefault)
        let test = try WindowFile.load(from: splitDirectory.appendingPathComponent("test.jsonl"), labels: .serverDefault)
        #expect(pool.count == 3)
        #expect(preference.count == 1)
        #expect(test.count == 8)
        #expect(Set(pool.compactMap(\.label)) == ["cpu", "memory", "other"])

        let object = try Self.readJSON(json)
        #expect(object["cases"] as? Int == 8)
        // Each class has its own lines, so the TF-IDF classifier trained on one window per class labels all of them.
        #expect(object["accuracy"] as? Double == 1)
        #expect(object["macro_f1"] as? Double == 1)
        let split = try #require(object["split"] as? [String: Any])
        #expect(split["seed"] as? Int == 3)
        #expect(object["baseline"] as? [String: Any] != nil)
    }

    @Test func evalRejectsUnlabelledWindows() throws {
        let directory = try TestSupport.temporaryDirectory()
        let windows = directory.appendingPathComponent("windows.jsonl")
        try WindowFile.append([WindowRecord(id: "w-unlabelled", lines: ["x"])], to: windows)

        let run = try TestSupport.runLogcot(["eval", "--windows", windows.path, "--llm", "none", "--quiet"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("'w-unlabelled'"))
        #expect(run.stderr.contains("has no label"))
    }

    @Test func evalRejectsConflictingOptions() throws {
        let both = try TestSupport.runLogcot(["eval", "--windows", "a.jsonl", "--responses", "b.jsonl"])
        #expect(both.status == 2)
        #expect(both.stderr.contains("exactly one of --windows FILE and --responses FILE"))

        let poolAndSplit = try TestSupport.runLogcot(["eval", "--windows", "a.jsonl", "--split", "1", "--pool", "p.jsonl"])
        #expect(poolAndSplit.status == 2)
        #expect(poolAndSplit.stderr.contains("--pool cannot be combined with --split"))
    }

    @Test func evalFailsWhenEveryDiagnosisFallsBack() throws {
        let directory = try TestSupport.temporaryDirectory()
        let windows = directory.appendingPathComponent("windows.jsonl")
        try WindowFile.append(Array(Self.classWindows().prefix(2)), to: windows)
        let config = directory.appendingPathComponent("config.json5")
        try #"{ llm: { maxRetries: 0, requestTimeout: "5s" } }"#.write(to: config, atomically: true, encoding: .utf8)

        // Port 9 (discard) on the loopback address has no listener, so every request is refused.
        let run = try TestSupport.runLogcot(["eval", "--windows", windows.path, "--config", config.path, "--llm", "http://127.0.0.1:9/v1", "--quiet"])
        #expect(run.status == 1, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("tfidf fallbacks"))
        #expect(run.stderr.contains("fell back to the TF-IDF label"))
    }

    @Test func replayEmitsWindows() throws {
        let directory = try TestSupport.temporaryDirectory()
        let reports = directory.appendingPathComponent("reports.jsonl")
        let windows = directory.appendingPathComponent("windows.jsonl")

        let run = try TestSupport.runLogcot([
            "replay", "--logs", "examples/sel-sample.csv", "--faults", "examples/tickets.csv", "--out", reports.path,
            "--llm", "none", "--emit-windows", windows.path, "--quiet",
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("windows written"))

        let emitted = try WindowFile.load(from: windows, labels: .serverDefault)
        let written = try ReplayCommandTests.readReports(reports).filter { !$0.keyLines.isEmpty }
        #expect(!emitted.isEmpty)
        #expect(emitted.map(\.id) == written.map(\.reportId))
        for (record, report) in zip(emitted, written) {
            #expect(record.host == report.host)
            #expect(record.faultTime == report.fault.time)
            #expect(record.label == nil)
            #expect(record.lines.count == report.keyLines.count)
        }
    }
}

/// `logcot eval` through the real llama-server that `make test` starts (`LOGCOT_LLM_URL`).
@Suite(.serialized) struct LLMEvalTests {
    static var serverURL: String? {
        ProcessInfo.processInfo.environment["LOGCOT_LLM_URL"]
    }

    /// Runs when the server is up, and in CI, where a missing server or data file must fail the test.
    static var enabled: Bool {
        (serverURL != nil || TestSupport.isCI) && TestSupport.sharedDataAvailable
    }

    @Test(.enabled(if: enabled), .timeLimit(.minutes(10))) func smolLMOnTwentyWindows() throws {
        let url = try #require(Self.serverURL, "LOGCOT_LLM_URL is not set; run the tests with `make test`, which starts llama-server")
        let windows = try TestSupport.sharedFile("logcot-d1/train_62.json")
        let directory = try TestSupport.temporaryDirectory()
        let config = directory.appendingPathComponent("llm.json5")
        // Short rounds and one example per class keep 20 cases within a few minutes on two cores.
        try """
            { llm: { model: "SmolLM2-135M-Instruct", maxReasoningTokens: 48, maxAnswerTokens: 16, examplesPerClass: 1,
                     maxExampleTokens: 96, requestTimeout: "300s", maxConcurrentRequests: 2 } }
            """.write(to: config, atomically: true, encoding: .utf8)
        let json = directory.appendingPathComponent("metrics.json")

        let run = try TestSupport.runLogcot([
            "eval", "--windows", windows.path, "--split", "7", "--limit", "20", "--baseline", "tfidf",
            "--config", config.path, "--llm", url, "--json", json.path, "--quiet",
        ])
        print(run.stdout)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        for row in ["accuracy", "macro-F1", "weighted-F1", "unparsed", "seconds/case mean", "seconds/case p95", "tokens/case mean", "per class (llm)", "confusion (llm"] {
            #expect(run.stdout.contains(row), "the table has no '\(row)' row")
        }
        #expect(run.stdout.contains("model SmolLM2-135M-Instruct"))

        let object = try EvalCommandTests.readJSON(json)
        #expect(object["cases"] as? Int == 20)
        #expect(object["name"] as? String == "llm")
        let unparsed = try #require(object["unparsed"] as? Int)
        #expect((0...20).contains(unparsed))
        let fallbacks = try #require(object["fallbacks"] as? Int)
        #expect(fallbacks < 20, "every diagnosis fell back to TF-IDF")
        let accuracy = try #require(object["accuracy"] as? Double)
        #expect((0...1).contains(accuracy))
        let latency = try #require(object["latency"] as? [String: Any])
        #expect((latency["mean"] as? Double ?? 0) > 0)
        #expect((latency["p95"] as? Double ?? 0) > 0)
        let tokens = try #require(object["tokens"] as? [String: Any], "the server sent no usage object")
        #expect((tokens["mean"] as? Double ?? 0) > 0)
        let baseline = try #require(object["baseline"] as? [String: Any])
        #expect(baseline["cases"] as? Int == 20)
        #expect(object["gain"] as? [String: Double] != nil)
    }
}
