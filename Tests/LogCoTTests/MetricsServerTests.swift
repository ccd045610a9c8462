import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@testable import LogCoT

/// The libmicrohttpd server, its routes and its address parsing.
@Suite struct MetricsServerTests {
    /// Sends a GET to a server started by the test on the loopback address.
    static func get(_ server: MetricsServer, _ path: String) async throws -> (status: Int, contentType: String, body: String) {
        let url = URL(string: "http://\(server.address)\(path)")!
        var request = URLRequest(url: url)
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, http.value(forHTTPHeaderField: "Content-Type") ?? "", String(decoding: data, as: UTF8.self))
    }

    @Test func addressParsing() throws {
        #expect(try MetricsAddress(parsing: "127.0.0.1:9464") == MetricsAddress(host: "127.0.0.1", port: 9464, isIPv6: false))
        #expect(try MetricsAddress(parsing: "[::1]:0") == MetricsAddress(host: "::1", port: 0, isIPv6: true))
        #expect(try MetricsAddress(parsing: "0.0.0.0:80").description == "0.0.0.0:80")
        #expect(throws: MetricsAddressError.self) { try MetricsAddress(parsing: "localhost:9464") }
        #expect(throws: MetricsAddressError.self) { try MetricsAddress(parsing: "127.0.0.1") }
        #expect(throws: MetricsAddressError.self) { try MetricsAddress(parsing: "127.0.0.1:70000") }
        #expect(throws: MetricsAddressError.self) { try MetricsAddress(parsing: "::1:9464") }
    }

    @Test func routesAndMethods() {
        let endpoints = MetricsEndpoints(registry: MetricsRegistry(), readiness: ReadinessRegistry())
        #expect(endpoints.respond(method: "GET", path: "/metrics").status == 200)
        #expect(endpoints.respond(method: "GET", path: "/metrics").contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(endpoints.respond(method: "HEAD", path: "/healthz").status == 200)
        #expect(endpoints.respond(method: "GET", path: "/other").status == 404)
        let post = endpoints.respond(method: "POST", path: "/metrics")
        #expect(post.status == 405)
        #expect(post.headers["Allow"] == "GET, HEAD")
    }

    @Test func readinessListsEveryCheck() throws {
        let readiness = ReadinessRegistry()
        let source = ReadinessFlag(name: "sources", ready: false, detail: "connecting to journald")
        readiness.register(source)
        readiness.register(ReadinessFlag(name: "llm", ready: true, detail: "fallback active"))
        let endpoints = MetricsEndpoints(registry: MetricsRegistry(), readiness: readiness)

        let waiting = endpoints.respond(method: "GET", path: "/readyz")
        #expect(waiting.status == 503)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(waiting.body.utf8)) as? [String: Any])
        #expect(body["status"] as? String == "not ready")
        let checks = try #require(body["checks"] as? [[String: Any]])
        #expect(checks.map { $0["name"] as? String } == ["llm", "sources"])
        #expect(checks.last?["detail"] as? String == "connecting to journald")
        #expect(checks.last?["ready"] as? Bool == false)

        source.set(ready: true, detail: "connected")
        #expect(endpoints.respond(method: "GET", path: "/readyz").status == 200)
    }

    @Test func stateStoreCheck() throws {
        let directory = try TestSupport.temporaryDirectory()
        #expect(StateStoreWritableCheck(path: ":memory:").status().ready)
        #expect(StateStoreWritableCheck(path: directory.appendingPathComponent("state.sqlite").path).status().ready)
        let missing = StateStoreWritableCheck(path: "/nonexistent-logcot-dir/state.sqlite").status()
        #expect(!missing.ready)
        #expect(missing.detail.contains("/nonexistent-logcot-dir is not writable"))
    }

    @Test func serverAnswersOverHTTP() async throws {
        let registry = MetricsRegistry()
        registry.counter("test_served_total", help: "Served.").increment(by: 3)
        let readiness = ReadinessRegistry()
        let flag = ReadinessFlag(name: "sources")
        readiness.register(flag)
        let server = try MetricsServer(
            address: MetricsAddress(parsing: "127.0.0.1:0"),
            endpoints: MetricsEndpoints(registry: registry, readiness: readiness),
            logger: Logger(label: "test", minimumLevel: .warning)
        )
        defer { server.stop() }
        #expect(server.address.port != 0)

        let metrics = try await Self.get(server, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.contentType == TextExposition.contentType)
        #expect(metrics.body.contains("test_served_total 3\n"))

        #expect(try await Self.get(server, "/healthz").status == 200)
        #expect(try await Self.get(server, "/readyz").status == 503)
        flag.set(ready: true, detail: "connected")
        #expect(try await Self.get(server, "/readyz").status == 200)
        #expect(try await Self.get(server, "/missing").status == 404)
    }

    @Test func busyPortFailsToStart() throws {
        let logger = Logger(label: "test", minimumLevel: .error)
        let first = try MetricsServer(address: MetricsAddress(parsing: "127.0.0.1:0"), endpoints: MetricsEndpoints(registry: MetricsRegistry()), logger: logger)
        defer { first.stop() }
        #expect {
            _ = try MetricsServer(address: first.address, endpoints: MetricsEndpoints(registry: MetricsRegistry()), logger: logger)
        } throws: { error in
            String(describing: error).contains("Address already in use")
        }
    }
}
