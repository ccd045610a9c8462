import Foundation

/// The file formats of preference pairs.
///
/// - `trl`: JSON lines `{"prompt": [messages], "chosen": [messages], "rejected": [messages]}`, the explicit-prompt
///   conversational preference format that TRL's `DPOTrainer` reads. A message is `{"role", "content"}`.
/// - `sharegpt`: the LogCoT authors' JSON array of `{label, chosen: {conversations}, rejected: {conversations}}`,
///   where a turn is `{"from": "human" | "gpt", "value"}` and both conversations start with the same human turn.
///   That shape has no system turn, so the writer joins a system message and the first user message with a
///   blank line into one human turn.
public enum PreferenceFormat: String, Sendable, CaseIterable {
    case trl
    case sharegpt

    /// Encodes pairs in this format.
    public func encode(_ pairs: [PreferencePair]) throws -> Data {
        switch self {
        case .trl:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var data = Data()
            for pair in pairs {
                data += try encoder.encode(TRLLine(prompt: pair.prompt, chosen: pair.chosen, rejected: pair.rejected))
                data.append(UInt8(ascii: "\n"))
            }
            return data
        case .sharegpt:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return try encoder.encode(pairs.map(ShareGPTPair.init))
        }
    }

    /// Decodes pairs from either format: a JSON array is read as `sharegpt`, anything else as `trl` lines.
    public static func decode(_ data: Data, source: String) throws -> [PreferencePair] {
        let text = String(decoding: data, as: UTF8.self)
        if text.drop(while: { $0.isWhitespace }).hasPrefix("[") {
            let entries: [ShareGPTPair]
            do {
                entries = try JSONDecoder().decode([ShareGPTPair].self, from: data)
            } catch {
                throw PreferenceFormatError(source: source, message: "expected a JSON array of {label, chosen: {conversations}, rejected: {conversations}}: \(describeDecodingError(error))")
            }
            return try entries.enumerated().map { index, entry in
                try entry.pair(source: source, index: index)
            }
        }

        var pairs: [PreferencePair] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty {
                continue
            }
            do {
                let decoded = try JSONDecoder().decode(TRLLine.self, from: Data(content.utf8))
                pairs.append(PreferencePair(prompt: decoded.prompt, chosen: decoded.chosen, rejected: decoded.rejected, label: nil))
            } catch {
                throw PreferenceFormatError(source: source, message: "line \(index + 1): expected {prompt, chosen, rejected} with lists of {role, content}: \(describeDecodingError(error))")
            }
        }
        return pairs
    }
}

/// One line of the TRL format.
private struct TRLLine: Codable {
    var prompt: [ChatMessage]
    var chosen: [ChatMessage]
    var rejected: [ChatMessage]
}

/// One entry of the authors' ShareGPT array.
private struct ShareGPTPair: Codable {
    struct Conversation: Codable {
        var conversations: [ShareGPTPreferenceTurn]
    }

    var label: String
    var chosen: Conversation
    var rejected: Conversation

    init(_ pair: PreferencePair) {
        let human = Self.humanTurn(pair.prompt)
        label = pair.label ?? ""
        chosen = Conversation(conversations: [human] + pair.chosen.map(Self.turn))
        rejected = Conversation(conversations: [human] + pair.rejected.map(Self.turn))
    }

    /// Joins the prompt's messages into the one human turn that opens both conversations.
    static func humanTurn(_ prompt: [ChatMessage]) -> ShareGPTPreferenceTurn {
        ShareGPTPreferenceTurn(from: "human", value: prompt.map(\.content).joined(separator: "\n\n"))
    }

    static func turn(_ message: ChatMessage) -> ShareGPTPreferenceTurn {
        let source: String
        switch message.role {
        case .assistant: source = "gpt"
        case .system: source = "system"
        case .user: source = "human"
        }
        return ShareGPTPreferenceTurn(from: source, value: message.content)
    }

    static func message(_ turn: ShareGPTPreferenceTurn) -> ChatMessage? {
        switch turn.from {
        case "human", "user": .user(turn.value)
        case "gpt", "assistant": .assistant(turn.value)
        case "system": .system(turn.value)
        default: nil
        }
    }

    static func messages(_ turns: ArraySlice<ShareGPTPreferenceTurn>, source: String, index: Int) throws -> [ChatMessage] {
        try turns.map { turn in
            guard let message = message(turn) else {
                throw PreferenceFormatError(source: source, message: "entry \(index): unknown turn source '\(turn.from)'; use human or gpt")
            }
            return message
        }
    }

    func pair(source: String, index: Int) throws -> PreferencePair {
        guard let first = chosen.conversations.first, first.from == "human",
              let rejectedFirst = rejected.conversations.first, rejectedFirst == first
        else {
            throw PreferenceFormatError(source: source, message: "entry \(index): chosen and rejected must start with the same human turn, the prompt")
        }
        let chosenMessages = try Self.messages(chosen.conversations.dropFirst(), source: source, index: index)
        let rejectedMessages = try Self.messages(rejected.conversations.dropFirst(), source: source, index: index)
        return PreferencePair(prompt: [.user(first.value)], chosen: chosenMessages, rejected: rejectedMessages, label: label.isEmpty ? nil : label)
    }
}

/// A problem in a preference file.
public struct PreferenceFormatError: Error, CustomStringConvertible {
    public var source: String
    public var message: String

    public var description: String {
        "invalid preference file \(source): \(message)"
    }
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
