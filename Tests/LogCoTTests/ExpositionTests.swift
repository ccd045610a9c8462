import Foundation
import Testing

@testable import LogCoT

/// The text exposition format 0.0.4 as `MetricsRegistry` writes it.
@Suite struct ExpositionTests {
    private func lines(_ registry: MetricsRegistry) -> [String] {
        registry.exposition().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test func labelValueEscaping() {
        #expect(TextExposition.escapeLabelValue(#"C:\logs"#) == #"C:\\logs"#)
        #expect(TextExposition.escapeLabelValue(#"say "hi""#) == #"say \"hi\""#)
        #expect(TextExposition.escapeLabelValue("a\nb") == #"a\nb"#)
        #expect(TextExposition.escapeLabelValue("a\r\nb") == "a\r\\nb")
        #expect(TextExposition.escapeLabelValue("plain-value_1") == "plain-value_1")
    }

    @Test func helpEscaping() {
        #expect(TextExposition.escapeHelp("first\nsecond") == #"first\nsecond"#)
        #expect(TextExposition.escapeHelp(#"back\slash"#) == #"back\\slash"#)
        #expect(TextExposition.escapeHelp(#"keeps "quotes""#) == #"keeps "quotes""#)
    }

    @Test func escapedSampleLine() {
        let registry = MetricsRegistry()
        registry.counter("test_lines_total", help: "Lines.", labelNames: ["source"]).labels("dir\\\"x\"\nend").increment()
        #expect(lines(registry).contains(#"test_lines_total{source="dir\\\"x\"\nend"} 1"#))
    }

    @Test func numberFormatting() {
        #expect(TextExposition.formatNumber(4) == "4")
        #expect(TextExposition.formatNumber(-3) == "-3")
        #expect(TextExposition.formatNumber(0.005) == "0.005")
        #expect(TextExposition.formatNumber(.infinity) == "+Inf")
        #expect(TextExposition.formatNumber(-.infinity) == "-Inf")
        #expect(TextExposition.formatNumber(.nan) == "NaN")
        #expect(Double(TextExposition.formatNumber(1e20)) == 1e20)
    }

    @Test func histogramBucketsCumulative() {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("test_duration_seconds", help: "Durations.", buckets: [0.1, 1, 10])
        for value in [0.05, 0.1, 0.5, 2, 50] {
            histogram.observe(value)
        }
        let output = lines(registry)
        #expect(output.contains(#"test_duration_seconds_bucket{le="0.1"} 2"#), "0.1 itself falls in the le=0.1 bucket")
        #expect(output.contains(#"test_duration_seconds_bucket{le="1"} 3"#))
        #expect(output.contains(#"test_duration_seconds_bucket{le="10"} 4"#))
        #expect(output.contains(#"test_duration_seconds_bucket{le="+Inf"} 5"#))
        #expect(output.contains("test_duration_seconds_sum 52.65"))
        #expect(output.contains("test_duration_seconds_count 5"))
    }

    @Test func histogramOrderWithLabels() {
        let registry = MetricsRegistry()
        let family = registry.histogram("test_tokens", help: "Tokens.", labelNames: ["kind"], buckets: [10, 100, .infinity])
        family.labels("prompt").observe(5)
        let output = lines(registry).filter { $0.hasPrefix("test_tokens") }
        #expect(output == [
            #"test_tokens_bucket{kind="prompt",le="10"} 1"#,
            #"test_tokens_bucket{kind="prompt",le="100"} 1"#,
            #"test_tokens_bucket{kind="prompt",le="+Inf"} 1"#,
            #"test_tokens_sum{kind="prompt"} 5"#,
            #"test_tokens_count{kind="prompt"} 1"#,
        ], "an explicit +Inf bound is not repeated")
    }

    @Test func emptyHistogramHasZeroBuckets() {
        let registry = MetricsRegistry()
        _ = registry.histogram("test_idle_seconds", help: "Idle.", buckets: [1])
        let output = lines(registry)
        #expect(output.contains(#"test_idle_seconds_bucket{le="1"} 0"#))
        #expect(output.contains(#"test_idle_seconds_bucket{le="+Inf"} 0"#))
        #expect(output.contains("test_idle_seconds_count 0"))
    }

    @Test func labelPairsSortedByName() {
        let registry = MetricsRegistry()
        let family = registry.counter("test_reports_total", help: "Reports.", labelNames: ["source", "label"])
        family.labels("tfidf", "memory").increment()
        family.labels("llm", "cpu").increment(by: 2)
        family.labels("llm", "memory").increment(by: 3)
        let output = lines(registry).filter { $0.hasPrefix("test_reports_total{") }
        #expect(output == [
            #"test_reports_total{label="cpu",source="llm"} 2"#,
            #"test_reports_total{label="memory",source="llm"} 3"#,
            #"test_reports_total{label="memory",source="tfidf"} 1"#,
        ])
    }

    @Test func helpAndTypeOncePerFamily() {
        let registry = MetricsRegistry()
        let family = registry.counter("test_events_total", help: "Events.", labelNames: ["kind"])
        for kind in ["a", "b", "c"] {
            family.labels(kind).increment()
        }
        _ = registry.histogram("test_wait_seconds", help: "Waits.", labelNames: ["kind"], buckets: [1, 2]).labels("a")
        let output = lines(registry)
        #expect(output.filter { $0 == "# HELP test_events_total Events." }.count == 1)
        #expect(output.filter { $0 == "# TYPE test_events_total counter" }.count == 1)
        #expect(output.filter { $0.hasPrefix("# TYPE test_wait_seconds") }.count == 1)
        #expect(output.filter { $0.hasPrefix("# HELP") }.count == 2)
        #expect(output.firstIndex(of: "# HELP test_events_total Events.")! < output.firstIndex(of: "# TYPE test_events_total counter")!)
    }

    @Test func familyWithoutSeriesKeepsMetadata() {
        let registry = MetricsRegistry()
        _ = registry.gauge("test_lag_messages", help: "Lag.", labelNames: ["partition"])
        #expect(registry.exposition() == "# HELP test_lag_messages Lag.\n# TYPE test_lag_messages gauge\n")
    }

    @Test func unlabeledFamiliesStartAtZero() {
        let registry = MetricsRegistry()
        _ = registry.counter("test_retries_total", help: "Retries.")
        _ = registry.gauge("test_open", help: "Open.")
        let output = lines(registry)
        #expect(output.contains("test_retries_total 0"))
        #expect(output.contains("test_open 0"))
    }

    @Test func registeringTwiceReturnsSameFamily() {
        let registry = MetricsRegistry()
        let first = registry.counter("test_twice_total", help: "Twice.", labelNames: ["a"])
        let second = registry.counter("test_twice_total", help: "Twice.", labelNames: ["a"])
        #expect(first === second)
        #expect(registry.familyNames == ["test_twice_total"])
    }

    @Test func gaugeAndCounterArithmetic() {
        let registry = MetricsRegistry()
        let gauge = registry.gauge("test_queue", help: "Queue.").labels()
        gauge.increment(by: 5)
        gauge.decrement(by: 2)
        #expect(gauge.value == 3)
        gauge.set(7.5)
        #expect(gauge.value == 7.5)

        let counter = registry.counter("test_total", help: "Total.").labels()
        counter.increment()
        counter.increment(by: 0.5)
        #expect(counter.value == 1.5)
    }

    @Test func callbackNilExportsNoSample() {
        let registry = MetricsRegistry()
        registry.callback("test_absent", help: "Absent.", type: .gauge) { nil }
        registry.callback("test_present", help: "Present.", type: .gauge) { 2 }
        let output = lines(registry)
        #expect(!output.contains { $0.hasPrefix("test_absent ") })
        #expect(output.contains("test_present 2"))
    }

    @Test func concurrentIncrementsAllCount() async {
        let registry = MetricsRegistry()
        let family = registry.counter("test_concurrent_total", help: "Concurrent.", labelNames: ["worker"])
        let histogram = registry.histogram("test_concurrent_seconds", help: "Concurrent.", buckets: [1])
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for _ in 0..<1_000 {
                        family.labels(String(worker % 2)).increment()
                        histogram.observe(0.5)
                    }
                }
            }
        }
        #expect(family.labels("0").value + family.labels("1").value == 8_000)
        #expect(histogram.labels().snapshot().count == 8_000)
    }

    @Test func processMetricsFromProc() throws {
        let registry = MetricsRegistry()
        ProcessMetrics.register(in: registry)
        let values = Dictionary(uniqueKeysWithValues: lines(registry).filter { !$0.hasPrefix("#") && !$0.isEmpty }.map {
            let parts = $0.split(separator: " ")
            return (String(parts[0]), Double(parts[1]) ?? -1)
        })
        let resident = try #require(values["process_resident_memory_bytes"])
        #expect(resident > 1_000_000)
        let start = try #require(values["process_start_time_seconds"])
        #expect(abs(start - Date().timeIntervalSince1970) < 24 * 3_600, "the test process started within the last day")
        #expect(values["process_cpu_seconds_total"] != nil)
    }
}
