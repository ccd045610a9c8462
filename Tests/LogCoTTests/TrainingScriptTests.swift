import Foundation
import Testing
@testable import LogCoT

/// `scripts/train_ipo.py --check` on pairs written by `logcot prefs build`, on the CPU and without a model.
///
/// With `LOGCOT_TRAIN_PYTHON` set (as `make training-tools` prepares it), the script must build TRL's
/// DPOConfig. Without it the test uses the training venv when present, else `python3`, and then checks
/// the data validation only when trl is missing.
@Suite(.serialized) struct TrainingScriptTests {
    static var python: (path: String, requiresTRL: Bool) {
        if let path = ProcessInfo.processInfo.environment["LOGCOT_TRAIN_PYTHON"] {
            return (path, true)
        }
        let venv = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/logcot/train-venv/bin/python").path
        if FileManager.default.isExecutableFile(atPath: venv) {
            return (venv, false)
        }
        return ("/usr/bin/python3", false)
    }

    static func runScript(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let (python, requiresTRL) = python
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestSupport.packageRoot.appendingPathComponent("scripts/train_ipo.py").path] + arguments + (requiresTRL ? ["--require-trl"] : [])
        process.environment = ["HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func checkReadsCommandOutput() throws {
        let directory = try TestSupport.temporaryDirectory()
        let windowsURL = try OfflineTestSupport.windowsFile(count: 2, in: directory, labelled: true)
        let candidate = try PrefsBuildTests.candidate()
        let evaluator = try PrefsBuildTests.evaluator()
        defer {
            candidate.stop()
            evaluator.stop()
        }
        let out = directory.appendingPathComponent("prefs.jsonl")
        let build = try TestSupport.runLogcot([
            "prefs", "build", "--windows", windowsURL.path, "--candidate", candidate.baseURL.absoluteString,
            "--evaluator", evaluator.baseURL.absoluteString, "--out", out.path, "--samples", "3", "--quiet",
        ])
        #expect(build.status == 0, "stderr: \(build.stderr)")

        // Window w-0 (memory) gets 3 good x 2 bad answers; for w-1 (cpu) the stub's planned labels make one
        // answer good and five bad, so 6 + 5 pairs.
        let check = try Self.runScript(["--data", out.path, "--check", "--output-dir", directory.appendingPathComponent("ipo").path])
        #expect(check.status == 0, "output: \(check.output)")
        #expect(check.output.contains("data: 11 pairs (conversational)"), "output: \(check.output)")
        if check.output.contains("config: not built") {
            #expect(!Self.python.requiresTRL)
        } else {
            #expect(check.output.contains("config: loss_type=ipo beta=0.1 learning_rate=5e-06 num_train_epochs=3"), "output: \(check.output)")
            #expect(check.output.contains("warmup_ratio=0.1 gradient_accumulation_steps=8 per_device_train_batch_size=1"), "output: \(check.output)")
        }

        let sharegpt = directory.appendingPathComponent("prefs.json")
        let convert = try TestSupport.runLogcot(["prefs", "convert", "--in", out.path, "--out", sharegpt.path, "--format", "sharegpt"])
        #expect(convert.status == 0, "stderr: \(convert.stderr)")
        let fromShareGPT = try Self.runScript(["--data", sharegpt.path, "--check"])
        #expect(fromShareGPT.output.contains("data: 11 pairs (conversational)"), "output: \(fromShareGPT.output)")
    }

    /// True when the training venv (or `LOGCOT_TRAIN_PYTHON`) exists.
    ///
    /// NOTE: CI does not install the training venv (several GB), so there this test skips like a missing
    /// optional tool instead of failing.
    static var trainingVenvAvailable: Bool {
        python.requiresTRL || python.path.hasSuffix("train-venv/bin/python")
    }

    @Test(.enabled(if: trainingVenvAvailable), .timeLimit(.minutes(10))) func ipoSmokeRunOnCPU() throws {
        let directory = try TestSupport.temporaryDirectory()
        let windowsURL = try OfflineTestSupport.windowsFile(count: 1, in: directory, labelled: true)
        let candidate = try PrefsBuildTests.candidate()
        let evaluator = try PrefsBuildTests.evaluator()
        defer {
            candidate.stop()
            evaluator.stop()
        }
        let out = directory.appendingPathComponent("prefs.jsonl")
        let build = try TestSupport.runLogcot([
            "prefs", "build", "--windows", windowsURL.path, "--candidate", candidate.baseURL.absoluteString,
            "--evaluator", evaluator.baseURL.absoluteString, "--out", out.path, "--samples", "3", "--quiet",
        ])
        #expect(build.status == 0, "stderr: \(build.stderr)")

        let smoke = try Self.runScript(["--data", out.path, "--smoke", "--output-dir", directory.appendingPathComponent("ipo").path])
        #expect(smoke.status == 0, "output: \(smoke.output)")
        // Before any update the policy equals the reference, so the IPO loss is (0 - 1 / (2 * beta))^2 = 25
        // for beta 0.1; DPO's sigmoid loss would start at ln 2.
        #expect(smoke.output.contains("smoke: 2 IPO steps on the CPU, losses 25.0000"), "output: \(smoke.output)")
    }

    @Test func checkRejectsBrokenPairs() throws {
        let directory = try TestSupport.temporaryDirectory()
        let file = directory.appendingPathComponent("broken.jsonl")
        let good = #"{"prompt": [{"role": "user", "content": "logs"}], "chosen": [{"role": "assistant", "content": "a"}], "rejected": [{"role": "assistant", "content": "b"}]}"#
        let noRejected = #"{"prompt": [{"role": "user", "content": "logs"}], "chosen": [{"role": "assistant", "content": "a"}]}"#
        try (good + "\n" + noRejected + "\n").write(to: file, atomically: true, encoding: .utf8)

        let run = try Self.runScript(["--data", file.path, "--check"])
        #expect(run.status == 2)
        #expect(run.output.contains("line 2: missing rejected"), "output: \(run.output)")
    }
}
