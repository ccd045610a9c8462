import Foundation
import Testing

@testable import LogCoT

/// The pipeline's metrics against its own statistics, on the bundled sample.
@Suite struct PipelineMetricsTests {
    private actor MemorySink: ReportSink {
        var reports: [DiagnosisReport] = []

        func write(_ report: DiagnosisReport) async throws {
            reports.append(report)
        }

        func flush() async throws {}
    }

    private func value(_ family: CounterFamily, _ labels: String...) -> Double {
        family.labels(labels).value
    }

    @Test func sampleReplayCounts() async throws {
        let logger = Logger(label: "test", minimumLevel: .error)
        let config = LogCoTConfig()
        let factory = PipelineFactory(config: config, logger: logger)
        let metrics = LogCoTMetrics(registry: MetricsRegistry()).pipeline
        let masker = try factory.makeMasker()
        let pipeline = Pipeline(
            config: config, masker: masker, model: try factory.makeModel(store: nil, masker: masker, pool: try factory.loadPool()), modelStore: nil,
            diagnoser: TFIDFDiagnoser(), sink: MemorySink(), rejects: nil, triggersEnabled: false, logger: logger, metrics: metrics
        )

        let resolver = TimestampResolver(zone: .gmt, referenceTime: TestSupport.utc("2024-06-01T00:00:00Z"))
        let tickets = try TicketLoader(resolver: resolver).load(from: TestSupport.packageRoot.appendingPathComponent("examples/tickets.csv"))
        for ticket in tickets.tickets {
            try await pipeline.addFault(ticket)
        }
        #expect(metrics.windowsOpen.labels().value == 4)

        let logs = TestSupport.packageRoot.appendingPathComponent("examples/sel-sample.csv")
        let parser = ParserFactory.make(.selCSV, resolver: resolver)
        let lines = try FileLineSource(url: logs, maxLineBytes: 65_536).makeIterator()
        while let line = try lines.next() {
            try await pipeline.ingest(line, parser: parser)
        }
        try await pipeline.finish()

        let statistics = pipeline.statistics
        let source = logs.path
        #expect(value(metrics.linesRead, source) == Double(statistics.linesRead))
        #expect(value(metrics.bytesRead, source) == Double(statistics.bytesRead))
        #expect(value(metrics.recordsRead, source) == Double(statistics.records))
        #expect(value(metrics.linesIgnored, source) == Double(statistics.ignored))
        #expect(value(metrics.parseRejects, source) == Double(statistics.rejected))
        #expect(statistics.rejected == 1, "the sample has one line with an invalid time")
        #expect(value(metrics.faultEvents, "ticket") == 4)
        #expect(value(metrics.windowsClosed, "end-of-input") == 4)
        #expect(metrics.windowsOpen.labels().value == 0)
        #expect(metrics.pendingDiagnoses.labels().value == 0)
        #expect(value(metrics.reportsWritten, "memory", "tfidf") == 2)
        #expect(value(metrics.reportsWritten, "cpu", "tfidf") == 1)
        #expect(value(metrics.reportsWritten, "other", "tfidf") == 1)
        #expect(metrics.diagnosisDuration.labels().snapshot().count == 4)
        #expect(value(metrics.lateLines) == Double(pipeline.windows.lateLines))
    }

    @Test func lateLineCounted() async throws {
        let logger = Logger(label: "test", minimumLevel: .error)
        var config = LogCoTConfig()
        config.windowing.before = 60
        config.windowing.after = 60
        config.windowing.allowedLateness = 0
        let factory = PipelineFactory(config: config, logger: logger)
        let metrics = LogCoTMetrics(registry: MetricsRegistry()).pipeline
        let masker = try factory.makeMasker()
        let pipeline = Pipeline(
            config: config, masker: masker, model: try factory.makeModel(store: nil, masker: masker, pool: try factory.loadPool()), modelStore: nil,
            diagnoser: TFIDFDiagnoser(), sink: MemorySink(), rejects: nil, triggersEnabled: false, logger: logger, metrics: metrics
        )

        let fault = TestSupport.utc("2024-05-01T10:00:00Z")
        func record(_ offset: TimeInterval) -> LogRecord {
            LogRecord(host: "server-1", timestamp: fault.addingTimeInterval(offset), timestampText: "", message: "Memory ECC error at \(offset)")
        }
        try await pipeline.addFault(FaultEvent(host: "server-1", time: fault, origin: .ticket, detail: "test"))
        try await pipeline.process(record(0))
        try await pipeline.process(record(200))
        #expect(value(metrics.windowsClosed, "watermark") == 1, "the line at +200 s moves the watermark past the window end")
        #expect(metrics.windowsOpen.labels().value == 0)

        try await pipeline.process(record(10))
        #expect(value(metrics.lateLines) == 1)
        try await pipeline.finish()
        #expect(value(metrics.reportsWritten, "memory", "tfidf") == 1)
    }
}

/// The metric API that the LLM client, the Kafka source and the journald source call.
@Suite struct ComponentMetricsTests {
    @Test func llmRequestsByOutcome() {
        let metrics = LogCoTMetrics(registry: MetricsRegistry())
        metrics.llm.requests.increment(outcome: .success)
        metrics.llm.requests.increment(outcome: .timeout)
        metrics.llm.requests.increment(outcome: .timeout)
        let exposition = metrics.registry.exposition()
        #expect(exposition.contains(#"logcot_llm_requests_total{outcome="success"} 1"#))
        #expect(exposition.contains(#"logcot_llm_requests_total{outcome="timeout"} 2"#))
        #expect(exposition.contains(#"logcot_llm_requests_total{outcome="invalid_response"} 0"#))
    }

    @Test func llmTokensAndLatency() {
        let metrics = LogCoTMetrics(registry: MetricsRegistry())
        metrics.llm.tokens.observe(prompt: 800, completion: nil)
        metrics.llm.requestDuration.observe(3.5)
        metrics.llm.retries.increment()
        metrics.llm.fallbacks.increment()
        let exposition = metrics.registry.exposition()
        #expect(exposition.contains(#"logcot_llm_request_tokens_bucket{kind="prompt",le="1024"} 1"#))
        #expect(!exposition.contains(#"kind="completion""#), "a nil count adds no series")
        #expect(exposition.contains(#"logcot_llm_request_duration_seconds_bucket{le="4"} 1"#))
        #expect(exposition.contains("logcot_llm_retries_total 1"))
        #expect(exposition.contains("logcot_llm_fallbacks_total 1"))
    }

    @Test func kafkaLagSetAndRemove() {
        let metrics = LogCoTMetrics(registry: MetricsRegistry())
        metrics.kafka.consumerLag.set(topic: "sel", partition: 3, messages: 42)
        #expect(metrics.registry.exposition().contains(#"logcot_kafka_consumer_lag_messages{partition="3",topic="sel"} 42"#))
        metrics.kafka.consumerLag.remove(topic: "sel", partition: 3)
        #expect(!metrics.registry.exposition().contains(#"partition="3""#))
    }

    @Test func journaldCursorAge() throws {
        let metrics = LogCoTMetrics(registry: MetricsRegistry())
        #expect(!metrics.registry.exposition().contains("\nlogcot_journald_cursor_age_seconds "), "no sample before the first entry")
        metrics.journald.cursor.update(entryTime: Date().addingTimeInterval(-90))
        let age = try #require(metrics.journald.cursor.ageSeconds(now: Date()))
        #expect(age >= 90)
        #expect(age < 120)
    }
}
