import Foundation
import Synchronization
import Testing
@testable import LogCoT

/// `logcot prefs build` and `logcot prefs convert`: grading, pair counts and file formats.
@Suite(.serialized) struct PrefsBuildTests {
    /// Outcome of the k-th round 1 reply of the candidate stub; six samples give 3 good x 2 bad.
    /// k = 4 has a wrong label although the evaluator would give it 10; k = 5 gets no score.
    static let plan: [(label: String, score: String)] = [
        ("memory", #"{"score": 9}"#),
        ("memory", #"{"score": 8}"#),
        ("memory", #"{"score": 7}"#),
        ("memory", #"{"score": 3}"#),
        ("cpu", #"{"score": 10}"#),
        ("memory", "no idea"),
    ]

    /// Starts a candidate stub: round 1 replies `R-k` with a counter k, round 2 the planned label for `R-k`.
    static func candidate(delay: Duration = .zero) throws -> StubHTTPServer {
        let counter = Mutex(0)
        return try StubHTTPServer { request in
            let messages = OfflineTestSupport.messages(request)
            if messages.count == 2 {
                let k = counter.withLock { value in
                    defer { value += 1 }
                    return value
                }
                return .completion("R-\(k)", delay: delay)
            }
            let k = Int(messages[2]["content"]?.dropFirst(2) ?? "") ?? 0
            return .completion(#"{"label": "\#(plan[k % plan.count].label)"}"#, delay: delay)
        }
    }

    /// An evaluator stub that returns the planned score for the `R-k` in the request.
    static func evaluator() throws -> StubHTTPServer {
        try StubHTTPServer { request in
            let user = OfflineTestSupport.messages(request).last?["content"] ?? ""
            let reasoning = user.components(separatedBy: "Candidate reasoning: R-").last ?? ""
            let k = Int(reasoning.prefix { $0.isNumber }) ?? 0
            return .completion(plan[k % plan.count].score)
        }
    }

    private func makeBuilder(candidate: StubHTTPServer, evaluator: StubHTTPServer, samples: Int, windows: [WindowRecord]) throws -> PreferenceBuilder {
        var config = LogCoTConfig()
        config.llm.examplesPerClass = 1
        config.masking.secret = "test-secret"
        let builder = PromptBuilder(labels: .serverDefault)
        let candidateClient = try ChatClient(config: LLMClientConfig(baseURL: candidate.baseURL, model: "cand-a", maxRetries: 0), environment: [:], logger: CapturingLogger())
        let evaluatorClient = try ChatClient(config: LLMClientConfig(baseURL: evaluator.baseURL, model: "judge", maxRetries: 0), environment: [:], logger: CapturingLogger())
        return PreferenceBuilder(
            candidates: [TwoRoundDialogue(client: candidateClient, builder: builder, constraint: .jsonSchema)],
            evaluator: ResponseEvaluator(client: evaluatorClient, labels: .serverDefault),
            builder: builder,
            examplesByWindow: try FewShotPlanner.examples(for: windows, pool: BuiltinPool.pool, config: config, logger: Logger(label: "test")),
            samplesPerMode: samples,
            goodThreshold: 7,
            showProgress: false,
            logger: Logger(label: "test")
        )
    }

    @Test func cartesianProductAndAlwaysBad() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let window = WindowRecord(id: "w-mem", lines: ["Memory CPU0A1_DIMM_Stat | Uncorrectable ECC | Asserted"], label: "memory", reasoning: "The DIMM fails.")
        let candidate = try Self.candidate()
        let evaluator = try Self.evaluator()
        defer {
            candidate.stop()
            evaluator.stop()
        }

        let builder = try makeBuilder(candidate: candidate, evaluator: evaluator, samples: 3, windows: [window])
        let (summary, records) = try await builder.build(windows: [window], samplesPath: directory.appendingPathComponent("s.jsonl").path)

        #expect(summary.completed == 1)
        #expect(summary.good == 3)
        #expect(summary.bad == 2)
        #expect(summary.unscored == 1)
        let record = try #require(records.first)
        #expect(record.samples.count == 6)
        #expect(record.samples.filter { $0.mode == .exampleInduced }.count == 3)
        #expect(record.samples.filter { $0.mode == .labelInduced }.count == 3)

        let wrong = try #require(record.samples.first { $0.reasoning == "R-4" })
        #expect(wrong.verdict == .bad)
        #expect(wrong.score == nil)
        #expect(wrong.reason == "wrong label cpu")
        let evaluated = evaluator.recordedRequests.map { OfflineTestSupport.messages($0).last?["content"] ?? "" }
        #expect(evaluated.count == 5)
        #expect(!evaluated.contains { $0.contains("Candidate reasoning: R-4") })

        let pairs = record.pairs(labelCode: "2")
        #expect(pairs.count == 6)
        let combinations = Set(pairs.map { "\($0.chosen[0].content)>\($0.rejected[0].content)" })
        #expect(combinations == ["R-0>R-3", "R-0>R-4", "R-1>R-3", "R-1>R-4", "R-2>R-3", "R-2>R-4"])
        #expect(pairs.allSatisfy { $0.prompt == record.prompt })
        #expect(pairs.allSatisfy { $0.chosen.map(\.role) == [.assistant, .user, .assistant] })
    }

    @Test func promptsOfBothModes() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let window = WindowRecord(id: "w-mem", lines: ["Memory CPU0A1_DIMM_Stat | Uncorrectable ECC | Asserted"], label: "memory")
        let candidate = try Self.candidate()
        let evaluator = try Self.evaluator()
        defer {
            candidate.stop()
            evaluator.stop()
        }

        let builder = try makeBuilder(candidate: candidate, evaluator: evaluator, samples: 2, windows: [window])
        let (_, records) = try await builder.build(windows: [window], samplesPath: directory.appendingPathComponent("s.jsonl").path)

        let round1 = candidate.recordedRequests.map(OfflineTestSupport.messages).filter { $0.count == 2 }.map { $0[1]["content"] ?? "" }
        #expect(round1.count == 4)
        let hinted = round1.filter { $0.hasSuffix("The correct category of the main error is 2 (memory: Memory and storage-related errors). Explain step by step why these logs show it.") }
        #expect(hinted.count == 2)
        #expect(round1.allSatisfy { $0.contains("Example 3:") })
        #expect(round1.allSatisfy { !$0.contains("Example 4:") })

        let prompt = try #require(records.first?.prompt)
        #expect(prompt[1].content.contains("Correctable ECC errors on DIMM B0 escalate"), "the nearest memory example is missing")
        #expect(!prompt[1].content.contains("A drive reports a predictive failure"))
        #expect(!prompt[1].content.contains("The correct category"))
        #expect(prompt[1].content.hasSuffix("Let's think step by step."))
    }

    @Test func plannerLeavesWindowOutOfItsExamples() throws {
        var config = LogCoTConfig()
        config.masking.secret = "test-secret"
        config.llm.examplesPerClass = 2
        let pooled = BuiltinPool.pool.examples[2]
        let window = WindowRecord(id: pooled.id, lines: pooled.lines, label: pooled.label)

        let examples = try FewShotPlanner.examples(for: [window], pool: BuiltinPool.pool, config: config, logger: Logger(label: "test"))

        let chosen = try #require(examples[pooled.id])
        #expect(chosen.count == 5)
        #expect(!chosen.contains { $0.id == pooled.id })
    }

    @Test func resumedWindowsAreNotAskedAgain() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let windows = try WindowFile.load(from: OfflineTestSupport.windowsFile(count: 2, in: directory, labelled: true), labels: .serverDefault)
        let candidate = try Self.candidate()
        let evaluator = try Self.evaluator()
        defer {
            candidate.stop()
            evaluator.stop()
        }
        let samplesPath = directory.appendingPathComponent("s.jsonl").path
        let builder = try makeBuilder(candidate: candidate, evaluator: evaluator, samples: 1, windows: windows)

        let (first, _) = try await builder.build(windows: [windows[0]], samplesPath: samplesPath)
        #expect(first.completed == 1)
        let requestsAfterFirst = candidate.recordedRequests.count

        let (second, records) = try await builder.build(windows: windows, samplesPath: samplesPath)
        #expect(second.resumed == 1)
        #expect(second.completed == 1)
        #expect(records.map(\.id) == ["w-0", "w-1"])
        #expect(candidate.recordedRequests.count == requestsAfterFirst * 2)
    }

    @Test func commandWritesTRLAndShareGPT() throws {
        let directory = try TestSupport.temporaryDirectory()
        let windowsURL = try OfflineTestSupport.windowsFile(count: 1, in: directory, labelled: true)
        let candidate = try Self.candidate()
        let evaluator = try Self.evaluator()
        defer {
            candidate.stop()
            evaluator.stop()
        }
        let out = directory.appendingPathComponent("prefs.jsonl")

        let run = try TestSupport.runLogcot([
            "prefs", "build", "--windows", windowsURL.path, "--candidate", candidate.baseURL.absoluteString + "=cand-a",
            "--evaluator", evaluator.baseURL.absoluteString + "=judge", "--out", out.path, "--samples", "3", "--concurrency", "1",
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("pairs             6 from 1 windows"))

        let lines = try OfflineTestSupport.readLines(out)
        #expect(lines.count == 6)
        for line in lines {
            #expect(Set(line.keys) == ["prompt", "chosen", "rejected"])
            let prompt = try #require(line["prompt"] as? [[String: String]])
            let chosen = try #require(line["chosen"] as? [[String: String]])
            #expect(prompt.map { $0["role"] } == ["system", "user"])
            #expect(chosen.map { $0["role"] } == ["assistant", "user", "assistant"])
            #expect(chosen[2]["content"] == #"{"label": "memory"}"#)
        }
        let requestBody = try #require(candidate.recordedRequests.first?.jsonBody)
        #expect(requestBody["model"] as? String == "cand-a")
        #expect(requestBody["temperature"] as? Double == 1.0)

        let sharegpt = directory.appendingPathComponent("prefs.json")
        let convert = try TestSupport.runLogcot(["prefs", "convert", "--in", out.path, "--out", sharegpt.path, "--format", "sharegpt"])
        #expect(convert.status == 0, "stderr: \(convert.stderr)")
        let entries = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: sharegpt)) as? [[String: Any]])
        #expect(entries.count == 6)
        #expect(entries.allSatisfy { $0["label"] as? String == "2" })
        let conversation = try #require((entries[0]["chosen"] as? [String: Any])?["conversations"] as? [[String: String]])
        #expect(conversation.map { $0["from"] } == ["human", "gpt", "human", "gpt"])
        #expect(conversation[0]["value"]?.contains("<logs>\nMemory CPU0A0_DIMM_Stat") == true)

        let direct = directory.appendingPathComponent("direct.json")
        let build = try TestSupport.runLogcot([
            "prefs", "build", "--windows", windowsURL.path, "--candidate", candidate.baseURL.absoluteString + "=cand-a",
            "--evaluator", evaluator.baseURL.absoluteString + "=judge", "--out", direct.path, "--samples", "3",
            "--format", "sharegpt", "--quiet",
        ])
        #expect(build.status == 0, "stderr: \(build.stderr)")
        let directEntries = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: direct)) as? [[String: Any]])
        #expect(directEntries.count == 6)
        #expect(directEntries.allSatisfy { $0["label"] as? String == "2" })
        #expect(try PreferenceFormat.decode(Data(contentsOf: direct), source: direct.path).count == 6)
    }

    @Test func commandResumesAfterKill() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let windowsURL = try OfflineTestSupport.windowsFile(count: 12, in: directory, labelled: true)
        // The delay keeps the build running long enough to be killed part way.
        let candidate = try Self.candidate(delay: .milliseconds(30))
        let evaluator = try Self.evaluator()
        defer {
            candidate.stop()
            evaluator.stop()
        }
        let out = directory.appendingPathComponent("prefs.jsonl")
        let samples = directory.appendingPathComponent("prefs.samples.jsonl")
        let arguments = [
            "prefs", "build", "--windows", windowsURL.path, "--candidate", candidate.baseURL.absoluteString,
            "--evaluator", evaluator.baseURL.absoluteString, "--out", out.path, "--samples", "2", "--concurrency", "1",
        ]

        let process = Process()
        process.executableURL = TestSupport.executable
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        var written = 0
        for _ in 0..<400 where written < 3 {
            try await Task.sleep(for: .milliseconds(25))
            written = ((try? String(contentsOf: samples, encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let beforeRerun = try String(contentsOf: samples, encoding: .utf8).split(separator: "\n").count
        #expect(beforeRerun >= 3)
        #expect(beforeRerun < 12, "the build finished before the kill, so resumption was not tested")

        let rerun = try TestSupport.runLogcot(arguments)
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")

        let records = try OfflineTestSupport.readLines(samples)
        let ids = records.compactMap { $0["id"] as? String }
        #expect(ids.count == 12)
        #expect(Set(ids) == Set((0..<12).map { "w-\($0)" }))
        var expectedPairs = 0
        for record in records {
            let verdicts = (record["samples"] as? [[String: Any]] ?? []).compactMap { $0["verdict"] as? String }
            #expect(verdicts.count == 4)
            expectedPairs += verdicts.filter { $0 == "good" }.count * verdicts.filter { $0 == "bad" }.count
        }
        #expect(try OfflineTestSupport.readLines(out).count == expectedPairs)
    }

    @Test func trlThroughShareGPTKeepsPairs() throws {
        let pair = PreferencePair(
            prompt: [.system("task"), .user("logs")],
            chosen: [.assistant("good"), .user("cue"), .assistant(#"{"label": "cpu"}"#)],
            rejected: [.assistant("bad"), .user("cue"), .assistant(#"{"label": "other"}"#)],
            label: "1"
        )
        let trl = try PreferenceFormat.trl.encode([pair])
        let fromTRL = try PreferenceFormat.decode(trl, source: "trl")
        #expect(fromTRL.count == 1)
        #expect(fromTRL[0].prompt == pair.prompt)
        #expect(fromTRL[0].chosen == pair.chosen)
        #expect(fromTRL[0].rejected == pair.rejected)

        let sharegpt = try PreferenceFormat.sharegpt.encode([pair])
        let fromShareGPT = try PreferenceFormat.decode(sharegpt, source: "sharegpt")
        #expect(fromShareGPT[0].prompt == [.user("task\n\nlogs")])
        #expect(fromShareGPT[0].chosen == pair.chosen)
        #expect(fromShareGPT[0].rejected == pair.rejected)
        #expect(fromShareGPT[0].label == "1")
    }

    @Test func shareGPTWithMismatchedPromptsRejected() {
        let text = #"[{"label": "1", "chosen": {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "x"}]}, "rejected": {"conversations": [{"from": "human", "value": "b"}, {"from": "gpt", "value": "y"}]}}]"#
        #expect(throws: PreferenceFormatError.self) {
            try PreferenceFormat.decode(Data(text.utf8), source: "bad")
        }
    }

    @Test(.enabled(if: TestSupport.sharedDataAvailable)) func authorsFileRoundTrips() throws {
        let url = try TestSupport.sharedFile("logcot-d1/case_predict_sharegpt.json")
        let original = try Data(contentsOf: url)
        let pairs = try PreferenceFormat.decode(original, source: url.path)
        #expect(pairs.count == 16)
        #expect(pairs.allSatisfy { $0.chosen.count == 3 })
        #expect(pairs.allSatisfy { $0.rejected.count == 3 })

        let viaTRL = try PreferenceFormat.decode(try PreferenceFormat.trl.encode(pairs), source: "trl")
        var relabelled = viaTRL
        for index in relabelled.indices {
            relabelled[index].label = pairs[index].label
        }
        let rewritten = try PreferenceFormat.sharegpt.encode(relabelled)
        let before = try JSONSerialization.jsonObject(with: original) as? NSArray
        let after = try JSONSerialization.jsonObject(with: rewritten) as? NSArray
        #expect(before != nil)
        #expect(before == after)

        let windows = try WindowFile.load(from: url, labels: .serverDefault)
        #expect(windows.count == 16)
        #expect(windows[0].lines.first == "Memory CPU0F0_DIMM_Stat | Uncorrectable ECC | Asserted")
        #expect(windows[0].label == "cpu")
    }

    @Test(.enabled(if: TestSupport.sharedDataAvailable)) func authorsTrainingArrayLoads() throws {
        let url = try TestSupport.sharedFile("logcot-d1/train_62.json")
        let windows = try WindowFile.load(from: url, labels: .serverDefault)
        #expect(windows.count == 62)
        #expect(windows.allSatisfy { $0.label != nil })
        #expect(windows.allSatisfy { !$0.lines.isEmpty })
        #expect(windows.allSatisfy { $0.reasoning?.isEmpty == false })
        #expect(Dictionary(grouping: windows, by: { $0.label ?? "" }).mapValues(\.count) == ["cpu": 26, "memory": 15, "other": 21])
    }
}
