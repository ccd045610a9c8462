/// Words of which a trigger pattern's every match contains one, checked before the costly regular
/// expression runs.
///
/// The check only rules out ASCII messages. ICU's case-insensitive matching folds some non-ASCII
/// characters to ASCII letters (the Kelvin sign to `k`, the long s to `s`), so a message with any
/// byte above 0x7F always goes on to the regular expression.
struct RequiredWords: Sendable {
    private let words: [[UInt8]]

    init(_ words: [String]) {
        self.words = words.map { Array($0.lowercased().utf8) }
    }

    /// Returns true when `message` is ASCII and contains none of the words, ignoring ASCII case.
    func excludes(_ message: String) -> Bool {
        guard !words.isEmpty else {
            return false
        }
        var message = message
        return message.withUTF8 { bytes in
            for byte in bytes where byte >= 0x80 {
                return false
            }
            return !words.contains { Self.contains(bytes, $0) }
        }
    }

    private static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ word: [UInt8]) -> Bool {
        guard !word.isEmpty, bytes.count >= word.count else {
            return word.isEmpty
        }
        let first = word[0]
        for start in 0...(bytes.count - word.count) where lowercased(bytes[start]) == first {
            var offset = 1
            while offset < word.count, lowercased(bytes[start + offset]) == word[offset] {
                offset += 1
            }
            if offset == word.count {
                return true
            }
        }
        return false
    }

    @inline(__always) private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }
}
