import Foundation
import Testing
@testable import LogCoT

/// `ConcurrencyLimiter` and `RetryBackoff` without a server.
@Suite struct ConcurrencyAndBackoffTests {
    /// Counts holders and records the maximum seen.
    actor HolderCounter {
        var current = 0
        var maximum = 0

        func enter() {
            current += 1
            maximum = max(maximum, current)
        }

        func leave() {
            current -= 1
        }
    }

    @Test func limiterBoundsHolders() async throws {
        let limiter = ConcurrencyLimiter(limit: 2)
        let counter = HolderCounter()

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await limiter.acquire()
                    await counter.enter()
                    try await Task.sleep(for: .milliseconds(30))
                    await counter.leave()
                    await limiter.release()
                }
            }
            try await group.waitForAll()
        }

        #expect(await counter.maximum == 2)
        #expect(await limiter.activeCount == 0)
    }

    @Test func cancelledWaiterLeavesQueue() async throws {
        let limiter = ConcurrencyLimiter(limit: 1)
        try await limiter.acquire()

        let waiter = Task {
            try await limiter.acquire()
        }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()

        await #expect(throws: CancellationError.self) {
            try await waiter.value
        }

        // The cancelled waiter must not have taken the slot: after release, a new acquire succeeds at once.
        await limiter.release()
        try await limiter.acquire()
        #expect(await limiter.activeCount == 1)
        await limiter.release()
    }

    @Test func backoffDoublesUpToMaximum() {
        let backoff = RetryBackoff(initial: .milliseconds(100), maximum: .seconds(1))

        #expect(backoff.delay(beforeRetry: 1, randomUnit: 1) == .milliseconds(100))
        #expect(backoff.delay(beforeRetry: 2, randomUnit: 1) == .milliseconds(200))
        #expect(backoff.delay(beforeRetry: 3, randomUnit: 1) == .milliseconds(400))
        #expect(backoff.delay(beforeRetry: 5, randomUnit: 1) == .seconds(1))
        #expect(backoff.delay(beforeRetry: 40, randomUnit: 1) == .seconds(1))
    }

    @Test func jitterStaysInUpperHalf() {
        let backoff = RetryBackoff(initial: .milliseconds(400), maximum: .seconds(10))

        #expect(backoff.delay(beforeRetry: 1, randomUnit: 0) == .milliseconds(200))
        #expect(backoff.delay(beforeRetry: 1, randomUnit: 0.5) == .milliseconds(300))
        for _ in 0..<100 {
            let delay = backoff.delay(beforeRetry: 1)
            #expect(delay >= .milliseconds(200))
            #expect(delay <= .milliseconds(400))
        }
    }

    @Test func retryAfterParsedAsSeconds() {
        #expect(RetryBackoff.retryAfterSeconds("2") == 2)
        #expect(RetryBackoff.retryAfterSeconds(" 1.5 ") == 1.5)
        #expect(RetryBackoff.retryAfterSeconds("0") == 0)
        #expect(RetryBackoff.retryAfterSeconds("-1") == nil)
        #expect(RetryBackoff.retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(RetryBackoff.retryAfterSeconds(nil) == nil)
    }

    @Test func logLineFormatted() {
        let line = StandardErrorDiagnosisLogger.formatLine(
            level: "warning",
            message: "retrying LLM request",
            fields: ["status": "503", "failure": "HTTP 503: \"busy\"", "attempt": "1"]
        )

        #expect(line == #"level=warning msg="retrying LLM request" attempt=1 failure="HTTP 503: \"busy\"" status=503"#)
    }
}
