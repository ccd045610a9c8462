import Foundation
import Testing
@testable import LogCoT

/// How `ChatClient`'s libcurl transport waits, times out and stops, against a local stub server.
@Suite struct ChatClientTransportTests {
    private let messages: [ChatMessage] = [.system("You are a test."), .user("Say hello.")]

    private func makeConfig(server: StubHTTPServer, timeout: Duration, maxRetries: Int = 0) -> LLMClientConfig {
        LLMClientConfig(
            baseURL: server.baseURL,
            model: "stub-model",
            requestTimeout: timeout,
            maxRetries: maxRetries,
            initialBackoff: .milliseconds(20),
            maxBackoff: .milliseconds(100)
        )
    }

    /// Waits until the stub has received `count` requests, or fails after `limit`.
    ///
    /// The limit is long because the full suite runs many blocking tests at once. In one CI run they kept
    /// this process's tasks from running for minutes, and only a request that never comes should fail here.
    private func waitForRequests(_ server: StubHTTPServer, count: Int, limit: Duration = .seconds(600)) async throws {
        let deadline = ContinuousClock.now + limit
        while server.recordedRequests.count < count {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("the stub received \(server.recordedRequests.count) of \(count) requests within \(limit)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func cancellationAbortsHeldRequest() async throws {
        let server = try StubHTTPServer(responses: [.completion("never sent")])
        server.holdRequests()
        defer {
            server.releaseHeldRequests()
            server.stop()
        }
        let logger = CapturingLogger()
        // The stub holds the request until the test ends, so without the abort the call would end only at the
        // 600 s timeout, with retriesExhausted instead of cancelled. The timeout is long so that a test
        // process kept from running by other tests still cancels before it.
        let client = try ChatClient(config: makeConfig(server: server, timeout: .seconds(600)), environment: [:], logger: logger)

        let task = Task {
            try await client.complete(messages, maxTokens: 16)
        }
        try await waitForRequests(server, count: 1)
        task.cancel()
        let result = await task.result

        guard case .failure(let error) = result else {
            Issue.record("expected the cancelled call to fail, got \(result)")
            return
        }
        #expect(error as? ChatClientError == .cancelled)
        #expect(server.recordedRequests.count == 1)
        #expect(logger.events(withMessage: "LLM request failed without retry").isEmpty)
    }

    @Test func subsecondTimeoutHonoured() async throws {
        let server = try StubHTTPServer(responses: [.completion("late", delay: .seconds(3))])
        defer { server.stop() }
        let client = try ChatClient(config: makeConfig(server: server, timeout: .milliseconds(300)), environment: [:], logger: CapturingLogger())

        let error = await #expect(throws: ChatClientError.self) {
            _ = try await client.complete(messages, maxTokens: 16)
        }

        #expect(error == .retriesExhausted(attempts: 1, lastFailure: .timedOut(seconds: 0.3)))
    }

    /// Checks that a process waiting on a slow LLM uses almost no CPU.
    ///
    /// URLSession in swift-corelibs-foundation (Swift 6.3.1) kept one core busy while it waited: `logcot replay`
    /// used about 0.85 CPU s per second of waiting. The test runs `logcot replay` in a child process, so other
    /// tests in this process do not count, and samples the child's user plus system time from /proc over 2 s
    /// while the stub holds its requests. The 0.5 s bound is a resource check with a wide margin for a loaded
    /// machine, not a timing target.
    @Test func waitingUsesLittleCPU() async throws {
        guard FileManager.default.fileExists(atPath: "/proc/self/stat") else {
            try #require(!TestSupport.isCI, "this check reads /proc, which CI must have")
            return
        }
        // The stub holds every request until the test ends, so the child is still waiting whenever the
        // samples are taken, however late this test gets to run.
        let server = try StubHTTPServer(responses: [.completion("Reasoning: held.\nLabel: memory")])
        server.holdRequests()
        defer {
            server.releaseHeldRequests()
            server.stop()
        }
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        let process = Process()
        process.executableURL = TestSupport.executable
        process.currentDirectoryURL = TestSupport.packageRoot
        process.arguments = [
            "replay", "--logs", "examples/sel-sample.csv", "--faults", "examples/tickets.csv",
            "--out", directory.appendingPathComponent("reports.jsonl").path, "--llm", server.baseURL.absoluteString,
        ]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }

        try await waitForRequests(server, count: 1)
        try #require(process.isRunning, "logcot replay exited before the measurement started")
        let before = try Self.cpuSeconds(of: process.processIdentifier)
        try await Task.sleep(for: .seconds(2))
        let after = try Self.cpuSeconds(of: process.processIdentifier)

        #expect(process.isRunning, "logcot replay exited before the measurement ended")
        #expect(after - before < 0.5, "logcot replay used \(after - before) CPU s in 2 s of waiting on the LLM")
    }

    /// Reads a process's user plus system CPU time in seconds from /proc/PID/stat.
    private static func cpuSeconds(of pid: Int32) throws -> Double {
        let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name in brackets may contain spaces, so the fields are counted after its closing bracket.
        // There utime and stime are the 12th and 13th fields (fields 14 and 15 of the whole line).
        guard let nameEnd = text.lastIndex(of: ")") else {
            throw TestFailure("unexpected /proc/\(pid)/stat: \(text)")
        }
        let fields = text[text.index(after: nameEnd)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw TestFailure("unexpected /proc/\(pid)/stat: \(text)")
        }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) / ticksPerSecond
    }
}
