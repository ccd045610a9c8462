import Foundation

/// The label read from a model's answer, or the reason why none was read.
public enum LabelParseResult: Sendable, Equatable {
    case label(FaultLabel)
    case unparsed(String)
}

/// A deterministic reader of fault labels from model answers.
///
/// The parser returns a label only when the answer names exactly one label, and it never guesses between several.
/// It applies these rules in order and stops at the first rule that finds any mention:
///
/// 1. JSON: an object in the answer with a `label`, `answer`, `category`, `code` or `class` key, such as
///    `{"label": "cpu"}` or `{"label": 2}`. The value may be an id, a code or a description.
/// 2. Cued: an id, code or description right after a cue word (`answer`, `code`, `category`, `class` or
///    `label`, optionally followed by `is`, `:`, `=`, `#` or `number`), as in "The error category code is:2.",
///    "Category 1" or "the answer is memory". Alternatives joined by "or", "and", "," or "/" and a
///    parenthesised name, as in "2 (memory)", all count as mentions.
/// 3. Whole answer: the whole answer, without Markdown emphasis, quotes and final punctuation, is a list of
///    ids, codes or descriptions, such as "**2**", "memory" or "1 or 2".
/// 4. Bare names: ids and descriptions anywhere in the text, matched as whole words, such as "likely memory".
///
/// A number counts as a code only under rules 1 to 3, so numbers inside prose, such as the `0` of `CPU0` or
/// the `2` of "DIMM 2 of 4", are never codes. Matching ignores case and treats hyphens as spaces, so
/// "memory and storage related errors" matches "Memory and storage-related errors". A description is matched
/// before the ids, so the "CPU" inside "CPU-related errors" is not counted twice.
///
/// NOTE: rule 4 also matches ids that are common English words, so "memory errors; other lines are secondary"
/// names both `memory` and `other` and stays unparsed.
public struct LabelParser: Sendable {
    public let labels: LabelSet
    private let patterns: MentionPatterns

    public init(labels: LabelSet) {
        self.labels = labels
        self.patterns = MentionPatterns(labels: labels)
    }

    /// Reads one label from `answer`.
    public func parse(_ answer: String) -> LabelParseResult {
        if let result = parseJSON(answer) {
            return result
        }

        let text = Self.normalize(Self.removeFormatting(answer))

        let cued = collectMentions(of: patterns.cued, in: text)
        if !cued.isEmpty {
            return decide(cued, rule: "cued")
        }

        let whole = collectMentions(of: patterns.wholeAnswer, in: text)
        if !whole.isEmpty {
            return decide(whole, rule: "whole answer")
        }

        let bare = collectMentions(of: patterns.bareName, in: text)
        if !bare.isEmpty {
            return decide(bare, rule: "bare name")
        }

        return .unparsed("the answer names no label id, code or description")
    }

    // MARK: - Rule 1: JSON

    private static let jsonLabelKeys = ["label", "answer", "category", "code", "class"]

    private func parseJSON(_ answer: String) -> LabelParseResult? {
        var mentions: [Mention] = []
        var foundKey = false

        for candidate in Self.jsonObjectCandidates(in: answer) {
            guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(candidate.utf8)) else {
                continue
            }
            let lowercasedObject = Dictionary(object.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            for key in Self.jsonLabelKeys {
                guard let value = lowercasedObject[key] else {
                    continue
                }
                foundKey = true
                mentions.append(mention(forJSONValue: value))
            }
        }

        guard foundKey else {
            return nil
        }
        return decide(mentions, rule: "JSON")
    }

    private func mention(forJSONValue value: JSONValue) -> Mention {
        switch value {
        case .string(let text):
            return resolveItem(Self.normalize(Self.removeFormatting(text)))
        case .number(let number) where number == number.rounded() && abs(number) < 1e9:
            return resolveItem(String(Int(number)))
        default:
            return .unknown(String(describing: value))
        }
    }

    /// Returns the whole answer and every `{...}` span without nested braces, which covers a bare JSON object
    /// and one wrapped in prose or a Markdown code fence.
    private static func jsonObjectCandidates(in answer: String) -> [String] {
        var candidates = [answer.trimmingCharacters(in: .whitespacesAndNewlines)]
        var start: String.Index?
        for index in answer.indices {
            switch answer[index] {
            case "{":
                start = index
            case "}":
                if let open = start {
                    candidates.append(String(answer[open...index]))
                    start = nil
                }
            default:
                break
            }
        }
        return candidates
    }

    // MARK: - Rules 2 to 4: text

    private enum Mention: Equatable {
        case label(FaultLabel)
        case unknown(String)
    }

    private func collectMentions(of pattern: NSRegularExpression, in text: String) -> [Mention] {
        var mentions: [Mention] = []
        let fullRange = NSRange(text.startIndex..., in: text)

        for match in pattern.matches(in: text, range: fullRange) {
            // Group 1 is the span that contains the label items; the cue words before it are not items.
            let listRange = match.range(at: 1)
            guard listRange.location != NSNotFound else {
                continue
            }
            for itemMatch in patterns.item.matches(in: text, range: listRange) {
                guard let range = Range(itemMatch.range, in: text) else {
                    continue
                }
                mentions.append(resolveItem(String(text[range])))
            }
        }
        return mentions
    }

    /// Resolves one normalized item: a code given as digits, a description or an id.
    private func resolveItem(_ item: String) -> Mention {
        let trimmed = item.trimmingCharacters(in: .whitespacesAndNewlines)
        if let code = Int(trimmed) {
            if let label = labels.labels.first(where: { $0.code == code }) {
                return .label(label)
            }
            return .unknown(trimmed)
        }
        for label in labels.labels where Self.normalize(label.description) == trimmed || Self.normalize(label.id) == trimmed {
            return .label(label)
        }
        return .unknown(trimmed)
    }

    private func decide(_ mentions: [Mention], rule: String) -> LabelParseResult {
        var found: [FaultLabel] = []
        var unknown: [String] = []
        for mention in mentions {
            switch mention {
            case .label(let label):
                if !found.contains(label) {
                    found.append(label)
                }
            case .unknown(let text):
                if !unknown.contains(text) {
                    unknown.append(text)
                }
            }
        }

        if found.count == 1 {
            return .label(found[0])
        }
        if found.count > 1 {
            let ids = found.map(\.id).joined(separator: ", ")
            return .unparsed("the answer names several labels (\(rule) rule): \(ids)")
        }
        let values = unknown.map { "'\($0)'" }.joined(separator: ", ")
        return .unparsed("the answer names \(values) (\(rule) rule), which is not a configured label id, code or description")
    }

    // MARK: - Normalization

    /// Removes Markdown emphasis, code marks and quotes, which models wrap around answers.
    private static func removeFormatting(_ text: String) -> String {
        let removed: Set<Character> = ["*", "`", "\"", "'", "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}"]
        return String(text.filter { !removed.contains($0) })
    }

    /// Lowercases, turns hyphens and dashes into spaces and collapses whitespace.
    static func normalize(_ text: String) -> String {
        let dashes: Set<Character> = ["-", "\u{2010}", "\u{2011}", "\u{2013}", "\u{2014}"]
        let spaced = String(text.lowercased().map { dashes.contains($0) ? " " : $0 })
        return spaced.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

/// The regular expressions for rules 2 to 4, built from the label set.
private struct MentionPatterns: Sendable {
    /// One id, description or code, as a whole word.
    let item: NSRegularExpression
    /// A cue word followed by a list of items in group 1.
    let cued: NSRegularExpression
    /// A whole answer that is a list of items, in group 1.
    let wholeAnswer: NSRegularExpression
    /// One id or description without a number, in group 1.
    let bareName: NSRegularExpression

    init(labels: LabelSet) {
        // Longer names go first so that a description wins over an id that it contains.
        let names = labels.labels
            .flatMap { [LabelParser.normalize($0.description), LabelParser.normalize($0.id)] }
            .filter { !$0.isEmpty }
            .sorted { $0.count > $1.count }
            .map { NSRegularExpression.escapedPattern(for: $0) }
        let nameAlternation = names.joined(separator: "|")

        let itemText = #"(?<![\w])(?:"# + nameAlternation + #"|\d+)(?![\w])"#
        let nameText = #"(?<![\w])(?:"# + nameAlternation + #")(?![\w])"#
        let separator = #"(?:\s*(?:[,/()]|\bor\b|\band\b)\s*|\s+)"#
        let list = "(" + itemText + "(?:" + separator + itemText + ")*" + #"\)?)"#
        let cueWord = #"\b(?:answer|code|category|class|label)\b"#
        let connector = #"(?:\s*(?:\bis\b|\bwas\b|\bwould be\b|\bshould be\b|=|:|#|\bnumber\b|\bno\.?|\bcode\b|\bcategory\b|\bid\b))*\s*"#
        let wholeText = #"^\s*[(\[]?\s*"# + list + #"\s*[)\]]?\s*[.!]?\s*$"#

        // The patterns are built from escaped names and fixed text, so they always compile.
        self.item = try! NSRegularExpression(pattern: itemText)
        self.cued = try! NSRegularExpression(pattern: cueWord + connector + list)
        self.wholeAnswer = try! NSRegularExpression(pattern: wholeText)
        self.bareName = try! NSRegularExpression(pattern: "(" + nameText + ")")
    }
}
