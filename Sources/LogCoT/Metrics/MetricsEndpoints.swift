import Foundation

/// An HTTP response of the metrics server, before libmicrohttpd sends it.
public struct MetricsHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var headers: [String: String]
    public var body: String

    public init(status: Int, contentType: String, headers: [String: String] = [:], body: String) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }
}

/// The routes of the metrics server: `/metrics`, `/healthz` and `/readyz`, for GET and HEAD.
public struct MetricsEndpoints: Sendable {
    public let registry: MetricsRegistry
    public let readiness: ReadinessRegistry

    public init(registry: MetricsRegistry = Metrics.registry, readiness: ReadinessRegistry = ReadinessRegistry.shared) {
        self.registry = registry
        self.readiness = readiness
    }

    public func respond(method: String, path: String) -> MetricsHTTPResponse {
        guard method == "GET" || method == "HEAD" else {
            return MetricsHTTPResponse(status: 405, contentType: "text/plain; charset=utf-8", headers: ["Allow": "GET, HEAD"],
                                       body: "method \(method) not allowed; use GET\n")
        }
        switch path {
        case "/metrics":
            return MetricsHTTPResponse(status: 200, contentType: TextExposition.contentType, body: registry.exposition())
        case "/healthz":
            // Any response shows that the process is alive. /readyz reports whether it can work.
            return MetricsHTTPResponse(status: 200, contentType: "application/json", body: "{\"status\":\"alive\"}\n")
        case "/readyz":
            return readinessResponse()
        default:
            return MetricsHTTPResponse(status: 404, contentType: "text/plain; charset=utf-8",
                                       body: "\(path) not found; the paths are /metrics, /healthz and /readyz\n")
        }
    }

    /// Returns 200 when every registered check is ready, else 503, with each check in a JSON body.
    func readinessResponse() -> MetricsHTTPResponse {
        struct Body: Encodable {
            struct Check: Encodable {
                var name: String
                var ready: Bool
                var detail: String
            }
            var status: String
            var checks: [Check]
        }

        let results = readiness.evaluate()
        let ready = results.allSatisfy(\.status.ready)
        let body = Body(
            status: ready ? "ready" : "not ready",
            checks: results.map { Body.Check(name: $0.name, ready: $0.status.ready, detail: $0.status.detail) }
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // JSONEncoder fails only on non-finite numbers, and this body contains none.
        let json = (try? encoder.encode(body)).map { String(decoding: $0, as: UTF8.self) } ?? "{\"status\":\"not ready\",\"checks\":[]}"
        return MetricsHTTPResponse(status: ready ? 200 : 503, contentType: "application/json", body: json + "\n")
    }
}
