import Foundation

/// One labelled window in a pool file that `logcot pool build` writes.
///
/// The JSON keys are `id`, `lines`, `reasoning`, `label`, `model` and `prompt_version`. `ExamplePool.load`
/// reads the first four and ignores the others, so the daemon loads a pool file as it is.
public struct PoolRecord: Sendable, Codable, Equatable {
    public var id: String
    public var lines: [String]
    public var reasoning: String
    /// The label id that the model chose.
    public var label: String
    /// The model that wrote the reasoning, as sent in the request.
    public var model: String
    /// The prompt template version, such as `zeroshot-cot-v1`.
    public var promptVersion: String

    enum CodingKeys: String, CodingKey {
        case id, lines, reasoning, label, model
        case promptVersion = "prompt_version"
    }

    public init(id: String, lines: [String], reasoning: String, label: String, model: String, promptVersion: String) {
        self.id = id
        self.lines = lines
        self.reasoning = reasoning
        self.label = label
        self.model = model
        self.promptVersion = promptVersion
    }

    public var example: PoolExample {
        PoolExample(id: id, lines: lines, reasoning: reasoning, label: label)
    }
}

/// A window whose round 2 answer named no single label; `logcot pool build` keeps it out of the pool but
/// records it, so that a resumed build does not ask again.
public struct UnlabelledPoolRecord: Sendable, Codable, Equatable {
    public var id: String
    public var reasoning: String
    public var answer: String
    public var reason: String
    public var model: String
    public var promptVersion: String

    enum CodingKeys: String, CodingKey {
        case id, reasoning, answer, reason, model
        case promptVersion = "prompt_version"
    }
}
