import CMicroHTTPD
import Foundation
import Synchronization

/// An HTTP server for `MetricsEndpoints`, built on libmicrohttpd.
///
/// libmicrohttpd runs one internal thread that accepts connections and calls the endpoints, so
/// scrapes do not wait for the pipeline's tasks. At most `connectionLimit` connections are open at
/// once, and a connection idle for `connectionTimeoutSeconds` is closed, so a stuck client cannot
/// keep the port.
public final class MetricsServer: Sendable {
    /// The address the server listens on, with the port the kernel chose when 0 was requested.
    public let address: MetricsAddress
    private let daemon: Mutex<OpaquePointer?>
    private let context: Unmanaged<ServerContext>
    private let logger: Logger

    public static let connectionLimit: UInt32 = 64
    public static let connectionTimeoutSeconds: UInt32 = 10

    /// Starts listening, or throws when the address cannot be bound, such as when the port is in use.
    public init(address requested: MetricsAddress, endpoints: MetricsEndpoints = MetricsEndpoints(), logger: Logger) throws {
        let context = Unmanaged.passRetained(ServerContext(endpoints: endpoints, logger: logger))
        var flags = MHD_USE_AUTO_INTERNAL_THREAD.rawValue | MHD_USE_ERROR_LOG.rawValue
        if requested.isIPv6 {
            flags |= MHD_USE_IPv6.rawValue
        }
        let started = requested.withSocketAddress { socketAddress in
            logcot_mhd_start(
                flags, socketAddress, requested.port,
                handleRequest, context.toOpaque(),
                logLibraryMessage, context.toOpaque(),
                Self.connectionLimit, Self.connectionTimeoutSeconds
            )
        }
        guard let started else {
            let reason = context.takeUnretainedValue().startupMessages.withLock { $0.joined(separator: "; ") }
            context.release()
            throw MetricsServerError(address: requested, reason: reason.isEmpty ? "libmicrohttpd could not start" : reason)
        }

        var bound = requested
        bound.port = logcot_mhd_bound_port(started)
        self.address = bound
        self.daemon = Mutex(started)
        self.context = context
        self.logger = logger
        logger.info("metrics server listening", ["address": bound.description, "paths": "/metrics /healthz /readyz"])
    }

    /// Closes the listening socket and every connection, and waits for the server thread to end.
    public func stop() {
        guard let running = daemon.withLock({ current -> OpaquePointer? in
            let running = current
            current = nil
            return running
        }) else {
            return
        }
        MHD_stop_daemon(running)
        context.release()
        logger.info("metrics server stopped", ["address": address.description])
    }

    deinit {
        stop()
    }
}

/// A failure to start the metrics server.
public struct MetricsServerError: Error, CustomStringConvertible {
    public var address: MetricsAddress
    public var reason: String

    public var description: String {
        "cannot start the metrics server on \(address): \(reason); choose another address with --metrics-address or metrics.address"
    }
}

/// The state that the C callbacks reach through their context pointer.
private final class ServerContext: Sendable {
    let endpoints: MetricsEndpoints
    let logger: Logger
    /// libmicrohttpd's messages, kept while the server starts to explain a failure.
    let startupMessages = Mutex<[String]>([])

    init(endpoints: MetricsEndpoints, logger: Logger) {
        self.endpoints = endpoints
        self.logger = logger
    }
}

/// Responds to one request once its body, if any, has been read and discarded.
///
/// libmicrohttpd calls this at least twice per request: first with `*requestState` unset, then once
/// per chunk of body and a last time with `*uploadDataSize` 0, when the response may be queued.
private let handleRequest: MHD_AccessHandlerCallback = { contextPointer, connection, url, method, _, _, uploadDataSize, requestState in
    guard let contextPointer, let connection, let requestState, let uploadDataSize else {
        return .NO
    }
    if requestState.pointee == nil {
        // Any non-null marker works: it only records that the first call happened.
        requestState.pointee = contextPointer
        return .YES
    }
    if uploadDataSize.pointee > 0 {
        uploadDataSize.pointee = 0
        return .YES
    }

    let context = Unmanaged<ServerContext>.fromOpaque(contextPointer).takeUnretainedValue()
    let methodName = method.map { String(cString: $0) } ?? ""
    let path = url.map { String(cString: $0) } ?? "/"
    let response = context.endpoints.respond(method: methodName, path: path)
    context.logger.debug("metrics request", ["method": methodName, "path": path, "status": String(response.status)])
    return queue(response, on: connection)
}

private func queue(_ response: MetricsHTTPResponse, on connection: OpaquePointer) -> MHD_Result {
    var body = Array(response.body.utf8)
    let created = body.withUnsafeMutableBytes { bytes in
        // MUST_COPY: libmicrohttpd copies the bytes, because this buffer is freed on return.
        MHD_create_response_from_buffer(bytes.count, bytes.baseAddress, .RESPMEM_MUST_COPY)
    }
    guard let created else {
        return .NO
    }
    defer { MHD_destroy_response(created) }

    _ = MHD_add_response_header(created, "Content-Type", response.contentType)
    for (name, value) in response.headers {
        _ = MHD_add_response_header(created, name, value)
    }
    return MHD_queue_response(connection, UInt32(response.status), created)
}

/// Passes libmicrohttpd's printf-style messages to the logger, and keeps them while starting.
private let logLibraryMessage: MHD_LogCallback = { contextPointer, format, arguments in
    guard let contextPointer, let format else {
        return
    }
    var buffer = [CChar](repeating: 0, count: 512)
    guard let arguments else {
        return
    }
    _ = vsnprintf(&buffer, buffer.count, format, arguments)
    let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)

    let context = Unmanaged<ServerContext>.fromOpaque(contextPointer).takeUnretainedValue()
    context.startupMessages.withLock { messages in
        if messages.count < 8 {
            messages.append(message)
        }
    }
    context.logger.warning("libmicrohttpd reported a problem", ["message": message], rateLimitKey: "libmicrohttpd")
}
