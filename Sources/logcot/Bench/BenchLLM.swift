import Foundation
import LogCoT

/// Chat completion throughput of the LLM server at 1, 2 and 4 requests in flight.
///
/// Every request is the round-1 prompt of the same SEL window with the built-in examples, answered
/// with at most 64 tokens at temperature 0. The server decides how many requests it runs at once
/// (llama-server's `--parallel`); requests beyond that wait in its queue.
struct BenchLLM {
    let options: BenchOptions

    static let maxTokens = 64

    func run() async throws -> [BenchFigure] {
        guard let url = options.llmURL else {
            return [BenchFigure(item: "llm", name: "completions at 1, 2, 4 in flight", value: nil, unit: "requests/s", note: "not run: pass --llm-url or run under scripts/with-llama-server.sh")]
        }
        let messages = try prompt()
        var figures: [BenchFigure] = []
        for concurrency in [1, 2, 4] {
            let config = LLMClientConfig(baseURL: url, model: "bench", maxConcurrentRequests: concurrency, maxRetries: 0)
            let client = try ChatClient(config: config, environment: [:])
            let requests = max(options.llmRequests, concurrency)
            let clock = ContinuousClock()
            let started = clock.now
            let completions = try await withThrowingTaskGroup(of: ChatCompletion.self) { group in
                for index in 0..<requests {
                    group.addTask {
                        try await client.complete(messages, maxTokens: Self.maxTokens, logFields: ["request": String(index)])
                    }
                }
                var results: [ChatCompletion] = []
                for try await completion in group {
                    results.append(completion)
                }
                return results
            }
            let seconds = BenchSupport.seconds(clock.now - started)
            BenchSupport.logger.warning("bench llm level finished", ["in_flight": String(concurrency), "requests": String(requests), "seconds": String(format: "%.1f", seconds)])
            let tokens = completions.reduce(0) { $0 + ($1.completionTokens ?? 0) }
            let latencies = completions.map(\.latencySeconds)
            let note = "\(requests) requests, \(tokens) completion tokens, p50 latency \(String(format: "%.2f", Percentiles.nearestRank(latencies, percent: 50) ?? 0)) s"
            figures.append(BenchFigure(item: "llm", name: "\(concurrency) in flight", value: Double(requests) / seconds, unit: "requests/s", note: note))
            figures.append(BenchFigure(item: "llm", name: "\(concurrency) in flight", value: Double(tokens) / seconds, unit: "tokens/s"))
        }
        return figures
    }

    private func prompt() throws -> [ChatMessage] {
        let config = LogCoTConfig()
        let lines = [
            "Memory CPU0A1_DIMM_Stat | Correctable ECC | Asserted",
            "Processor CPU_CATERR | State Asserted | Asserted",
            "System Boot Initiated BIOS_Boot_Up | Initiated by warm reset | Asserted",
        ]
        return try PromptBuilder(labels: config.labels).round1Messages(windowLines: lines, examples: Array(BuiltinPool.pool.examples.prefix(3)))
    }
}
