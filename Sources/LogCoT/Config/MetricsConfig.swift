import Foundation

/// Settings for the HTTP server of `/metrics`, `/healthz` and `/readyz`.
public struct MetricsConfig: Sendable {
    /// Whether `logcot run` starts the server. `logcot replay` starts it only with `--metrics-address`.
    public var enabled = true
    public var address = MetricsAddress.defaultAddress

    public init() {}

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys(["enabled", "address"])
        enabled = object.bool("enabled", default: enabled)
        if let text = object.optionalString("address") {
            do {
                address = try MetricsAddress(parsing: text)
            } catch {
                object.reader.report(object.keyPath("address"), error.description)
            }
        }
    }
}
