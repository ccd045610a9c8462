import Foundation

/// The numeric IP address and TCP port the metrics server listens on, written `HOST:PORT`.
///
/// IPv6 addresses go in brackets, as in `[::1]:9464`. Host names are rejected, so the server never
/// depends on name resolution at start. Port 0 lets the kernel pick a free port.
public struct MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    public var isIPv6: Bool

    /// 9464 is the default port of the OpenTelemetry SDKs' Prometheus exporter, so firewall rules
    /// and scrape configs made for that exporter fit. The loopback address keeps the endpoint local.
    public static let defaultAddress = MetricsAddress(host: "127.0.0.1", port: 9464, isIPv6: false)

    public init(host: String, port: UInt16, isIPv6: Bool) {
        self.host = host
        self.port = port
        self.isIPv6 = isIPv6
    }

    /// Parses `HOST:PORT`. The error message names the value and the expected form.
    public init(parsing text: String) throws(MetricsAddressError) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw MetricsAddressError(text: text, reason: "an IPv6 address needs the form [ADDRESS]:PORT")
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw MetricsAddressError(text: text, reason: "the port is missing")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            guard !hostPart.contains(":") else {
                throw MetricsAddressError(text: text, reason: "an IPv6 address needs brackets, as in [::1]:9464")
            }
        }

        guard let port = UInt16(portPart) else {
            throw MetricsAddressError(text: text, reason: "'\(portPart)' is not a port from 0 to 65535")
        }
        let host = String(hostPart)
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 {
            self.init(host: host, port: port, isIPv6: false)
        } else if inet_pton(AF_INET6, host, &ipv6) == 1 {
            self.init(host: host, port: port, isIPv6: true)
        } else {
            throw MetricsAddressError(text: text, reason: "'\(host)' is not a numeric IPv4 or IPv6 address")
        }
    }

    public var description: String {
        isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Calls `body` with this address as a `sockaddr_in` or `sockaddr_in6`.
    func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>) throws -> Result) rethrows -> Result {
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            _ = inet_pton(AF_INET6, host, &address.sin6_addr)
            return try withUnsafePointer(to: &address) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        _ = inet_pton(AF_INET, host, &address.sin_addr)
        return try withUnsafePointer(to: &address) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }
}

/// An invalid `HOST:PORT` value for the metrics server.
public struct MetricsAddressError: Error, CustomStringConvertible {
    public var text: String
    public var reason: String

    public var description: String {
        "invalid metrics address '\(text)': \(reason); use HOST:PORT with a numeric IP, such as 127.0.0.1:9464 or [::1]:9464"
    }
}
