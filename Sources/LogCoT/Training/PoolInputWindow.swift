import Foundation

/// One window read by the offline commands (`logcot pool build`, `logcot prefs build`).
///
/// The JSON-lines shape is `{id, lines, host?, fault_time?, label?, reasoning?}`, the same shape that
/// `logcot replay --emit-windows` writes. A window with a `label` is labelled.
///
/// NOTE: the evaluation command reads the same shape with its own reader; both should become one type.
public struct PoolInputWindow: Sendable, Equatable {
    public var id: String
    /// The window's log lines, oldest first. The offline commands send them to a model as they are, so they
    /// must already be masked.
    public var lines: [String]
    public var host: String?
    public var faultTime: String?
    /// The label id, resolved against the label set on load.
    public var label: String?
    public var reasoning: String?

    public init(id: String, lines: [String], host: String? = nil, faultTime: String? = nil, label: String? = nil, reasoning: String? = nil) {
        self.id = id
        self.lines = lines
        self.host = host
        self.faultTime = faultTime
        self.label = label
        self.reasoning = reasoning
    }

    /// Loads windows from JSON lines, from the LogCoT authors' `[{instruction, output}]` training array, or from
    /// their `[{label, chosen, rejected}]` preference array. Labels may be ids or codes.
    public static func load(from url: URL, labels: LabelSet) throws -> [PoolInputWindow] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PoolInputWindowError(path: url.path, message: "cannot read the file: \(error.localizedDescription)")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard text.drop(while: { $0.isWhitespace }).hasPrefix("[") else {
            return try parseJSONLines(text, path: url.path, labels: labels)
        }

        let name = url.deletingPathExtension().lastPathComponent
        if let records = try? JSONDecoder().decode([AuthorsPreferenceRecord].self, from: data) {
            return try records.enumerated().map { index, record in
                try window(from: record, id: "\(name)-\(index)", path: url.path, labels: labels)
            }
        }
        return try ExamplePool.parseAuthorsFormat(data, path: url.path, labels: labels).map {
            PoolInputWindow(id: $0.id, lines: $0.lines, label: $0.label, reasoning: $0.reasoning)
        }
    }

    // MARK: - JSON lines

    private struct Line: Decodable {
        var id: String
        var lines: [String]
        var host: String?
        var faultTime: String?
        var label: String?
        var reasoning: String?

        enum CodingKeys: String, CodingKey {
            case id, lines, host, label, reasoning
            case faultTime = "fault_time"
        }
    }

    static func parseJSONLines(_ text: String, path: String, labels: LabelSet) throws -> [PoolInputWindow] {
        var windows: [PoolInputWindow] = []
        var seen: Set<String> = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("//") {
                continue
            }

            let decoded: Line
            do {
                decoded = try JSONDecoder().decode(Line.self, from: Data(content.utf8))
            } catch {
                throw PoolInputWindowError(path: path, message: "line \(index + 1): expected {id, lines, label?, reasoning?}: \(describeDecodingError(error))")
            }
            guard seen.insert(decoded.id).inserted else {
                throw PoolInputWindowError(path: path, message: "line \(index + 1): window id '\(decoded.id)' appears twice; give each window its own id")
            }

            var label: String?
            if let text = decoded.label {
                guard let resolved = labels.resolve(text) else {
                    throw PoolInputWindowError(path: path, message: "line \(index + 1): label '\(text)' is not in the label set (\(labels.ids.joined(separator: ", ")))")
                }
                label = resolved.id
            }
            windows.append(PoolInputWindow(id: decoded.id, lines: decoded.lines, host: decoded.host, faultTime: decoded.faultTime, label: label, reasoning: decoded.reasoning))
        }
        return windows
    }

    // MARK: - The authors' preference array

    private static func window(from record: AuthorsPreferenceRecord, id: String, path: String, labels: LabelSet) throws -> PoolInputWindow {
        guard let label = labels.resolve(record.label) else {
            throw PoolInputWindowError(path: path, message: "entry \(id): label '\(record.label)' is not in the label set (\(labels.ids.joined(separator: ", ")))")
        }
        guard let human = record.chosen.conversations.first(where: { $0.from == "human" }) else {
            throw PoolInputWindowError(path: path, message: "entry \(id): the chosen conversation has no human turn with the logs")
        }
        let lines = ExamplePool.logLines(in: human.value)
        guard !lines.isEmpty else {
            throw PoolInputWindowError(path: path, message: "entry \(id): the first human turn has no log lines after 'logs:'")
        }
        return PoolInputWindow(id: id, lines: lines, label: label.id)
    }
}

/// The part of one entry of the authors' preference array that carries a window.
private struct AuthorsPreferenceRecord: Decodable {
    struct Conversation: Decodable {
        var conversations: [ShareGPTPreferenceTurn]
    }

    var label: String
    var chosen: Conversation
}

/// One turn of a ShareGPT conversation: `from` is `human`, `gpt` or `system`.
public struct ShareGPTPreferenceTurn: Sendable, Codable, Equatable {
    public var from: String
    public var value: String

    public init(from: String, value: String) {
        self.from = from
        self.value = value
    }
}

/// A problem in a windows file.
public struct PoolInputWindowError: Error, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String {
        "invalid windows file \(path): \(message)"
    }
}
