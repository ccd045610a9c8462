import CCurl
import Foundation

/// One HTTP POST with a JSON body, as `CurlTransport.post` sends it.
struct CurlRequest: Sendable {
    var url: String
    var headers: [String: String]
    var body: Data
    /// The bound on one attempt, connecting included, in milliseconds (`CURLOPT_TIMEOUT_MS`).
    var timeoutMilliseconds: Int
}

/// The status line, headers and body of a completed HTTP exchange.
struct CurlResponse: Sendable {
    var status: Int
    /// Header names are lowercased. A repeated header keeps its last value.
    var headers: [String: String]
    var body: Data
}

/// A failed transfer: the libcurl result code and its error text.
struct CurlFailure: Error, Sendable {
    var code: CURLcode
    var message: String

    /// True when the task that started the transfer was cancelled.
    var isCancelled: Bool {
        code == CURLE_ABORTED_BY_CALLBACK
    }
}

/// An HTTP client over the libcurl multi interface, one transfer per thread.
///
/// URLSession in swift-corelibs-foundation (Swift 6.3.1, libcurl 7.88.1) keeps one CPU busy for as long as a
/// response is outstanding, mostly system time in `epoll_ctl` calls from libdispatch's manager thread
/// (`_dispatch_unote_resume_muxed`). A daemon that waits seconds per window for a local LLM would take a core
/// from that LLM. This client therefore blocks in `curl_multi_poll` on a thread of its own, so the Swift
/// concurrency pool never blocks on a transfer.
enum CurlTransport {
    /// The result of `curl_global_init`, run once before the first transfer.
    private static let globalInitResult: CURLcode = logcot_curl_global_init()

    /// Sends `request` and waits for the whole response.
    ///
    /// Cancelling the calling task wakes the transfer thread, which aborts the transfer and fails with a
    /// `CurlFailure` whose `isCancelled` is true.
    static func post(_ request: CurlRequest) async -> Result<CurlResponse, CurlFailure> {
        guard globalInitResult == CURLE_OK else {
            return .failure(CurlFailure(code: globalInitResult, message: "curl_global_init failed: \(describe(globalInitResult))"))
        }
        guard let transfer = CurlTransfer(request) else {
            return .failure(CurlFailure(code: CURLE_OUT_OF_MEMORY, message: "libcurl could not create a transfer handle"))
        }

        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: transfer.run())
                }
                thread.name = "logcot-curl"
                thread.start()
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }
}

/// The libcurl handles and buffers of one transfer. `run()` uses them on the transfer thread, and `cancel()` may
/// be called from any thread.
private final class CurlTransfer: @unchecked Sendable {
    private let request: CurlRequest
    private let lock = NSLock()
    private var multi: UnsafeMutableRawPointer?
    private var cancelled = false
    private var body = Data()
    private var headers: [String: String] = [:]

    init?(_ request: CurlRequest) {
        guard let multi = curl_multi_init() else {
            return nil
        }
        self.request = request
        self.multi = multi
    }

    deinit {
        closeMulti()
    }

    /// Sets the cancelled flag and wakes `curl_multi_poll`, so the transfer thread reads the flag at once.
    func cancel() {
        lock.withLock {
            cancelled = true
            if let multi {
                curl_multi_wakeup(multi)
            }
        }
    }

    private var isCancelled: Bool {
        lock.withLock { cancelled }
    }

    /// Runs the transfer to completion on the calling thread, which it blocks.
    func run() -> Result<CurlResponse, CurlFailure> {
        defer { closeMulti() }
        guard let multi = lock.withLock({ self.multi }), let easy = curl_easy_init() else {
            return .failure(CurlFailure(code: CURLE_OUT_OF_MEMORY, message: "libcurl could not create a transfer handle"))
        }
        defer { curl_easy_cleanup(easy) }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // An empty Expect header stops libcurl from waiting up to 1 s for "100 Continue" before it sends a
        // body larger than 1 KiB, which llama-server and the test stubs never send.
        headerList = curl_slist_append(headerList, "Expect:")

        // libcurl writes the error text of a failed transfer here, so the buffer must outlive the transfer.
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }

        let setupCode = configure(easy, headerList: headerList, errorBuffer: errorBuffer)
        guard setupCode == CURLE_OK else {
            return .failure(CurlFailure(code: setupCode, message: "libcurl rejected an option: \(CurlTransport.describe(setupCode))"))
        }

        let code = perform(easy, in: multi)
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? CurlTransport.describe(code) : detail
            return .failure(CurlFailure(code: code, message: message))
        }

        var status = 0
        _ = logcot_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return .success(CurlResponse(status: status, headers: headers, body: body))
    }

    /// Sets the request options on `easy`, stopping at the first option that libcurl rejects.
    private func configure(
        _ easy: UnsafeMutableRawPointer,
        headerList: UnsafeMutablePointer<curl_slist>?,
        errorBuffer: UnsafeMutablePointer<CChar>
    ) -> CURLcode {
        let context = Unmanaged.passUnretained(self).toOpaque()
        let timeout = max(1, request.timeoutMilliseconds)
        let steps: [() -> CURLcode] = [
            { logcot_curl_setopt_string(easy, CURLOPT_URL, self.request.url) },
            { logcot_curl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https") },
            { logcot_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1) },
            { logcot_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeout) },
            { logcot_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout) },
            { logcot_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer) },
            { logcot_curl_setopt_pointer(easy, CURLOPT_HTTPHEADER, headerList) },
            { logcot_curl_setopt_long(easy, CURLOPT_POSTFIELDSIZE, self.request.body.count) },
            { self.copyBody(into: easy) },
            { logcot_curl_setopt_write_function(easy, CURLOPT_WRITEFUNCTION, curlWriteBody) },
            { logcot_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, context) },
            { logcot_curl_setopt_write_function(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader) },
            { logcot_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, context) },
        ]
        for step in steps {
            let code = step()
            if code != CURLE_OK {
                return code
            }
        }
        return CURLE_OK
    }

    /// Hands libcurl a copy of the body (`CURLOPT_COPYPOSTFIELDS`), so the Swift buffer only has to live for
    /// this call. The size must be set before, because the body may contain NUL bytes.
    private func copyBody(into easy: UnsafeMutableRawPointer) -> CURLcode {
        var bytes = [UInt8](request.body)
        bytes.append(0)
        return bytes.withUnsafeMutableBytes { buffer in
            logcot_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, buffer.baseAddress)
        }
    }

    /// Drives the transfer until it finishes or the task is cancelled. `curl_multi_poll` sleeps in poll(2) until
    /// the socket is ready, a libcurl timer is due, `cancel()` wakes it, or 1 s passes.
    private func perform(_ easy: UnsafeMutableRawPointer, in multi: UnsafeMutableRawPointer) -> CURLcode {
        let addCode = curl_multi_add_handle(multi, easy)
        guard addCode == CURLM_OK else {
            return CURLE_FAILED_INIT
        }
        defer { curl_multi_remove_handle(multi, easy) }

        var running: Int32 = 1
        while running > 0 {
            if isCancelled {
                return CURLE_ABORTED_BY_CALLBACK
            }
            guard curl_multi_perform(multi, &running) == CURLM_OK else {
                return CURLE_FAILED_INIT
            }
            if running > 0 {
                guard curl_multi_poll(multi, nil, 0, 1000, nil) == CURLM_OK else {
                    return CURLE_FAILED_INIT
                }
            }
        }

        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            if message.pointee.msg == CURLMSG_DONE {
                return message.pointee.data.result
            }
        }
        return CURLE_FAILED_INIT
    }

    private func closeMulti() {
        lock.withLock {
            if let multi {
                curl_multi_cleanup(multi)
            }
            multi = nil
        }
    }

    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) {
        body.append(contentsOf: bytes)
    }

    /// Records one header line. A status line starts a new header block, so the headers of an interim
    /// response such as "100 Continue" do not mix with the final ones.
    fileprivate func appendHeaderLine(_ line: String) {
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: ":") else {
            return
        }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        headers[name] = value
    }
}

/// libcurl's CURLOPT_WRITEFUNCTION: appends a chunk of the response body to the transfer.
private func curlWriteBody(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let length = size * count
    guard let buffer, let context else {
        return length
    }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.appendBody(UnsafeRawBufferPointer(start: buffer, count: length))
    return length
}

/// libcurl's CURLOPT_HEADERFUNCTION: passes one header line to the transfer.
private func curlWriteHeader(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let length = size * count
    guard let buffer, let context else {
        return length
    }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
    transfer.appendHeaderLine(line)
    return length
}
