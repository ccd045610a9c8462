import Foundation
import Testing
@testable import LogCoT

/// `logcot pool build` and `logcot prefs build` through the real llama-server that `make test` starts.
@Suite(.serialized) struct LLMTrainingTests {
    /// Writes the first `count` windows of the authors' training array as a labelled windows file.
    static func trainingWindows(_ count: Int, in directory: URL) throws -> URL {
        let windows = try WindowFile.load(from: try TestSupport.sharedFile("logcot-d1/train_62.json"), labels: .serverDefault)
        var text = ""
        for window in windows.prefix(count) {
            let object: [String: Any] = ["id": window.id, "lines": window.lines, "label": window.label ?? "", "reasoning": window.reasoning ?? ""]
            text += String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) + "\n"
        }
        let url = directory.appendingPathComponent("windows.jsonl")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func smallModelConfig(in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("llm.json5")
        try """
            { llm: { model: "SmolLM2-135M-Instruct", maxReasoningTokens: 96, maxAnswerTokens: 24, examplesPerClass: 1,
                     requestTimeout: "600s", maxConcurrentRequests: 2 } }
            """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test(.enabled(if: LLMReplayTests.enabled), .timeLimit(.minutes(20))) func poolBuildWithSmallModel() throws {
        let url = try #require(LLMReplayTests.serverURL, "LOGCOT_LLM_URL is not set; run the tests with `make test`, which starts llama-server")
        let directory = try TestSupport.temporaryDirectory()
        let windows = try Self.trainingWindows(6, in: directory)
        let pool = directory.appendingPathComponent("pool.jsonl")

        let run = try TestSupport.runLogcot([
            "pool", "build", "--config", try Self.smallModelConfig(in: directory).path, "--windows", windows.path,
            "--out", pool.path, "--llm", url, "--k", "1", "--quiet",
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")

        let labelled = try ExamplePool.load(from: pool, labels: .serverDefault).examples
        let unlabelled = try OfflineTestSupport.readLines(directory.appendingPathComponent("pool.unlabelled.jsonl"))
        #expect(labelled.count + unlabelled.count == 6)
        #expect(labelled.allSatisfy { !$0.reasoning.isEmpty })
        let selected = try ExamplePool.load(from: directory.appendingPathComponent("pool.selected.jsonl"), labels: .serverDefault).examples
        #expect(selected.count <= 3)
        #expect(Set(selected.map(\.label)).count == selected.count)
    }

    @Test(.enabled(if: LLMReplayTests.enabled), .timeLimit(.minutes(20))) func prefsBuildWithSmallModel() throws {
        let url = try #require(LLMReplayTests.serverURL, "LOGCOT_LLM_URL is not set; run the tests with `make test`, which starts llama-server")
        let directory = try TestSupport.temporaryDirectory()
        let windows = try Self.trainingWindows(2, in: directory)
        let out = directory.appendingPathComponent("prefs.jsonl")

        let run = try TestSupport.runLogcot([
            "prefs", "build", "--config", try Self.smallModelConfig(in: directory).path, "--windows", windows.path,
            "--candidate", url, "--evaluator", url, "--out", out.path, "--samples", "1", "--quiet",
            "--pool", try TestSupport.sharedFile("logcot-d1/train_62.json").path,
        ])
        #expect(run.status == 0, "stderr: \(run.stderr)")

        let records = try OfflineTestSupport.readLines(directory.appendingPathComponent("prefs.samples.jsonl"))
        #expect(records.count == 2)
        for record in records {
            let samples = record["samples"] as? [[String: Any]] ?? []
            #expect(samples.count == 2)
            for sample in samples {
                #expect(["good", "bad", "unscored"].contains(sample["verdict"] as? String ?? ""))
                #expect(!(sample["reasoning"] as? String ?? "").isEmpty)
            }
        }
        #expect(FileManager.default.fileExists(atPath: out.path))
    }
}
