import Foundation

/// Reads the LogCoT authors' JSON-array datasets as windows.
///
/// The training format `[{instruction, input?, output}]` is parsed by `ExamplePool`, whose ids are
/// `<file name>-<index>`. The preference format `[{label, chosen: {conversations: [{from, value}]},
/// rejected: {...}}]` carries the logs in the first human turn after `logs:` and the chosen reasoning
/// in the first `gpt` turn; its ids follow the same `<file name>-<index>` scheme.
enum AuthorsWindowFormat {
    static func parse(_ data: Data, path: String, labels: LabelSet) throws -> [WindowRecord] {
        if isPreferenceFormat(data) {
            return try parsePreferenceFormat(data, path: path, labels: labels)
        }
        do {
            return try ExamplePool.parseAuthorsFormat(data, path: path, labels: labels).map {
                WindowRecord(id: $0.id, lines: $0.lines, label: $0.label, reasoning: $0.reasoning)
            }
        } catch let error as PoolError {
            throw WindowFileError(path: path, line: nil, message: error.message + "; a JSON array must use the authors' training or preference format, otherwise write JSON lines")
        }
    }

    /// True when the first array entry has a `chosen` key.
    static func isPreferenceFormat(_ data: Data) -> Bool {
        guard let array = try? JSONSerialization.jsonObject(with: data) as? [Any], let first = array.first as? [String: Any] else {
            return false
        }
        return first["chosen"] != nil
    }

    struct Dialogue: Decodable {
        var conversations: [ShareGPTPreferenceTurn]
    }

    struct PreferenceRecord: Decodable {
        var label: String
        var chosen: Dialogue
        var rejected: Dialogue?

        enum CodingKeys: String, CodingKey {
            case label, chosen, rejected
        }

        // The authors' files store the label as text ("1"); a number is accepted too.
        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let number = try? container.decode(Int.self, forKey: .label) {
                label = String(number)
            } else {
                label = try container.decode(String.self, forKey: .label)
            }
            chosen = try container.decode(Dialogue.self, forKey: .chosen)
            rejected = try container.decodeIfPresent(Dialogue.self, forKey: .rejected)
        }
    }

    static func parsePreferenceFormat(_ data: Data, path: String, labels: LabelSet) throws -> [WindowRecord] {
        let entries: [PreferenceRecord]
        do {
            entries = try JSONDecoder().decode([PreferenceRecord].self, from: data)
        } catch {
            throw WindowFileError(path: path, line: nil, message: "expected a JSON array of {label, chosen: {conversations}, rejected}: \(describeDecodingError(error))")
        }

        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var records: [WindowRecord] = []
        for (index, entry) in entries.enumerated() {
            guard let human = entry.chosen.conversations.first(where: { $0.from == "human" }) else {
                throw WindowFileError(path: path, line: nil, message: "entry \(index): chosen.conversations has no turn from \"human\"; the first human turn must carry the logs after 'logs:'")
            }
            let lines = ExamplePool.logLines(in: human.value)
            guard !lines.isEmpty else {
                throw WindowFileError(path: path, line: nil, message: "entry \(index): the human turn has no log lines after 'logs:'")
            }
            let label: String?
            do {
                label = try WindowFile.resolveLabel(entry.label, labels: labels, path: path, line: nil)
            } catch let error as WindowFileError {
                throw WindowFileError(path: path, line: nil, message: "entry \(index): " + error.message)
            }
            let reasoning = entry.chosen.conversations.first { $0.from == "gpt" }?.value
            records.append(WindowRecord(id: "\(name)-\(index)", lines: lines, label: label, reasoning: reasoning))
        }
        return records
    }
}
