import Foundation

/// A restriction on what the server may generate for one request.
public enum ResponseConstraint: Sendable, Hashable {
    /// Free text.
    case none

    /// OpenAI structured outputs: `response_format` of type `json_schema`.
    /// vLLM, llama-server and Ollama accept this field on `/v1/chat/completions`.
    case jsonSchema(name: String, schema: JSONValue, strict: Bool)

    /// A GBNF grammar in llama-server's `grammar` field.
    ///
    /// NOTE: only llama.cpp's llama-server reads a top-level `grammar` field. vLLM and Ollama ignore unknown
    /// fields, so on those servers this mode generates free text.
    case grammar(String)
}

/// The restriction that round 2 of a diagnosis puts on the model's answer so that it names one label id.
public enum LabelConstraint: String, Sendable, Hashable, Codable, CaseIterable {
    /// `response_format` with a JSON schema whose `label` property is an enum of the label ids.
    case jsonSchema
    /// A llama.cpp GBNF grammar that matches exactly one label id.
    case grammar
    /// Free text, read by `LabelParser`.
    case none

    /// Returns the request constraint that allows exactly the ids of `labels`.
    public func responseConstraint(for labels: LabelSet) -> ResponseConstraint {
        switch self {
        case .jsonSchema:
            .jsonSchema(name: "label", schema: Self.labelSchema(for: labels), strict: true)
        case .grammar:
            .grammar(Self.labelGrammar(for: labels))
        case .none:
            .none
        }
    }

    /// Returns `{"type":"object","properties":{"label":{"type":"string","enum":[ids]}},"required":["label"],
    /// "additionalProperties":false}`. OpenAI's strict mode requires `additionalProperties: false`.
    public static func labelSchema(for labels: LabelSet) -> JSONValue {
        let labelProperty: JSONValue = .object([
            "type": .string("string"),
            "enum": .array(labels.ids.map { .string($0) }),
        ])
        return .object([
            "type": .string("object"),
            "properties": .object(["label": labelProperty]),
            "required": .array([.string("label")]),
            "additionalProperties": .bool(false),
        ])
    }

    /// Returns a GBNF grammar whose root matches exactly one label id, such as
    /// `root ::= "cpu" | "memory" | "other"`.
    public static func labelGrammar(for labels: LabelSet) -> String {
        let alternatives = labels.ids.map { "\"\(escapeGBNFLiteral($0))\"" }
        return "root ::= " + alternatives.joined(separator: " | ")
    }

    /// Escapes a string for a double-quoted GBNF literal, which uses C-style escapes.
    private static func escapeGBNFLiteral(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default:
                if scalar.value < 0x20 {
                    escaped += String(format: "\\x%02X", scalar.value)
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }
}
