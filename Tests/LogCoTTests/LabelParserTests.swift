import Foundation
import Testing
@testable import LogCoT

/// `LabelParser` against model answers in the forms that chat models commonly produce.
@Suite struct LabelParserTests {
    private let parser = LabelParser(labels: .serverDefault)

    struct Case: Sendable, CustomTestStringConvertible {
        var answer: String
        /// The expected label id, or nil when the answer must stay unparsed.
        var expected: String?

        var testDescription: String {
            "\(answer.debugDescription) -> \(expected ?? "unparsed")"
        }
    }

    static let namedOnce: [Case] = [
        Case(answer: "The error category code is:2.", expected: "memory"),
        Case(answer: "The error category code is: 1 (cpu).", expected: "cpu"),
        Case(answer: "category 2", expected: "memory"),
        Case(answer: "Category 1", expected: "cpu"),
        Case(answer: "Category: 3", expected: "other"),
        Case(answer: "memory", expected: "memory"),
        Case(answer: "Memory", expected: "memory"),
        Case(answer: "Memory and storage-related errors", expected: "memory"),
        Case(answer: "memory and storage related errors.", expected: "memory"),
        Case(answer: "CPU-related errors", expected: "cpu"),
        Case(answer: "the answer is 3", expected: "other"),
        Case(answer: " 3.", expected: "other"),
        Case(answer: "**2**", expected: "memory"),
        Case(answer: "`cpu`", expected: "cpu"),
        Case(answer: "(2)", expected: "memory"),
        Case(answer: #"{"label":"cpu"}"#, expected: "cpu"),
        Case(answer: #"{"label": "memory"}"#, expected: "memory"),
        Case(answer: #"{ "label" : 3 }"#, expected: "other"),
        Case(answer: #"{"label": "Memory and storage-related errors"}"#, expected: "memory"),
        Case(answer: "```json\n{\"label\": \"other\"}\n```", expected: "other"),
        Case(answer: "Here is the result: {\"answer\": \"2\"}", expected: "memory"),
        Case(answer: "Therefore, the answer is 2 (Memory and storage-related errors).", expected: "memory"),
        Case(answer: "Answer: The error category code is: 2 (memory).", expected: "memory"),
        Case(answer: "The answer is CPU-related errors, because CPU0 reported an IERR.", expected: "cpu"),
        Case(answer: "label: other", expected: "other"),
        Case(answer: "The main error is an uncorrectable ECC error on a DIMM, so it is a memory error.", expected: "memory"),
        // Cued codes win over bare names elsewhere in the text.
        Case(answer: "The answer is 2; the CPU errors are secondary.", expected: "memory"),
        // A code and a matching name in brackets name one label.
        Case(answer: "category 1 (CPU-related errors)", expected: "cpu"),
    ]

    static let unparsed: [Case] = [
        Case(answer: "likely memory, possibly CPU", expected: nil),
        Case(answer: "1 or 2", expected: nil),
        Case(answer: "the answer is 1 or 2", expected: nil),
        Case(answer: "category 2 (cpu)", expected: nil),
        Case(answer: "", expected: nil),
        Case(answer: "I am not sure.", expected: nil),
        Case(answer: "category 7", expected: nil),
        Case(answer: #"{"label": "disk"}"#, expected: nil),
        Case(answer: #"{"label": true}"#, expected: nil),
        Case(answer: #"{"label": "cpu"} or {"label": "memory"}"#, expected: nil),
        // Numbers inside prose are never codes.
        Case(answer: "CPU0F0_DIMM_Stat reported an error on DIMM 2 of 4", expected: nil),
        Case(answer: "Processor CPU1 Status | IERR | Asserted", expected: nil),
        Case(answer: "2 of 4 DIMMs failed", expected: nil),
        // "other" is also an English word, so this names two labels.
        Case(answer: "memory errors; other lines are secondary", expected: nil),
    ]

    @Test(arguments: namedOnce)
    func answerNamingOneLabel(_ testCase: Case) {
        let result = parser.parse(testCase.answer)
        let expected = LabelSet.serverDefault.label(id: testCase.expected!)!

        #expect(result == .label(expected))
    }

    @Test(arguments: unparsed)
    func answerLeftUnparsed(_ testCase: Case) {
        let result = parser.parse(testCase.answer)

        guard case .unparsed(let reason) = result else {
            Issue.record("expected unparsed, got \(result)")
            return
        }
        #expect(!reason.isEmpty)
    }

    @Test func severalLabelsReasonNamesThem() {
        let result = parser.parse("likely memory, possibly CPU")

        // Labels appear in the order in which the answer names them.
        #expect(result == .unparsed("the answer names several labels (bare name rule): memory, cpu"))
    }

    @Test func unknownCodeReasonNamesIt() {
        let result = parser.parse("category 7")

        #expect(result == .unparsed("the answer names '7' (cued rule), which is not a configured label id, code or description"))
    }

    @Test func customLabelSetParsed() throws {
        let labels = try LabelSet(labels: [
            FaultLabel(id: "disk-io", code: 10, description: "Disk I/O errors"),
            FaultLabel(id: "net", code: 20, description: "Network errors"),
        ])
        let custom = LabelParser(labels: labels)

        #expect(custom.parse("disk-io") == .label(labels.labels[0]))
        #expect(custom.parse("The answer is 20") == .label(labels.labels[1]))
        #expect(custom.parse("Disk I/O errors.") == .label(labels.labels[0]))
        #expect(custom.parse("code 1") == .unparsed("the answer names '1' (cued rule), which is not a configured label id, code or description"))
    }
}
