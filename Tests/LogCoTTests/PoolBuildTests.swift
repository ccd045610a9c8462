import Foundation
import Testing
@testable import LogCoT

/// Support for the offline command tests: windows files and a stub model that answers both rounds.
enum OfflineTestSupport {
    /// Windows with distinct memory, CPU and other lines, as JSON lines.
    static func windowsFile(count: Int, in directory: URL, labelled: Bool = false) throws -> URL {
        let kinds = [
            ("memory", "Memory CPU0A%d_DIMM_Stat | Uncorrectable ECC | Asserted"),
            ("cpu", "Processor CPU%d_Status | IERR | Asserted"),
            ("other", "Power Supply PS%d_Status | Power Supply AC lost | Asserted"),
        ]
        // A word per window of a class, so that windows of one class are not near-duplicates of each other.
        let words = ["Fan", "Watchdog", "Temperature", "Drive", "Button", "Voltage", "Chassis", "Battery"]
        var text = "// test windows\n"
        for index in 0..<count {
            let (label, format) = kinds[index % kinds.count]
            let word = words[(index / kinds.count) % words.count]
            var object: [String: Any] = [
                "id": "w-\(index)",
                "host": "host-\(index)",
                "lines": [
                    String(format: format, index),
                    "\(word) \(word)_Sensor | State Asserted | Asserted",
                    "System Boot Initiated BIOS_Boot_Up | Initiated by warm reset | Asserted",
                ],
            ]
            if labelled {
                object["label"] = label
                object["reasoning"] = "Reference reasoning for \(label)."
            }
            text += String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) + "\n"
        }
        let url = directory.appendingPathComponent("windows.jsonl")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Returns the chat messages of a recorded request.
    static func messages(_ request: StubHTTPServer.RecordedRequest) -> [[String: String]] {
        (request.jsonBody?["messages"] as? [[String: String]]) ?? []
    }

    /// A zero-shot stub: round 1 returns reasoning naming the first log line, round 2 the label that the
    /// line's kind implies, as JSON.
    static func zeroShotResponse(_ request: StubHTTPServer.RecordedRequest, delay: Duration = .zero) -> StubHTTPServer.Response {
        let messages = messages(request)
        let user = messages.count > 1 ? messages[1]["content"] ?? "" : ""
        if messages.count == 2 {
            let firstLine = user.components(separatedBy: "<logs>\n").last?.components(separatedBy: "\n").first ?? ""
            return .completion("The first error is: \(firstLine)", delay: delay)
        }
        let label = user.contains("ECC") ? "memory" : user.contains("IERR") ? "cpu" : "other"
        return .completion(#"{"label": "\#(label)"}"#, delay: delay)
    }

    static func readLines(_ url: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }
}

/// `logcot pool build`: the zero-shot dialogue, resumption and representative selection.
@Suite(.serialized) struct PoolBuildTests {
    private func makeBuilder(_ server: StubHTTPServer, concurrency: Int = 1) throws -> PoolBuilder {
        let config = LLMClientConfig(baseURL: server.baseURL, model: "large-model", maxConcurrentRequests: concurrency, maxRetries: 0)
        let client = try ChatClient(config: config, environment: [:], logger: CapturingLogger())
        let dialogue = TwoRoundDialogue(client: client, builder: PromptBuilder(template: .zeroShot, labels: .serverDefault), constraint: .jsonSchema)
        return PoolBuilder(dialogue: dialogue, concurrency: concurrency, showProgress: false, logger: Logger(label: "test"))
    }

    @Test func zeroShotTemplateMatchesFile() throws {
        let url = TestSupport.packageRoot.appendingPathComponent("prompts/zeroshot-cot-v1.json5")
        #expect(try String(contentsOf: url, encoding: .utf8) == PromptTemplate.zeroShotSource)
        #expect(PromptTemplate.zeroShot.version == "zeroshot-cot-v1")
    }

    @Test func dialogueOrderAndMessages() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let windows = try WindowFile.load(from: OfflineTestSupport.windowsFile(count: 3, in: directory), labels: .serverDefault)
        let server = try StubHTTPServer { OfflineTestSupport.zeroShotResponse($0) }
        defer { server.stop() }
        let poolURL = directory.appendingPathComponent("pool.jsonl")

        let (summary, records) = try await makeBuilder(server).build(windows: windows, poolPath: poolURL.path, unlabelledPath: directory.appendingPathComponent("u.jsonl").path)

        #expect(summary.labelled == 3)
        #expect(records.map(\.id) == ["w-0", "w-1", "w-2"])
        #expect(records.map(\.label) == ["memory", "cpu", "other"])
        let requests = server.recordedRequests
        #expect(requests.count == 6)
        for (index, window) in windows.enumerated() {
            let round1 = OfflineTestSupport.messages(requests[2 * index])
            let round2 = OfflineTestSupport.messages(requests[2 * index + 1])
            #expect(round1.map { $0["role"] } == ["system", "user"])
            #expect(round1[0]["content"]?.contains("2. memory: Memory and storage-related errors") == true)
            #expect(round1[1]["content"]?.hasPrefix("Diagnose these logs:\n<logs>\n\(window.lines[0])") == true)
            #expect(round1[1]["content"]?.hasSuffix("Let's think step by step.") == true)
            #expect(round1[1]["content"]?.contains("Example") == false)
            #expect(requests[2 * index].jsonBody?["response_format"] == nil)

            #expect(round2.map { $0["role"] } == ["system", "user", "assistant", "user"])
            #expect(Array(round2.prefix(2)) == round1)
            #expect(round2[2]["content"] == "The first error is: \(window.lines[0])")
            #expect(round2[3]["content"]?.hasSuffix("Therefore, the answer is") == true)
            #expect(requests[2 * index + 1].jsonBody?["response_format"] != nil)
        }

        let loaded = try ExamplePool.load(from: poolURL, labels: .serverDefault)
        #expect(loaded.examples.map(\.id) == ["w-0", "w-1", "w-2"])
        #expect(loaded.examples[0].reasoning == "The first error is: \(windows[0].lines[0])")
        let raw = try OfflineTestSupport.readLines(poolURL)
        #expect(raw.allSatisfy { $0["model"] as? String == "large-model" })
        #expect(raw.allSatisfy { $0["prompt_version"] as? String == "zeroshot-cot-v1" })
    }

    @Test func unparsedAnswerStaysOutOfPool() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let windows = try WindowFile.load(from: OfflineTestSupport.windowsFile(count: 2, in: directory), labels: .serverDefault)
        let server = try StubHTTPServer { request in
            OfflineTestSupport.messages(request).count == 2 ? .completion("Unclear.") : .completion("I cannot tell")
        }
        defer { server.stop() }
        let poolPath = directory.appendingPathComponent("pool.jsonl").path
        let unlabelledURL = directory.appendingPathComponent("pool.unlabelled.jsonl")
        let builder = try makeBuilder(server)

        let (summary, records) = try await builder.build(windows: windows, poolPath: poolPath, unlabelledPath: unlabelledURL.path)
        #expect(summary.unlabelled == 2)
        #expect(records.isEmpty)
        #expect(try OfflineTestSupport.readLines(unlabelledURL).map { $0["id"] as? String } == ["w-0", "w-1"])

        let (again, _) = try await builder.build(windows: windows, poolPath: poolPath, unlabelledPath: unlabelledURL.path)
        #expect(again.resumed == 2)
        #expect(server.recordedRequests.count == 4)
    }

    @Test func tornLastLineIsRedone() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let windows = try WindowFile.load(from: OfflineTestSupport.windowsFile(count: 3, in: directory), labels: .serverDefault)
        let poolURL = directory.appendingPathComponent("pool.jsonl")
        let first = #"{"id":"w-0","label":"memory","lines":["a"],"model":"m","prompt_version":"v","reasoning":"r"}"#
        try (first + "\n" + #"{"id":"w-1","label":"cp"#).write(to: poolURL, atomically: true, encoding: .utf8)
        let server = try StubHTTPServer { OfflineTestSupport.zeroShotResponse($0) }
        defer { server.stop() }

        let (summary, records) = try await makeBuilder(server).build(windows: windows, poolPath: poolURL.path, unlabelledPath: directory.appendingPathComponent("u.jsonl").path)

        #expect(summary.resumed == 1)
        #expect(summary.labelled == 2)
        #expect(records.map(\.id) == ["w-0", "w-1", "w-2"])
        let lines = try String(contentsOf: poolURL, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == Substring(first))
        #expect(try ExamplePool.load(from: poolURL, labels: .serverDefault).examples.count == 3)
    }

    @Test func resumesAfterKill() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let windowsURL = try OfflineTestSupport.windowsFile(count: 24, in: directory)
        let server = try StubHTTPServer { OfflineTestSupport.zeroShotResponse($0, delay: .milliseconds(40)) }
        defer { server.stop() }
        let poolURL = directory.appendingPathComponent("pool.jsonl")
        let arguments = ["pool", "build", "--windows", windowsURL.path, "--out", poolURL.path, "--llm", server.baseURL.absoluteString, "--model", "large-model", "--concurrency", "2", "--k", "2"]

        let process = Process()
        process.executableURL = TestSupport.executable
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        var written = 0
        for _ in 0..<400 where written < 5 {
            try await Task.sleep(for: .milliseconds(25))
            written = ((try? String(contentsOf: poolURL, encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let beforeRerun = try String(contentsOf: poolURL, encoding: .utf8).split(separator: "\n").count
        #expect(beforeRerun >= 5)
        #expect(beforeRerun < 24, "the build finished before the kill, so resumption was not tested")

        let rerun = try TestSupport.runLogcot(arguments)
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
        #expect(rerun.stderr.contains("from an earlier run"))
        #expect(rerun.stderr.contains("] 24/24 100% "), "the progress bar's last line is missing")
        #expect(rerun.stderr.contains(" ETA 0:00\n"))

        let ids = try OfflineTestSupport.readLines(poolURL).compactMap { $0["id"] as? String }
        #expect(ids.count == 24)
        #expect(Set(ids) == Set((0..<24).map { "w-\($0)" }))
        let selected = try ExamplePool.load(from: directory.appendingPathComponent("pool.selected.jsonl"), labels: .serverDefault)
        #expect(selected.examples.count == 6)
        #expect(selected.examples.map(\.label) == ["cpu", "cpu", "memory", "memory", "other", "other"])
    }

    @Test func selectionSkipsNearDuplicates() {
        func record(_ id: String, _ label: String, _ lines: [String]) -> PoolRecord {
            PoolRecord(id: id, lines: lines, reasoning: "r", label: label, model: "m", promptVersion: "v")
        }
        let ecc = ["Memory DIMM_A1 | Correctable ECC | Asserted", "Memory DIMM_A1 | Uncorrectable ECC | Asserted"]
        let records = [
            record("m1", "memory", ecc),
            record("m2", "memory", ecc),
            record("m3", "memory", ["Memory DIMM_B2 | Correctable ECC | Asserted", "Memory Memory_Status | Uncorrectable ECC | Asserted"]),
            record("m4", "memory", ["Drive Slot HDD_Status | Drive Fault | Asserted"]),
            record("c1", "cpu", ["Processor CPU0_Status | IERR | Asserted"]),
        ]

        let two = RepresentativeSelector(perClass: 2).select(records, labels: .serverDefault)
        #expect(two.map(\.id) == ["c1", "m1", "m3"])

        let three = RepresentativeSelector(perClass: 3).select(records, labels: .serverDefault)
        #expect(three.map(\.id) == ["c1", "m1", "m3", "m4"])

        let loose = RepresentativeSelector(perClass: 3, duplicateThreshold: 1.01).select(records, labels: .serverDefault)
        #expect(loose.filter { $0.label == "memory" }.count == 3)
        #expect(Set(loose.map(\.id)).isSuperset(of: ["m1", "m2"]))
    }

    @Test func corruptMiddleLineRejected() throws {
        let directory = try TestSupport.temporaryDirectory()
        let url = directory.appendingPathComponent("pool.jsonl")
        let good = #"{"id":"w-0","label":"memory","lines":["a"],"model":"m","prompt_version":"v","reasoning":"r"}"#
        try ("not json\n" + good + "\n").write(to: url, atomically: true, encoding: .utf8)

        #expect {
            _ = try JSONLinesJournal<PoolRecord>.open(path: url.path, logger: Logger(label: "test"))
        } throws: { error in
            String(describing: error).contains("line 1 is not a valid record")
        }
        #expect(try String(contentsOf: url, encoding: .utf8).hasPrefix("not json\n"))
    }

    @Test func commandRejectsBadOptions() throws {
        let missing = try TestSupport.runLogcot(["pool", "build", "--out", "/tmp/never.jsonl"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("missing --windows"))

        let unknown = try TestSupport.runLogcot(["pool", "label"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("expected the subcommand build or select"))

        let badURL = try TestSupport.runLogcot(["prefs", "build", "--windows", "w.jsonl", "--candidate", "ftp://x", "--evaluator", "http://127.0.0.1:1/v1", "--out", "/tmp/never.jsonl"])
        #expect(badURL.status == 2)
        #expect(badURL.stderr.contains("invalid --candidate 'ftp://x'"))

        let help = try TestSupport.runLogcot(["help", "prefs"])
        #expect(help.stdout.contains("logcot prefs build --windows LABELLED"))
    }

    @Test func progressLineShowsRateAndETA() {
        let line = ProgressBar.render(label: "pool", done: 12, total: 40, doneThisRun: 6, elapsed: 3)
        #expect(line == "pool [#######-----------------] 12/40  30% 2.00/s ETA 0:14")
        #expect(ProgressBar.formatDuration(3725) == "1:02:05")
    }
}
