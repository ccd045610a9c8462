import Foundation
import Testing

@testable import LogCoT

/// The metrics of a real `logcot replay`, read over HTTP, by the dashboard's queries and by Prometheus.
@Suite(.serialized) struct MetricsReplayTests {
    static let dashboardURL = TestSupport.packageRoot.appendingPathComponent("dashboards/logcot.json")

    /// Returns every PromQL expression of the dashboard: panel targets, also inside collapsed rows,
    /// and the metric selector of each `label_values(...)` variable.
    static func dashboardExpressions() throws -> [String] {
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dashboardURL)) as? [String: Any])
        var expressions: [String] = []
        var panels = dashboard["panels"] as? [[String: Any]] ?? []
        while let panel = panels.popLast() {
            panels += panel["panels"] as? [[String: Any]] ?? []
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                if let expression = target["expr"] as? String {
                    expressions.append(expression)
                }
            }
        }
        let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        for variable in variables {
            let query = (variable["query"] as? [String: Any])?["query"] as? String ?? variable["query"] as? String ?? ""
            if let selector = MetricsTestSupport.firstMatch(#"label_values\(\s*([^,)]+)"#, in: query) {
                expressions.append(selector)
            }
        }
        return expressions
    }

    @Test func promqlNameExtraction() {
        let expression = #"histogram_quantile(0.9, sum by (le, kind) (rate(foo_seconds_bucket{a="b",c=~"$x"}[$__rate_interval]))) / on(instance) group_left(version) bar_info offset 5m > bool 1e3 and time() - baz:rate5m"#
        #expect(PromQLNames.metricNames(in: expression) == ["foo_seconds_bucket", "bar_info", "baz:rate5m"])
        #expect(PromQLNames.metricNames(in: #"sum(rate(x_total{outcome!="success or rate(y)"}[5m]))"#) == ["x_total"])
    }

    @Test func dashboardFormat() throws {
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.dashboardURL)) as? [String: Any])
        #expect((dashboard["schemaVersion"] as? Int ?? 0) >= 39)
        let inputs = dashboard["__inputs"] as? [[String: Any]] ?? []
        #expect(inputs.contains { $0["name"] as? String == "DS_PROMETHEUS" && $0["pluginId"] as? String == "prometheus" })

        let panels = dashboard["panels"] as? [[String: Any]] ?? []
        for panel in panels where panel["type"] as? String != "row" {
            let title = panel["title"] as? String ?? "?"
            let datasource = panel["datasource"] as? [String: Any]
            #expect(datasource?["uid"] as? String == "${DS_PROMETHEUS}", "panel \(title)")
            #expect(!(panel["targets"] as? [Any] ?? []).isEmpty, "panel \(title) has no query")
        }
    }

    @Test func operationsGuideListsEveryMetric() throws {
        let guide = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        for name in LogCoTMetrics(registry: MetricsRegistry()).registry.familyNames {
            #expect(guide.contains("| `\(name)` |"), "docs/operations.md has no table row for \(name)")
        }
    }

    @Test func dashboardUsesExportedMetrics() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let replay = try await MetricsTestSupport.startLingeringReplay(in: directory)
        defer { replay.process.stop() }

        let scrape = try await MetricsTestSupport.get(URL(string: "http://\(replay.address)/metrics")!)
        #expect(scrape.status == 200)
        let types = MetricsTestSupport.familyTypes(scrape.body)

        var namesUsed: Set<String> = []
        for expression in try Self.dashboardExpressions() {
            let names = PromQLNames.metricNames(in: expression)
            #expect(!names.isEmpty, "no metric name found in: \(expression)")
            let unknown = names.filter { PromQLNames.family(of: $0, in: types) == nil }
            #expect(unknown.isEmpty, "\(unknown.sorted()) in '\(expression)' are not exported by logcot")
            namesUsed.formUnion(names.compactMap { PromQLNames.family(of: $0, in: types) })
        }
        #expect(namesUsed.count >= 20, "the dashboard uses \(namesUsed.count) metric families: \(namesUsed.sorted())")
    }

    @Test func replayEndpointsMatchSummary() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let replay = try await MetricsTestSupport.startLingeringReplay(in: directory)
        defer { replay.process.stop() }
        #expect(replay.reportsWritten == 4)

        let metrics = try await MetricsTestSupport.get(URL(string: "http://\(replay.address)/metrics")!).body
        #expect(MetricsTestSupport.sampleSum("logcot_reports_written_total", in: metrics) == Double(replay.reportsWritten))
        #expect(MetricsTestSupport.sampleSum("logcot_records_read_total", in: metrics) == Double(replay.records))
        #expect(MetricsTestSupport.sampleSum("logcot_windows_open", in: metrics) == 0)
        #expect(MetricsTestSupport.sampleSum("process_resident_memory_bytes", in: metrics) > 0)
        #expect(metrics.contains(#"logcot_build_info{swift_version=""#))

        let health = try await MetricsTestSupport.get(URL(string: "http://\(replay.address)/healthz")!)
        #expect(health.status == 200)
        let readiness = try await MetricsTestSupport.get(URL(string: "http://\(replay.address)/readyz")!)
        #expect(readiness.status == 200)
        #expect(readiness.body.contains(#""name":"state-store""#))
    }

    @Test func replayRejectsLingerWithoutAddress() throws {
        let run = try TestSupport.runLogcot(["replay", "--logs", "examples/sel-sample.csv", "--metrics-linger", "5"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--metrics-linger needs --metrics-address"))
        let invalid = try TestSupport.runLogcot(["replay", "--logs", "examples/sel-sample.csv", "--metrics-address", "localhost:9464"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("'localhost' is not a numeric IPv4 or IPv6 address"))
    }

    /// Scrapes the replay with the Debian `prometheus` server and reads the counters back through its API.
    ///
    /// On a 2-core machine, Prometheus 2.42 was ready 0.2 to 1.6 s after start and returned the first
    /// scraped series 5 to 7 s after start (measured with curl), so the 30-second waits leave room for load.
    @Test(.timeLimit(.minutes(2))) func prometheusScrapesReplay() async throws {
        guard let prometheus = MetricsTestSupport.executableOnPath("prometheus") else {
            throw TestFailure("prometheus is not on PATH; run `make deps`, which installs the Debian package prometheus")
        }
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let replay = try await MetricsTestSupport.startLingeringReplay(in: directory)
        defer { replay.process.stop() }

        let config = directory.appendingPathComponent("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: logcot
                static_configs:
                  - targets: ["\(replay.address)"]
            """.write(to: config, atomically: true, encoding: .utf8)
        let port = try MetricsTestSupport.freePort()
        let server = try BackgroundProcess(name: "prometheus", executable: prometheus, arguments: [
            "--config.file=\(config.path)",
            "--storage.tsdb.path=\(directory.appendingPathComponent("tsdb").path)",
            "--web.listen-address=127.0.0.1:\(port)",
        ], directory: directory)
        defer { server.stop() }
        _ = try await server.waitForStderr(containing: "Server is ready to receive web requests", timeout: .seconds(30))

        let api = "http://127.0.0.1:\(port)/api/v1/query"
        let reports = try await Self.waitForResult(api: api, query: "logcot_reports_written_total", server: server)
        #expect(reports.reduce(0) { $0 + $1.value } == Double(replay.reportsWritten))
        let byLabel = Dictionary(reports.map { ($0.labels["label"] ?? "", $0.value) }, uniquingKeysWith: +)
        #expect(byLabel == ["memory": 2, "cpu": 1, "other": 1])
        #expect(reports.allSatisfy { $0.labels["label_source"] == "tfidf" })

        let up = try await Self.query(api: api, query: #"up{job="logcot"}"#)
        #expect(up.map(\.value) == [1])
        let records = try await Self.query(api: api, query: "sum(logcot_records_read_total)")
        #expect(records.map(\.value) == [Double(replay.records)])
        let closed = try await Self.query(api: api, query: #"logcot_windows_closed_total{reason="end-of-input"}"#)
        #expect(closed.map(\.value) == [4])
    }

    typealias Sample = (labels: [String: String], value: Double)

    /// Runs an instant query through the Prometheus HTTP API and returns the vector result.
    static func query(api: String, query: String) async throws -> [Sample] {
        var components = URLComponents(string: api)!
        components.queryItems = [URLQueryItem(name: "query", value: query)]
        let response = try await MetricsTestSupport.get(components.url!)
        guard response.status == 200,
              let body = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any],
              let data = body["data"] as? [String: Any],
              let result = data["result"] as? [[String: Any]]
        else {
            throw TestFailure("query '\(query)' failed with HTTP \(response.status): \(response.body)")
        }
        return result.map { entry in
            let labels = entry["metric"] as? [String: String] ?? [:]
            let value = (entry["value"] as? [Any])?.last as? String
            return (labels, value.flatMap(Double.init) ?? .nan)
        }
    }

    /// Repeats a query until Prometheus has scraped the series, for at most 30 seconds.
    static func waitForResult(api: String, query: String, server: BackgroundProcess) async throws -> [Sample] {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let result = try await Self.query(api: api, query: query)
            if !result.isEmpty {
                return result
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TestFailure("Prometheus returned no '\(query)' series within 30 s; its stderr:\n\(server.stderr)")
    }
}
