import Foundation
import Synchronization

/// The result of one readiness check: whether the component can do its work, and why not.
public struct ReadinessStatus: Sendable, Equatable {
    public var ready: Bool
    /// A short reason shown in the `/readyz` body, such as `connected to journald` or the last error.
    public var detail: String

    public init(ready: Bool, detail: String) {
        self.ready = ready
        self.detail = detail
    }
}

/// A condition `/readyz` reports, such as a source being connected or the LLM being reachable.
///
/// The HTTP server's one thread calls `status()` for every request, so it must return at once
/// without network I/O or waiting on locks held for long. A component that must probe something
/// slow keeps its last result, as `ReadinessFlag` does, and updates it from its own task.
public protocol ReadinessCheck: Sendable {
    /// A short name, unique within the process, such as `sources`, `llm` or `state-store`.
    var name: String { get }
    func status() -> ReadinessStatus
}

/// The checks `/readyz` runs. The process is ready when every check is.
public final class ReadinessRegistry: Sendable {
    /// The process-wide registry that `logcot replay` and `logcot run` serve.
    public static let shared = ReadinessRegistry()

    private let checks = Mutex<[any ReadinessCheck]>([])

    public init() {}

    /// Adds a check, replacing any earlier check of the same name.
    public func register(_ check: any ReadinessCheck) {
        checks.withLock { all in
            all.removeAll { $0.name == check.name }
            all.append(check)
        }
    }

    public func unregister(name: String) {
        checks.withLock { $0.removeAll { $0.name == name } }
    }

    /// Runs every check and returns the results sorted by name.
    public func evaluate() -> [(name: String, status: ReadinessStatus)] {
        let current = checks.withLock { $0 }
        return current.map { ($0.name, $0.status()) }.sorted { $0.name < $1.name }
    }
}

/// A readiness check whose owner sets the state, such as a source after it connects or fails.
public final class ReadinessFlag: ReadinessCheck {
    public let name: String
    private let state: Mutex<ReadinessStatus>

    public init(name: String, ready: Bool = false, detail: String = "starting") {
        self.name = name
        self.state = Mutex(ReadinessStatus(ready: ready, detail: detail))
    }

    public func set(ready: Bool, detail: String) {
        state.withLock { $0 = ReadinessStatus(ready: ready, detail: detail) }
    }

    public func status() -> ReadinessStatus {
        state.withLock { $0 }
    }
}

/// Reports whether the SQLite state file, or the directory that will hold it, is writable.
///
/// It calls access(2), which is fast enough for each request. A full disk or a
/// read-only remount after the check can still make a later write fail.
public struct StateStoreWritableCheck: ReadinessCheck {
    public let name = "state-store"
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func status() -> ReadinessStatus {
        if path == ":memory:" || path.isEmpty {
            return ReadinessStatus(ready: true, detail: "in memory")
        }
        if FileManager.default.fileExists(atPath: path) {
            return access(path, W_OK) == 0
                ? ReadinessStatus(ready: true, detail: "\(path) is writable")
                : ReadinessStatus(ready: false, detail: "\(path) is not writable: \(String(cString: strerror(errno)))")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return access(directory, W_OK) == 0
            ? ReadinessStatus(ready: true, detail: "\(path) does not exist yet; \(directory) is writable")
            : ReadinessStatus(ready: false, detail: "cannot create \(path): \(directory) is not writable: \(String(cString: strerror(errno)))")
    }
}
