import Foundation

/// Finds the window lines that a labelled example's reasoning names as the cause of its label.
///
/// The rule, in order:
/// 1. Each phrase of at least four characters that the reasoning puts in double quotes selects the
///    lines that contain it, ignoring ASCII case and runs of spaces.
/// 2. When no quoted phrase selects a line, each line whose SEL sensor name (the last word before
///    the first ` | `, such as `CPU_CATERR`) the reasoning mentions is selected, under the same
///    comparison. Names shorter than six characters, such as `#0xf9`, are skipped because they
///    would match unrelated text.
///
/// The result is empty when neither step selects a line; callers count such examples apart.
public enum DecisiveLines {
    /// Returns the indices of `lines` that `reasoning` names.
    public static func find(in lines: [String], reasoning: String) -> [Int] {
        let normalisedLines = lines.map(normalise)
        let normalisedReasoning = normalise(reasoning)

        var selected: [Int] = []
        for phrase in quotedPhrases(in: reasoning).map(normalise) where phrase.count >= 4 {
            for (index, line) in normalisedLines.enumerated() where line.contains(phrase) && !selected.contains(index) {
                selected.append(index)
            }
        }
        if !selected.isEmpty {
            return selected.sorted()
        }

        for (index, line) in normalisedLines.enumerated() {
            let sensor = line.components(separatedBy: " | ")[0].split(separator: " ").last.map(String.init) ?? ""
            if sensor.count >= 6, normalisedReasoning.contains(sensor) {
                selected.append(index)
            }
        }
        return selected
    }

    /// Returns the texts between pairs of straight or curly double quotes.
    static func quotedPhrases(in text: String) -> [String] {
        var phrases: [String] = []
        var current: String?
        for character in text {
            if character == "\"" || character == "\u{201C}" || character == "\u{201D}" {
                if let phrase = current {
                    phrases.append(phrase)
                    current = nil
                } else {
                    current = ""
                }
            } else if current != nil {
                current?.append(character)
            }
        }
        return phrases
    }

    /// Lower-cases ASCII letters, collapses whitespace runs to one space and trims the ends.
    static func normalise(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
