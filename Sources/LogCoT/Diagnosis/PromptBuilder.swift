import Foundation

/// Assembles the chat messages of both diagnosis rounds from a template, the label set, few-shot examples and
/// the window's kept log lines.
///
/// Log lines are untrusted. The builder puts them between `<logs>` and `</logs>` lines and escapes them with
/// `escapeLogLine(_:maxLength:)`, so no log line can close the block or add lines to it.
public struct PromptBuilder: Sendable {
    public static let logsOpenTag = "<logs>"
    public static let logsCloseTag = "</logs>"

    public let template: PromptTemplate
    public let labels: LabelSet

    /// Maximum number of characters kept from one log line. Longer lines are cut and end in `…[truncated]`.
    public let maxLineLength: Int

    public init(template: PromptTemplate = .builtin, labels: LabelSet, maxLineLength: Int = 2000) {
        self.template = template
        self.labels = labels
        self.maxLineLength = max(1, maxLineLength)
    }

    /// Builds round 1: the system message with the task and the label list, and the user message with the
    /// examples in the given order, the window's lines and the step-by-step cue.
    ///
    /// Every label of the set is listed, including labels that no example has.
    public func round1Messages(windowLines: [String], examples: [PoolExample]) throws(PromptBuilderError) -> [ChatMessage] {
        guard !windowLines.isEmpty else {
            throw .emptyWindow
        }

        let labelList = labels.labels
            .map { PlaceholderRenderer.render(template.labelItem, labelValues($0)) }
            .joined(separator: "\n")
        let system = PlaceholderRenderer.render(template.system, ["labels": labelList, "ids": idList])

        var renderedExamples: [String] = []
        for (offset, example) in examples.enumerated() {
            renderedExamples.append(try render(example, index: offset + 1))
        }
        let examplesText = renderedExamples.isEmpty ? template.noExamples : renderedExamples.joined(separator: "\n\n")

        let user = PlaceholderRenderer.render(template.round1User, [
            "examples": examplesText,
            "logs": logBlockBody(windowLines),
            "labels": labelList,
            "ids": idList,
        ])
        return [.system(system), .user(user)]
    }

    /// Builds round 2: the round 1 messages, the model's reasoning as an assistant message and a user message
    /// with the answer instruction for `constraint` and the cue "Therefore, the answer is".
    public func round2Messages(round1: [ChatMessage], reasoning: String, constraint: LabelConstraint) -> [ChatMessage] {
        let instruction = PlaceholderRenderer.render(template.answerInstructions[constraint] ?? "", ["ids": idList])
        let cue = PlaceholderRenderer.render(template.round2User, ["answerInstruction": instruction, "ids": idList])
        return round1 + [.assistant(reasoning.trimmingCharacters(in: .whitespacesAndNewlines)), .user(cue)]
    }

    /// Escapes one log line for a `<logs>` block.
    ///
    /// Line breaks and other control characters except tab become spaces, so one entry stays one line. The `<`
    /// of anything that reads as a `logs` tag (`<logs`, `</logs`, `< / LOGS`) becomes `‹` (U+2039), so the line
    /// cannot close the block. Lines longer than `maxLength` characters are cut.
    public static func escapeLogLine(_ line: String, maxLength: Int) -> String {
        var singleLine = String(line.map { character -> Character in
            if character == "\t" {
                return character
            }
            let isControl = character.unicodeScalars.contains { $0.properties.generalCategory == .control }
            return (character.isNewline || isControl) ? " " : character
        })

        let range = NSRange(singleLine.startIndex..., in: singleLine)
        for match in logsTagPattern.matches(in: singleLine, range: range).reversed() {
            if let tagStart = Range(NSRange(location: match.range.location, length: 1), in: singleLine) {
                singleLine.replaceSubrange(tagStart, with: "\u{2039}")
            }
        }

        if singleLine.count > maxLength {
            singleLine = String(singleLine.prefix(maxLength)) + "…[truncated]"
        }
        return singleLine
    }

    // A "<" followed by an optional "/" and the word "logs", with any spaces between, in any case.
    private static let logsTagPattern = try! NSRegularExpression(pattern: #"<\s*/?\s*logs(?![A-Za-z0-9_])"#, options: [.caseInsensitive])

    // MARK: - Pieces

    private var idList: String {
        labels.ids.joined(separator: ", ")
    }

    private func labelValues(_ label: FaultLabel) -> [String: String] {
        ["code": String(label.code), "id": label.id, "description": label.description]
    }

    private func logBlockBody(_ lines: [String]) -> String {
        lines.map { Self.escapeLogLine($0, maxLength: maxLineLength) }.joined(separator: "\n")
    }

    private func render(_ example: PoolExample, index: Int) throws(PromptBuilderError) -> String {
        guard let label = labels.resolve(example.label) else {
            throw .unknownExampleLabel(exampleID: example.id, labelID: example.label, known: labels.ids)
        }
        guard !example.lines.isEmpty else {
            throw .emptyExample(exampleID: example.id)
        }

        var values = labelValues(label)
        values["index"] = String(index)
        values["logs"] = logBlockBody(example.lines)
        values["reasoning"] = example.reasoning.trimmingCharacters(in: .whitespacesAndNewlines)
        return PlaceholderRenderer.render(template.example, values)
    }
}

/// A problem with the input of `PromptBuilder`.
public enum PromptBuilderError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyWindow
    case emptyExample(exampleID: String)
    case unknownExampleLabel(exampleID: String, labelID: String, known: [String])

    public var description: String {
        switch self {
        case .emptyWindow:
            "the window has no kept log lines; skip the diagnosis or keep at least one line"
        case .emptyExample(let exampleID):
            "few-shot example '\(exampleID)' has no log lines; remove it or add its lines"
        case .unknownExampleLabel(let exampleID, let labelID, let known):
            "few-shot example '\(exampleID)' has label '\(labelID)', which is not in the label set; use one of: \(known.joined(separator: ", "))"
        }
    }
}
