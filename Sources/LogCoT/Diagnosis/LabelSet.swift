import Foundation

/// One fault class that a diagnosis may assign.
public struct FaultLabel: Sendable, Hashable, Codable {
    /// The short identifier used in reports and config, such as `memory`.
    public var id: String

    /// The numeric code used by datasets and model answers, such as `2`.
    public var code: Int

    /// The wording shown to the model, such as "Memory and storage-related errors".
    public var description: String

    public init(id: String, code: Int, description: String) {
        self.id = id
        self.code = code
        self.description = description
    }
}

/// The ordered set of fault classes that diagnoses choose from.
///
/// The set comes from config, not from the example pool, so a class with no examples stays allowed.
public struct LabelSet: Sendable, Hashable {
    public let labels: [FaultLabel]

    /// The label that empty or unscorable windows receive.
    public let fallback: FaultLabel

    /// Creates a set, rejecting duplicate ids or codes and a fallback id that is not in the set.
    public init(labels: [FaultLabel], fallbackID: String? = nil) throws(LabelSetError) {
        guard !labels.isEmpty else {
            throw .empty
        }

        var seenIDs: Set<String> = []
        var seenCodes: Set<Int> = []
        for label in labels {
            guard seenIDs.insert(label.id.lowercased()).inserted else {
                throw .duplicateID(label.id)
            }
            guard seenCodes.insert(label.code).inserted else {
                throw .duplicateCode(label.code)
            }
        }

        self.labels = labels
        if let fallbackID {
            guard let match = labels.first(where: { $0.id == fallbackID }) else {
                throw .unknownFallback(fallbackID)
            }
            self.fallback = match
        } else {
            self.fallback = labels[labels.count - 1]
        }
    }

    /// The three classes of the public server SEL dataset: 1 CPU, 2 memory and storage, 3 other.
    public static let serverDefault: LabelSet = {
        let labels = [
            FaultLabel(id: "cpu", code: 1, description: "CPU-related errors"),
            FaultLabel(id: "memory", code: 2, description: "Memory and storage-related errors"),
            FaultLabel(id: "other", code: 3, description: "Other types of errors"),
        ]
        // The literal above has unique ids and codes, so this cannot throw.
        return try! LabelSet(labels: labels, fallbackID: "other")
    }()

    /// Finds a label by id (case-insensitive) or by numeric code given as text, as ground truth files store either.
    public func resolve(_ idOrCode: String) -> FaultLabel? {
        let trimmed = idOrCode.trimmingCharacters(in: .whitespacesAndNewlines)
        if let code = Int(trimmed) {
            return labels.first { $0.code == code }
        }
        let lowered = trimmed.lowercased()
        return labels.first { $0.id.lowercased() == lowered }
    }

    public func label(id: String) -> FaultLabel? {
        labels.first { $0.id == id }
    }

    public var ids: [String] {
        labels.map(\.id)
    }
}

/// A problem in a configured label set.
public enum LabelSetError: Error, Equatable, CustomStringConvertible {
    case empty
    case duplicateID(String)
    case duplicateCode(Int)
    case unknownFallback(String)

    public var description: String {
        switch self {
        case .empty:
            "the label set is empty; configure at least one label with id, code and description"
        case .duplicateID(let id):
            "label id '\(id)' appears twice; give each label a unique id"
        case .duplicateCode(let code):
            "label code \(code) appears twice; give each label a unique code"
        case .unknownFallback(let id):
            "fallback label '\(id)' is not in the label set; use one of the configured ids"
        }
    }
}
