/// Byte range of the log text that masking replaces, with the value that the token is
/// computed from. The range starts and ends on UTF-8 character boundaries.
struct MaskCandidate {
    var range: Range<Int>
    var kind: PseudonymKind
    /// Canonical text of the value, such as the RFC 5952 form of an IPv6 address.
    var value: String
}

/// Single-line scanner over the UTF-8 bytes of one log record.
///
/// Each `scan…` method adds candidates of one kind. `selectedCandidates()` then drops those
/// that overlap an existing pseudonym token or an earlier, longer candidate.
/// Scanners allocate nothing until they find a candidate.
struct MaskScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var candidates: [MaskCandidate] = []
    /// Ranges of tokens such as `ip-3f9a2c1b` from an earlier masking pass.
    private(set) var tokenRanges: [Range<Int>] = []

    private static let tokenPrefixes: [[UInt8]] = PseudonymKind.allCases.map { Array($0.tokenPrefix.utf8) }
    private static let tokenHexDigitCount = 8

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var count: Int { bytes.count }

    /// Returns the byte at `index`, or 0 (a non-word byte) outside the text.
    func byte(at index: Int) -> UInt8 {
        index >= 0 && index < bytes.count ? bytes[index] : 0
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    func lowercasedString(_ range: Range<Int>) -> String {
        String(decoding: bytes[range].lazy.map(\.asciiLowercased), as: UTF8.self)
    }

    mutating func add(_ kind: PseudonymKind, _ range: Range<Int>, value: String) {
        candidates.append(MaskCandidate(range: range, kind: kind, value: value))
    }

    /// Returns whether `bytes` starting at `index` equal `lowercasedText`, ignoring ASCII case.
    func hasText(_ lowercasedText: [UInt8], at index: Int) -> Bool {
        guard index >= 0, index + lowercasedText.count <= bytes.count else { return false }
        for offset in 0..<lowercasedText.count where bytes[index + offset].asciiLowercased != lowercasedText[offset] {
            return false
        }
        return true
    }

    /// Returns whether `bytes` starting at `index` equal `text` exactly.
    func hasExactText(_ text: [UInt8], at index: Int) -> Bool {
        guard index >= 0, index + text.count <= bytes.count else { return false }
        for offset in 0..<text.count where bytes[index + offset] != text[offset] {
            return false
        }
        return true
    }

    // MARK: - Existing tokens

    /// Records every `PREFIX-xxxxxxxx` token (a token prefix, `-`, eight lowercase hex digits)
    /// so that no candidate overlapping it is masked again, which keeps masking idempotent.
    /// The check ignores the bytes around the token because a configured serial pattern may
    /// have placed one inside a word. A real value of this shape, such as the host name
    /// `host-0123abcd`, is therefore never masked.
    mutating func scanExistingTokens() {
        let hexCount = Self.tokenHexDigitCount
        var index = 0
        while index < count {
            defer { index += 1 }
            guard bytes[index] == .hyphen, index + hexCount < count else { continue }
            guard (1...hexCount).allSatisfy({ bytes[index + $0].isLowercaseHexDigit }) else { continue }

            for prefix in Self.tokenPrefixes where hasExactText(prefix, at: index - prefix.count) {
                let range = (index - prefix.count)..<(index + 1 + hexCount)
                // Keep the ranges disjoint: "ip-0123abcemail-…" has two tokens sharing an "e".
                if let last = tokenRanges.last, last.overlaps(range) {
                    tokenRanges[tokenRanges.count - 1] = last.lowerBound..<range.upperBound
                } else {
                    tokenRanges.append(range)
                }
                break
            }
        }
    }

    // MARK: - Selection

    /// Returns the candidates to replace, sorted by position and without overlaps.
    ///
    /// Candidates that overlap an existing token are dropped. Of overlapping candidates the
    /// one that starts first wins, then the longer one, then the kind with the lower
    /// `tieBreakRank`.
    func selectedCandidates() -> [MaskCandidate] {
        guard !candidates.isEmpty else { return [] }

        let sorted = candidates.sorted { left, right in
            if left.range.lowerBound != right.range.lowerBound {
                return left.range.lowerBound < right.range.lowerBound
            }
            if left.range.upperBound != right.range.upperBound {
                return left.range.upperBound > right.range.upperBound
            }
            return left.kind.tieBreakRank < right.kind.tieBreakRank
        }

        var selected: [MaskCandidate] = []
        var tokenIndex = 0
        var selectedEnd = 0
        for candidate in sorted where candidate.range.lowerBound >= selectedEnd {
            // tokenRanges are sorted and disjoint, and candidate starts only grow.
            while tokenIndex < tokenRanges.count, tokenRanges[tokenIndex].upperBound <= candidate.range.lowerBound {
                tokenIndex += 1
            }
            if tokenIndex < tokenRanges.count, tokenRanges[tokenIndex].overlaps(candidate.range) {
                continue
            }
            selected.append(candidate)
            selectedEnd = candidate.range.upperBound
        }
        return selected
    }
}
