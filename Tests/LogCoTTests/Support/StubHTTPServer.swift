import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A scripted HTTP/1.1 server on 127.0.0.1 with an ephemeral port, for client tests only.
///
/// Each connection carries one request and gets the next scripted response, after the response's delay, and is
/// then closed. When the script runs out, the server repeats its last response.
final class StubHTTPServer: @unchecked Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var body: String
        var delay: Duration = .zero
    }

    struct RecordedRequest: Sendable {
        var method: String
        var path: String
        /// Header names are lowercased.
        var headers: [String: String]
        var body: Data

        var jsonBody: [String: Any]? {
            try? JSONSerialization.jsonObject(with: body) as? [String: Any]
        }
    }

    /// Computes a response from the request, for servers whose answer depends on what was sent.
    typealias Handler = @Sendable (RecordedRequest) -> Response

    let port: UInt16
    private let listenSocket: Int32
    private let lock = NSLock()
    private var script: [Response]
    private var handler: Handler?
    private var requests: [RecordedRequest] = []
    private var openRequests = 0
    private var maxOpenRequests = 0
    private var stopped = false
    private var holding = false

    var baseURL: URL {
        URL(string: "http://127.0.0.1:\(port)/v1")!
    }

    var recordedRequests: [RecordedRequest] {
        lock.withLock { requests }
    }

    /// Maximum number of requests that the server was handling at the same time.
    var maxConcurrentRequests: Int {
        lock.withLock { maxOpenRequests }
    }

    init(responses: [Response]) throws {
        precondition(!responses.isEmpty, "a stub server needs at least one response")
        script = responses

        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else {
            throw StubServerError.socketFailed("socket", errno)
        }

        // No SO_REUSEADDR: on Linux, two sockets that both set it can get the same port from bind(0) when
        // neither listens yet, and tests running in parallel would then share a server.
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bindResult = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bindResult == 0, listen(fd, 32) == 0 else {
            let code = errno
            close(fd)
            throw StubServerError.socketFailed("bind/listen", code)
        }

        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(fd, $0, &length)
            }
        }
        listenSocket = fd
        port = UInt16(bigEndian: bound.sin_port)

        Thread.detachNewThread { [self] in
            acceptLoop()
        }
    }

    /// Creates a server that answers every request with `handler`'s response instead of a script.
    convenience init(handler: @escaping Handler) throws {
        try self.init(responses: [Response(status: 500, body: "{}")])
        lock.withLock { self.handler = handler }
    }

    deinit {
        stop()
    }

    /// Makes every request wait, before its scripted delay, until `releaseHeldRequests()` is called.
    func holdRequests() {
        lock.withLock { holding = true }
    }

    func releaseHeldRequests() {
        lock.withLock { holding = false }
    }

    /// Stops accepting connections. Connections already accepted still get their responses.
    ///
    /// Only the accept thread closes the listening socket. If this method closed it, a server created in a
    /// parallel test could get the same descriptor number, and this server's accept loop would take its connections.
    func stop() {
        let wasStopped = lock.withLock {
            let previous = stopped
            stopped = true
            return previous
        }
        guard !wasStopped else {
            return
        }
        #if canImport(Glibc)
        shutdown(listenSocket, Int32(SHUT_RDWR))
        #else
        shutdown(listenSocket, SHUT_RDWR)
        #endif
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listenSocket, nil, nil)
            if connection < 0 {
                if lock.withLock({ stopped }) {
                    close(listenSocket)
                    return
                }
                continue
            }
            Thread.detachNewThread { [self] in
                handle(connection)
            }
        }
    }

    private func handle(_ connection: Int32) {
        defer {
            close(connection)
        }
        guard let request = readRequest(connection) else {
            return
        }

        let scripted: Response? = lock.withLock {
            requests.append(request)
            openRequests += 1
            maxOpenRequests = max(maxOpenRequests, openRequests)
            if handler != nil {
                return nil
            }
            return script.count > 1 ? script.removeFirst() : script[0]
        }
        while lock.withLock({ holding && !stopped }) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let response = scripted ?? lock.withLock { handler! }(request)
        if response.delay > .zero {
            Thread.sleep(forTimeInterval: Double(response.delay.components.seconds) + Double(response.delay.components.attoseconds) / 1e18)
        }
        lock.withLock {
            openRequests -= 1
        }
        send(response, to: connection)
    }

    private func readRequest(_ connection: Int32) -> RecordedRequest? {
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        let separator = Data("\r\n\r\n".utf8)

        while buffer.range(of: separator) == nil {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else {
                return nil
            }
            buffer.append(contentsOf: chunk[0..<count])
        }

        let headerEnd = buffer.range(of: separator)!
        let headerText = String(decoding: buffer[..<headerEnd.lowerBound], as: UTF8.self)
        var lines = headerText.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else {
            return nil
        }

        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                continue
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }

        let contentLength = Int(headers["content-length"] ?? "0") ?? 0
        var body = Data(buffer[headerEnd.upperBound...])
        while body.count < contentLength {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else {
                return nil
            }
            body.append(contentsOf: chunk[0..<count])
        }

        return RecordedRequest(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func send(_ response: Response, to connection: Int32) {
        let bodyData = Data(response.body.utf8)
        var head = "HTTP/1.1 \(response.status) \(Self.reasonPhrase(response.status))\r\n"
        var headers = response.headers
        headers["Content-Type"] = headers["Content-Type"] ?? "application/json"
        headers["Content-Length"] = String(bodyData.count)
        headers["Connection"] = "close"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            head += "\(name): \(value)\r\n"
        }
        head += "\r\n"

        let payload = Data(head.utf8) + bodyData
        payload.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                // MSG_NOSIGNAL: a client that timed out and closed the socket must not kill the test process with SIGPIPE.
                #if canImport(Glibc)
                let sent = Glibc.send(connection, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                #else
                let sent = Darwin.send(connection, raw.baseAddress! + offset, raw.count - offset, 0)
                #endif
                if sent <= 0 {
                    return
                }
                offset += sent
            }
        }
    }

    private static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

enum StubServerError: Error {
    case socketFailed(String, Int32)
}

extension StubHTTPServer.Response {
    /// Makes a 200 response with an OpenAI-style chat completion body.
    static func completion(
        _ text: String,
        promptTokens: Int? = 120,
        completionTokens: Int? = 30,
        finishReason: String = "stop",
        delay: Duration = .zero
    ) -> Self {
        var object: [String: Any] = [
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "model": "stub-model",
            "choices": [[
                "index": 0,
                "message": ["role": "assistant", "content": text],
                "finish_reason": finishReason,
            ] as [String: Any]],
        ]
        if let promptTokens, let completionTokens {
            object["usage"] = [
                "prompt_tokens": promptTokens,
                "completion_tokens": completionTokens,
                "total_tokens": promptTokens + completionTokens,
            ]
        }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Self(status: 200, body: String(decoding: data, as: UTF8.self), delay: delay)
    }

    /// Makes an error response with an OpenAI-style `{"error": {"message": ...}}` body.
    static func error(_ status: Int, _ message: String, headers: [String: String] = [:]) -> Self {
        let object: [String: Any] = ["error": ["message": message, "type": "stub_error", "code": status] as [String: Any]]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Self(status: status, headers: headers, body: String(decoding: data, as: UTF8.self))
    }
}

/// A TCP port on 127.0.0.1 that is bound but not listening, so connections to it are refused.
final class ReservedPort: @unchecked Sendable {
    let port: UInt16
    private let socketFD: Int32

    init() throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else {
            throw StubServerError.socketFailed("socket", errno)
        }

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bindResult = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bindResult == 0 else {
            let code = errno
            Self.closeSocket(fd)
            throw StubServerError.socketFailed("bind", code)
        }

        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(fd, $0, &length)
            }
        }
        socketFD = fd
        port = UInt16(bigEndian: bound.sin_port)
    }

    func close() {
        Self.closeSocket(socketFD)
    }

    private static func closeSocket(_ fd: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }
}
