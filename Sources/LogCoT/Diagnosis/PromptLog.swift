import Foundation
import Synchronization

/// Appends every prompt sent to the LLM, as JSON lines `{window, round, messages}`, for audits of what
/// left the host (for example, that no unmasked address reached the model).
public final class PromptLog: Sendable {
    public let path: String
    private let handle: Mutex<FileHandle>

    /// Creates or truncates the file at `path`.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let opened = FileHandle(forWritingAtPath: path) else {
            throw SinkError(path: path, message: "cannot create the prompt log; check that the directory exists and is writable")
        }
        self.path = path
        self.handle = Mutex(opened)
    }

    public func record(windowID: String, round: Int, messages: [ChatMessage]) {
        let entry: [String: Any] = [
            "window": windowID,
            "round": round,
            "messages": messages.map { ["role": $0.role.rawValue, "content": $0.content] },
        ]
        guard var data = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return
        }
        data.append(UInt8(ascii: "\n"))
        handle.withLock { try? $0.write(contentsOf: data) }
    }
}
