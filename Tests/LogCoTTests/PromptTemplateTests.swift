import Foundation
import Testing
@testable import LogCoT

/// Loading and validation of prompt template files, and the embedded copy.
@Suite struct PromptTemplateTests {
    private static let templateFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("prompts/fewshot-cot-v1.json5")

    @Test func fileMatchesEmbeddedCopy() throws {
        let fileText = try String(contentsOf: Self.templateFile, encoding: .utf8)

        #expect(fileText == PromptTemplate.builtinSource)
    }

    @Test func fileLoadsAsBuiltin() throws {
        let loaded = try PromptTemplate.load(from: Self.templateFile)

        #expect(loaded == PromptTemplate.builtin)
        #expect(loaded.version == "fewshot-cot-v1")
    }

    @Test func builtinPiecesJoinedFromLines() {
        let template = PromptTemplate.builtin

        #expect(template.system.hasPrefix("You are a computer operation and maintenance expert.\n"))
        #expect(template.round1User.hasSuffix("</logs>\n\nLet's think step by step."))
        #expect(template.round2User == "{answerInstruction}\nTherefore, the answer is")
        #expect(template.labelItem == "{code}. {id}: {description}")
        #expect(template.answerInstructions.count == LabelConstraint.allCases.count)
    }

    private func decode(_ text: String) throws(PromptTemplateError) -> PromptTemplate {
        try PromptTemplate.decode(Data(text.utf8), source: "test")
    }

    /// Returns the builtin source with one piece of text replaced.
    private func builtinSource(replacing old: String, with new: String) -> String {
        precondition(PromptTemplate.builtinSource.contains(old), "the builtin source does not contain \(old)")
        return PromptTemplate.builtinSource.replacingOccurrences(of: old, with: new)
    }

    @Test func missingPlaceholderRejected() {
        let text = builtinSource(replacing: #""{labels}","#, with: #""no list here","#)

        #expect(throws: PromptTemplateError.invalidPiece(source: "test", field: "system", reason: "the placeholder {labels} is missing")) {
            _ = try decode(text)
        }
    }

    @Test func unknownPlaceholderRejected() {
        let text = builtinSource(replacing: #"labelItem: "{code}. {id}: {description}","#, with: #"labelItem: "{code}. {id}: {descripton}","#)

        #expect(throws: PromptTemplateError.self) {
            _ = try decode(text)
        }
    }

    @Test func logsOutsideDelimitersRejected() {
        let text = builtinSource(replacing: #""Now diagnose these logs:","#, with: #""Now diagnose these logs: {logs}","#)

        #expect(throws: PromptTemplateError.self) {
            _ = try decode(text)
        }
    }

    @Test func missingFieldRejected() {
        let text = builtinSource(replacing: #"version: "fewshot-cot-v1","#, with: "")

        #expect(throws: PromptTemplateError.self) {
            _ = try decode(text)
        }
    }

    @Test func missingFileRejected() {
        let url = URL(fileURLWithPath: "/nonexistent/prompt.json5")

        #expect(throws: PromptTemplateError.self) {
            _ = try PromptTemplate.load(from: url)
        }
    }

    @Test func singleStringFieldsAccepted() throws {
        let text = """
        {
          version: 'tiny-v1', // JSON5: single quotes, comments and trailing commas
          system: "Labels:\\n{labels}",
          labelItem: "{id}",
          example: "<logs>\\n{logs}\\n</logs>\\n{reasoning} => {id}",
          noExamples: "none",
          round1User: "{examples}\\n<logs>\\n{logs}\\n</logs>",
          round2User: "{answerInstruction} Therefore, the answer is",
          answerInstructions: {text: "t", jsonSchema: "j {ids}", grammar: "g",},
        }
        """

        let template = try decode(text)

        #expect(template.version == "tiny-v1")
        #expect(template.system == "Labels:\n{labels}")
        #expect(template.answerInstructions[.jsonSchema] == "j {ids}")
    }

    @Test func rendererLeavesJSONBracesAlone() {
        let rendered = PlaceholderRenderer.render(#"Reply {"label": "{id}"} {unknown} {"#, ["id": "cpu"])

        #expect(rendered == #"Reply {"label": "cpu"} {unknown} {"#)
    }
}
