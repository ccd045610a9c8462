import Foundation

/// A versioned set of text pieces from which `PromptBuilder` assembles the two rounds of a diagnosis.
///
/// Pieces contain `{name}` placeholders. `load(from:)` and `decode(_:source:)` reject a template whose pieces
/// lack a required placeholder or use an unknown one, and one whose `{logs}` is not enclosed by the
/// `<logs>` and `</logs>` lines that the builder's escaping relies on.
public struct PromptTemplate: Sendable, Hashable {
    /// The template version recorded with each diagnosis, such as `fewshot-cot-v1`.
    public var version: String
    /// Round 1 system message. Placeholder: `{labels}`.
    public var system: String
    /// One line of `{labels}`. Placeholders: `{code}`, `{id}`, `{description}`.
    public var labelItem: String
    /// One few-shot example. Placeholders: `{index}`, `{logs}`, `{reasoning}`, `{code}`, `{id}`, `{description}`.
    public var example: String
    /// The text that replaces `{examples}` when there are no examples.
    public var noExamples: String
    /// Round 1 user message. Placeholders: `{examples}`, `{logs}`.
    public var round1User: String
    /// Round 2 user message with the answer cue. Placeholder: `{answerInstruction}`.
    public var round2User: String
    /// The answer instruction for each label constraint. Placeholder: `{ids}`.
    public var answerInstructions: [LabelConstraint: String]

    /// Loads and validates a JSON5 template file.
    public static func load(from url: URL) throws(PromptTemplateError) -> PromptTemplate {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode(data, source: url.path)
    }

    /// Decodes and validates a JSON5 template. `source` names the template in errors.
    public static func decode(_ data: Data, source: String) throws(PromptTemplateError) -> PromptTemplate {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        let file: TemplateFile
        do {
            try InvalidUTF8Error.check(data)
            file = try decoder.decode(TemplateFile.self, from: data)
        } catch {
            throw .invalidJSON5(source: source, reason: String(describing: error))
        }

        let template = PromptTemplate(
            version: file.version,
            system: file.system.text,
            labelItem: file.labelItem.text,
            example: file.example.text,
            noExamples: file.noExamples.text,
            round1User: file.round1User.text,
            round2User: file.round2User.text,
            answerInstructions: [
                .none: file.answerInstructions.text.text,
                .jsonSchema: file.answerInstructions.jsonSchema.text,
                .grammar: file.answerInstructions.grammar.text,
            ]
        )
        try template.validate(source: source)
        return template
    }

    /// The template compiled into the library, decoded from `builtinSource`.
    public static let builtin: PromptTemplate = {
        do {
            return try decode(Data(builtinSource.utf8), source: "PromptTemplate.builtinSource")
        } catch {
            // PromptTemplateTests decodes builtinSource, so an edit that breaks it fails the tests first.
            fatalError("the built-in prompt template is invalid: \(error)")
        }
    }()

    // MARK: - Validation

    private struct PieceRule {
        let field: String
        let text: String
        let required: Set<String>
        let allowed: Set<String>
    }

    private func validate(source: String) throws(PromptTemplateError) {
        if version.trimmingCharacters(in: .whitespaces).isEmpty {
            throw .invalidPiece(source: source, field: "version", reason: "the version is empty")
        }

        let labelFields: Set<String> = ["code", "id", "description"]
        var rules = [
            PieceRule(field: "system", text: system, required: ["labels"], allowed: ["labels", "ids"]),
            PieceRule(field: "labelItem", text: labelItem, required: ["id"], allowed: labelFields),
            PieceRule(field: "example", text: example, required: ["logs", "reasoning"], allowed: labelFields.union(["index", "logs", "reasoning"])),
            PieceRule(field: "noExamples", text: noExamples, required: [], allowed: []),
            PieceRule(field: "round1User", text: round1User, required: ["examples", "logs"], allowed: ["examples", "logs", "labels", "ids"]),
            PieceRule(field: "round2User", text: round2User, required: ["answerInstruction"], allowed: ["answerInstruction", "ids"]),
        ]
        for constraint in LabelConstraint.allCases {
            rules.append(PieceRule(
                field: "answerInstructions.\(constraint.rawValue)",
                text: answerInstructions[constraint] ?? "",
                required: [],
                allowed: ["ids", "labels"]
            ))
        }

        for rule in rules {
            let found = PlaceholderRenderer.placeholders(in: rule.text)
            if let missing = rule.required.subtracting(found).sorted().first {
                throw .invalidPiece(source: source, field: rule.field, reason: "the placeholder {\(missing)} is missing")
            }
            if let unknown = found.subtracting(rule.allowed).sorted().first {
                throw .invalidPiece(source: source, field: rule.field, reason: "the placeholder {\(unknown)} is unknown; allowed: \(rule.allowed.sorted().joined(separator: ", "))")
            }
        }

        let enclosedLogs = PromptBuilder.logsOpenTag + "\n{logs}\n" + PromptBuilder.logsCloseTag
        for (field, text) in [("example", example), ("round1User", round1User)] {
            let placeholderCount = text.components(separatedBy: "{logs}").count - 1
            let enclosedCount = text.components(separatedBy: enclosedLogs).count - 1
            if enclosedCount == 0 || enclosedCount != placeholderCount {
                throw .invalidPiece(source: source, field: field, reason: "each {logs} must stand on its own line between a <logs> line and a </logs> line")
            }
        }
    }
}

/// A problem with a prompt template file.
public enum PromptTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalidJSON5(source: String, reason: String)
    case invalidPiece(source: String, field: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "prompt template \(path) could not be read: \(reason)"
        case .invalidJSON5(let source, let reason):
            "prompt template \(source) is not valid JSON5 with the expected fields: \(reason)"
        case .invalidPiece(let source, let field, let reason):
            "prompt template \(source) has an invalid field '\(field)': \(reason)"
        }
    }
}

/// The on-disk layout of a template file.
private struct TemplateFile: Decodable {
    struct AnswerInstructions: Decodable {
        var text: TemplateText
        var jsonSchema: TemplateText
        var grammar: TemplateText
    }

    var version: String
    var system: TemplateText
    var labelItem: TemplateText
    var example: TemplateText
    var noExamples: TemplateText
    var round1User: TemplateText
    var round2User: TemplateText
    var answerInstructions: AnswerInstructions
}

/// A text field given either as one string or as an array of lines, which are joined with "\n".
private struct TemplateText: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let single = try? container.decode(String.self) {
            text = single
        } else {
            text = try container.decode([String].self).joined(separator: "\n")
        }
    }
}

/// Fills `{name}` placeholders in one pass, so braces inside substituted values are never expanded.
enum PlaceholderRenderer {
    /// Returns `template` with each `{name}` whose name is a key of `values` replaced. Other braces stay as they are.
    static func render(_ template: String, _ values: [String: String]) -> String {
        var output = ""
        var index = template.startIndex
        while index < template.endIndex {
            if template[index] == "{", let (name, end) = placeholder(in: template, at: index), let value = values[name] {
                output += value
                index = end
            } else {
                output.append(template[index])
                index = template.index(after: index)
            }
        }
        return output
    }

    /// Returns the names of all `{name}` placeholders in `template`.
    static func placeholders(in template: String) -> Set<String> {
        var names: Set<String> = []
        var index = template.startIndex
        while index < template.endIndex {
            if template[index] == "{", let (name, end) = placeholder(in: template, at: index) {
                names.insert(name)
                index = end
            } else {
                index = template.index(after: index)
            }
        }
        return names
    }

    /// Reads `{name}` at `start`, where a name is an ASCII letter followed by letters, digits or underscores.
    /// Returns the name and the index after the closing brace.
    private static func placeholder(in text: String, at start: String.Index) -> (String, String.Index)? {
        var index = text.index(after: start)
        var name = ""
        while index < text.endIndex, text[index] != "}" {
            let character = text[index]
            let isValid = character.isASCII && (character.isLetter || (!name.isEmpty && (character.isNumber || character == "_")))
            guard isValid else {
                return nil
            }
            name.append(character)
            index = text.index(after: index)
        }
        guard index < text.endIndex, !name.isEmpty else {
            return nil
        }
        return (name, text.index(after: index))
    }
}
