import Foundation
import LogCoT

/// The metrics server of one replay and the readiness checks it reports.
struct ReplayMetricsServer {
    let server: MetricsServer
    let sources: ReadinessFlag
}

extension ReplayRun {
    /// Starts the metrics server when `--metrics-address` is given, and registers the replay's
    /// readiness checks: the log files, the LLM (disabled, so the TF-IDF labels stand in) and the state store.
    func startMetricsServer() throws -> ReplayMetricsServer? {
        guard let address = options.metricsAddress else {
            return nil
        }
        let readiness = ReadinessRegistry.shared
        let sources = ReadinessFlag(name: "sources", ready: true, detail: "reading \(options.logPaths.count) log file(s)")
        readiness.register(sources)
        let llmDetail = options.llm == "none"
            ? "disabled by --llm none; the TF-IDF model labels every window"
            : "LLM diagnosis per config; failures fall back to TF-IDF labels"
        readiness.register(ReadinessFlag(name: "llm", ready: true, detail: llmDetail))
        readiness.register(StateStoreWritableCheck(path: config.state.path))

        let server = try MetricsServer(address: address, endpoints: MetricsEndpoints(), logger: logger.child("metrics"))
        return ReplayMetricsServer(server: server, sources: sources)
    }

    /// Keeps serving for `--metrics-linger` after the replay, then stops the server.
    func finishMetrics(_ metrics: ReplayMetricsServer?) async throws {
        guard let metrics else {
            return
        }
        metrics.sources.set(ready: true, detail: "replay finished; \(options.logPaths.count) log file(s) read")
        if options.metricsLinger > 0 {
            logger.info("serving final metrics until the linger time ends", [
                "address": metrics.server.address.description,
                "linger": DurationText.format(options.metricsLinger),
            ])
            try await Task.sleep(for: .seconds(options.metricsLinger))
        }
        metrics.server.stop()
    }
}
