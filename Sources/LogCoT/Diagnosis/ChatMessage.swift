import Foundation

/// One message of an OpenAI-style chat conversation.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// The author of a message, with the raw values of the OpenAI chat completions API.
    public enum Role: String, Sendable, Hashable, Codable {
        case system
        case user
        case assistant
    }

    public var role: Role
    public var content: String

    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ content: String) -> ChatMessage {
        ChatMessage(role: .system, content: content)
    }

    public static func user(_ content: String) -> ChatMessage {
        ChatMessage(role: .user, content: content)
    }

    public static func assistant(_ content: String) -> ChatMessage {
        ChatMessage(role: .assistant, content: content)
    }
}
