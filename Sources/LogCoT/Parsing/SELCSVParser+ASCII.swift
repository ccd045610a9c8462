import Foundation

extension SELCSVParser {
    /// Parses a well-formed row of ASCII text without double quotes, or returns nil for any other
    /// line so that `parseGeneral` handles it.
    ///
    /// On such rows every character is one byte and CSV splitting is a split at each comma, so the
    /// byte-level steps here give the same record as `parseGeneral`, at a fraction of its cost. Trimming
    /// removes spaces and tabs, which are the ASCII members of `CharacterSet.whitespaces`. Headers,
    /// blank lines and rows that would be rejected return nil and take the general path.
    func parseSimpleASCII(_ line: RawLine) -> LogRecord? {
        var text = line.text
        return text.withUTF8 { bytes -> LogRecord? in
            guard let commas = CommaPositions(bytes) else {
                return nil
            }

            let serial = Self.trimmed(bytes, 0..<commas.first)
            let time = Self.trimmed(bytes, (commas.first + 1)..<commas.second)
            guard !serial.isEmpty, !time.isEmpty, !Self.isHeader(bytes, commas) else {
                return nil
            }
            let timeText = Self.string(bytes, time)
            guard let timestamp = resolver.parseISOLike(Substring(timeText)) else {
                return nil
            }

            let messageRange = Self.trimmed(bytes, (commas.second + 1)..<commas.last)
            let message = Self.string(bytes, messageRange)
            var recordFields = ["server_model": Self.string(bytes, Self.trimmed(bytes, (commas.last + 1)..<bytes.count))]
            let separators = Self.partSeparators(bytes, messageRange)
            if separators.count == 2 {
                recordFields["sensor"] = Self.string(bytes, messageRange.lowerBound..<separators[0])
                recordFields["event"] = Self.string(bytes, (separators[0] + 3)..<separators[1])
                recordFields["assertion"] = Self.string(bytes, (separators[1] + 3)..<messageRange.upperBound)
            }

            return LogRecord(
                host: Self.string(bytes, serial),
                timestamp: timestamp,
                timestampText: timeText,
                message: message,
                fields: recordFields,
                truncated: line.truncated
            )
        }
    }

    /// The first, second and last comma of a row with at least three commas, all of its bytes ASCII
    /// and none a double quote.
    private struct CommaPositions {
        var first = -1
        var second = -1
        var last = -1

        init?(_ bytes: UnsafeBufferPointer<UInt8>) {
            var count = 0
            for index in bytes.indices {
                let byte = bytes[index]
                if byte >= 0x80 || byte == UInt8(ascii: "\"") {
                    return nil
                }
                if byte == UInt8(ascii: ",") {
                    count += 1
                    if count == 1 {
                        first = index
                    } else if count == 2 {
                        second = index
                    }
                    last = index
                }
            }
            guard count >= 3 else {
                return nil
            }
        }
    }

    private static func isHeader(_ bytes: UnsafeBufferPointer<UInt8>, _ commas: CommaPositions) -> Bool {
        func equalsIgnoringCase(_ range: Range<Int>, _ word: String) -> Bool {
            range.count == word.utf8.count && zip(bytes[range], word.utf8).allSatisfy { $0 | 0x20 == $1 }
        }
        return equalsIgnoringCase(0..<commas.first, "sn") && equalsIgnoringCase((commas.first + 1)..<commas.second, "time")
    }

    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == UInt8(ascii: " ") || bytes[lower] == UInt8(ascii: "\t") {
            lower += 1
        }
        while upper > lower, bytes[upper - 1] == UInt8(ascii: " ") || bytes[upper - 1] == UInt8(ascii: "\t") {
            upper -= 1
        }
        return lower..<upper
    }

    /// Returns the start of each non-overlapping ` | ` in `range`, searched left to right as
    /// `components(separatedBy:)` does, stopping after a third.
    private static func partSeparators(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [Int] {
        var found: [Int] = []
        var index = range.lowerBound
        while index + 3 <= range.upperBound, found.count < 3 {
            if bytes[index] == UInt8(ascii: " "), bytes[index + 1] == UInt8(ascii: "|"), bytes[index + 2] == UInt8(ascii: " ") {
                found.append(index)
                index += 3
            } else {
                index += 1
            }
        }
        return found
    }

    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
