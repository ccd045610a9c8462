import Foundation
import Testing

@testable import LogCoT

/// `logcot run` over a journal while the LLM server hangs: every window still gets its report.
@Suite(.serialized, .enabled(if: JournalFixture.journalRemoteAvailable))
struct LLMOutageRunTests {
    static let windowCount = 100

    @Test func hungLLMStillReportsEveryWindow() throws {
        let server = try StubHTTPServer(responses: [.completion("The DIMM fails first."), .completion(#"{"label": "memory"}"#)])
        defer { server.stop() }
        server.holdRequests()

        let directory = try TestSupport.temporaryDirectory()
        let journal = directory.appendingPathComponent("journal/x.journal")
        try JournalFixture.append(Self.entries(), to: journal)
        let config = try RunConfig.write(
            in: directory,
            journald: "directory: \"\(journal.deletingLastPathComponent().path)\", startAt: \"head\", waitTimeout: \"200ms\"",
            extra: """
                windowing: { before: "1h", after: "5m", allowedLateness: "1m" },
                llm: { baseURL: "\(server.baseURL.absoluteString)", model: "stub", maxConcurrentRequests: 2, maxQueuedWindows: 4,
                       maxRetries: 0, requestTimeout: "60s", examplesPerClass: 0, maxCheckpointWait: "1s" },
                """
        )

        let daemon = try DaemonProcess(config: config, directory: directory)
        let written = DaemonProcess.poll(timeout: 90) { RunConfig.reportLineCount(in: directory) >= Self.windowCount }
        #expect(written, "not every window was reported while the LLM hung; stderr: \(daemon.stderr)")
        let reports = try RunConfig.reports(in: directory)
        server.releaseHeldRequests()
        daemon.terminate()
        #expect(daemon.waitForExit(timeout: 30))

        #expect(reports.count == Self.windowCount)
        #expect(Set(reports.map(\.reportId)).count == Self.windowCount)
        #expect(reports.allSatisfy { $0.labelSource == "tfidf-fallback" })
        let errors = reports.compactMap { $0.llm?.error }
        #expect(errors.filter { $0.contains("LLM queue was full") }.count == Self.windowCount - 4)
        #expect(errors.filter { $0.contains("llm.maxCheckpointWait") }.count == 4)
        #expect(server.recordedRequests.count <= 4, "only the queued windows send a request")
    }

    /// Returns one host's entries: a fault every 2,000 s, and a heartbeat 840 s later that closes its window.
    static func entries() -> [Data] {
        (0..<windowCount).flatMap { index in
            [
                JournalFixture.entry(secondsAfterBase: index * 2_000 + 60, message: "EDAC MC0: 1 UE uncorrectable ECC error on DIMM A1", fields: ["PRIORITY": "2"]),
                JournalFixture.entry(secondsAfterBase: index * 2_000 + 900, message: "heartbeat"),
            ]
        }
    }
}
