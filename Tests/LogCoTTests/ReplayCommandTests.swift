import Foundation
import Testing

@testable import LogCoT

/// End-to-end runs of the built `logcot` binary.
@Suite(.serialized) struct ReplayCommandTests {
    /// Validates a reports file with the jsonschema package; returns the validator's summary line.
    static func validateReports(_ url: URL) throws -> String {
        guard let python = ProcessInfo.processInfo.environment["LOGCOT_PYTHON"] else {
            throw TestFailure("LOGCOT_PYTHON is not set; run the tests with `make test`, which installs jsonschema")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            TestSupport.packageRoot.appendingPathComponent("scripts/validate-reports.py").path,
            TestSupport.packageRoot.appendingPathComponent("docs/report.schema.json").path,
            url.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw TestFailure("schema validation failed:\n\(text)")
        }
        return text.split(separator: "\n").last.map(String.init) ?? ""
    }

    static func readReports(_ url: URL) throws -> [DiagnosisReport] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try DiagnosisReport.decoder.decode(DiagnosisReport.self, from: Data($0.utf8)) }
    }

    @Test func sampleReplayWritesValidReports() throws {
        let directory = try TestSupport.temporaryDirectory()
        let out = directory.appendingPathComponent("reports.jsonl")
        let run = try TestSupport.runLogcot([
            "replay", "--logs", "examples/sel-sample.csv", "--faults", "examples/tickets.csv",
            "--out", out.path, "--llm", "none", "--quiet",
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("reports written   4"))

        let reports = try Self.readReports(out)
        #expect(reports.count == 4)
        #expect(reports.map(\.label) == ["memory", "cpu", "other", "memory"])
        #expect(reports.allSatisfy { $0.labelSource == "tfidf" })
        #expect(try Self.validateReports(out) == "4 valid, 0 invalid")

        let rejects = try String(contentsOf: URL(fileURLWithPath: out.path + ".rejects.jsonl"), encoding: .utf8)
        #expect(rejects.contains("invalid time 'not-a-time'"))
    }

    @Test func checkConfigListsProblems() throws {
        let directory = try TestSupport.temporaryDirectory()
        let bad = directory.appendingPathComponent("bad.json5")
        try "{ windowing: { after: \"soon\" }, parsng: {} }".write(to: bad, atomically: true, encoding: .utf8)
        let run = try TestSupport.runLogcot(["check-config", bad.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("windowing.after: invalid duration 'soon'"))
        #expect(run.stderr.contains("parsng: unknown key; did you mean 'parsing'?"))

        let good = try TestSupport.runLogcot(["check-config", "config/logcot.json5"], environment: ["LOGCOT_MASKING_SECRET": "x"])
        #expect(good.status == 0, "stderr: \(good.stderr)")
    }

    @Test func replayRejectsBadOptions() throws {
        let run = try TestSupport.runLogcot(["replay", "--logs", "examples/sel-sample.csv", "--format", "xml"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("invalid --format 'xml'"))
        let missing = try TestSupport.runLogcot(["replay", "--logs", "/nonexistent.log", "--quiet"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read log file '/nonexistent.log'"))
    }

    @Test(.enabled(if: TestSupport.sharedDataAvailable)) func tianchiTestAOneReportPerTicket() throws {
        let logs = try TestSupport.sharedFile("tianchi-sel/preliminary_sel_log_dataset_a.csv")
        let tickets = try TestSupport.sharedFile("tianchi-sel/preliminary_submit_dataset_a.csv")
        let directory = try TestSupport.temporaryDirectory()

        var ids: [[String]] = []
        for attempt in 0..<2 {
            let out = directory.appendingPathComponent("reports-\(attempt).jsonl")
            let run = try TestSupport.runLogcot([
                "replay", "--logs", logs.path, "--faults", tickets.path, "--out", out.path,
                "--llm", "none", "--allowed-lateness", "unbounded", "--quiet",
            ])
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let reports = try Self.readReports(out)
            #expect(reports.count == 3_011)
            #expect(Set(reports.map(\.reportId)).count == 3_011)
            #expect(reports.allSatisfy { $0.lineCounts.seen > 0 }, "no ticket of test A has an empty window with the default bounds")
            #expect(try Self.validateReports(out) == "3011 valid, 0 invalid")
            ids.append(reports.map(\.reportId).sorted())
        }
        #expect(ids[0] == ids[1])
    }

    @Test(.enabled(if: TestSupport.sharedDataAvailable)) func switchLogsLeakNoAddresses() throws {
        let folder = try TestSupport.sharedFile("switch/iosxr-portflap")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".log") }.sorted().map { folder.appendingPathComponent($0).path }
        let directory = try TestSupport.temporaryDirectory()
        let out = directory.appendingPathComponent("switch.jsonl")
        let run = try TestSupport.runLogcot(["replay", "--logs"] + files + ["--out", out.path, "--llm", "none", "--quiet", "--reference-time", "2017-10-01T00:00:00Z"])
        #expect(run.status == 0, "stderr: \(run.stderr)")

        let reportText = try String(contentsOf: out, encoding: .utf8)
        #expect(!reportText.isEmpty)
        let reports = try Self.readReports(out)
        #expect(reports.allSatisfy { $0.fault.origin == "trigger" })

        // Every IPv4 literal and serial-number value in the inputs must be absent from the reports.
        var secrets: Set<String> = []
        let ipv4 = try NSRegularExpression(pattern: #"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])"#)
        let serial = try NSRegularExpression(pattern: #"(?i)(?:serial(?: number)?|S/N|SN)\s*[:=]?\s*([A-Z0-9]{6,})"#)
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for match in ipv4.matches(in: text, range: range) {
                secrets.insert(String(text[Range(match.range, in: text)!]))
            }
            for match in serial.matches(in: text, range: range) {
                secrets.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        #expect(!secrets.isEmpty, "the switch logs contain IPv4 addresses to check")
        let leaked = secrets.filter { reportText.contains($0) }
        #expect(leaked.isEmpty, "leaked: \(leaked.sorted().prefix(10))")
    }
}

/// End-to-end replays through the real llama-server that `make test` starts (`LOGCOT_LLM_URL`).
@Suite(.serialized) struct LLMReplayTests {
    static var serverURL: String? {
        ProcessInfo.processInfo.environment["LOGCOT_LLM_URL"]
    }

    /// Runs when the server is up, and in CI, where a missing server must fail the test.
    static var enabled: Bool {
        (serverURL != nil || TestSupport.isCI) && TestSupport.sharedDataAvailable
    }

    @Test(.enabled(if: enabled), .timeLimit(.minutes(30))) func tianchiTicketsThroughLLM() throws {
        let url = try #require(Self.serverURL, "LOGCOT_LLM_URL is not set; run the tests with `make test`, which starts llama-server")
        let logs = try TestSupport.sharedFile("tianchi-sel/preliminary_sel_log_dataset_a.csv")
        let allTickets = try String(contentsOf: try TestSupport.sharedFile("tianchi-sel/preliminary_submit_dataset_a.csv"), encoding: .utf8)
        let directory = try TestSupport.temporaryDirectory()
        let tickets = directory.appendingPathComponent("tickets.csv")
        try allTickets.split(separator: "\n").prefix(51).joined(separator: "\n").write(to: tickets, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("llm.json5")
        try """
            { llm: { model: "SmolLM2-135M-Instruct", maxReasoningTokens: 96, maxAnswerTokens: 24, examplesPerClass: 1,
                     requestTimeout: "600s", maxConcurrentRequests: 2 } }
            """.write(to: config, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("reports.jsonl")
        let prompts = directory.appendingPathComponent("prompts.jsonl")

        let run = try TestSupport.runLogcot([
            "replay", "--config", config.path, "--logs", logs.path, "--faults", tickets.path, "--out", out.path,
            "--llm", url, "--allowed-lateness", "unbounded", "--prompt-log", prompts.path, "--quiet",
            "--pool", try TestSupport.sharedFile("logcot-d1/train_62.json").path,
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("s per window (mean)"))
        #expect(run.stderr.contains("per window (mean)"))

        let reports = try ReplayCommandTests.readReports(out)
        #expect(reports.count == 50)
        #expect(try ReplayCommandTests.validateReports(out) == "50 valid, 0 invalid")
        for report in reports {
            #expect(["llm", "llm-unparsed"].contains(report.labelSource), "report \(report.reportId) has \(report.labelSource): \(report.llm?.error ?? "")")
            #expect(!(report.reasoning ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
            #expect(report.label == nil || LabelSet.serverDefault.ids.contains(report.label!))
            #expect(report.llm?.rounds.count == 2)
        }

        // No serial number (the SEL host id) and no IPv4 literal may appear in any prompt sent.
        let promptText = try String(contentsOf: prompts, encoding: .utf8)
        #expect(promptText.split(separator: "\n").count == 100)
        let serials = Set(reports.compactMap(\.routingHost))
        #expect(serials.count > 10)
        for serial in serials {
            #expect(!promptText.contains(serial), "serial \(serial) reached a prompt")
        }
        let ipv4 = try NSRegularExpression(pattern: #"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])"#)
        #expect(ipv4.firstMatch(in: promptText, range: NSRange(promptText.startIndex..., in: promptText)) == nil)
    }
}
