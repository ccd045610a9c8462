/// Set of configured host names, looked up by a byte range of the log text without allocating.
///
/// Names are stored lowercased without a trailing root dot, and lookups ignore ASCII case,
/// because DNS names are case-insensitive.
struct HostNameTable: Sendable {
    /// Lowercased names by their FNV-1a hash.
    private var namesByHash: [UInt64: [[UInt8]]] = [:]
    /// Maximum number of dot-separated labels in one stored name.
    private(set) var maxLabelCount = 0
    /// Bit n is set when a stored name is n bytes long, with names of 63 or more bytes on
    /// bit 63. It rejects most words before hashing them.
    private var lengthMask: UInt64 = 0

    var isEmpty: Bool { namesByHash.isEmpty }

    /// Creates a table of `names`. Every name must pass `isValidName`.
    init(names: some Sequence<String>) {
        for name in names {
            let normalized = Self.normalizedBytes(of: name)
            guard !normalized.isEmpty else { continue }

            let hash = normalized.withUnsafeBufferPointer { Self.caseInsensitiveHash($0, 0..<$0.count) }
            if namesByHash[hash]?.contains(normalized) != true {
                namesByHash[hash, default: []].append(normalized)
            }
            lengthMask |= Self.lengthBit(normalized.count)
            let labelCount = normalized.count(where: { $0 == .period }) + 1
            maxLabelCount = max(maxLabelCount, labelCount)
        }
    }

    /// Returns whether `name` is one to 253 bytes of dot-separated labels of ASCII letters,
    /// digits, `-` and `_`, with no empty label except an optional trailing root dot.
    /// The scanner only matches names of this form.
    static func isValidName(_ name: String) -> Bool {
        var bytes = Array(name.utf8)
        if bytes.last == .period {
            bytes.removeLast()
        }
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }

        let labels = bytes.split(separator: .period, omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.allSatisfy { $0.isWordByte || $0 == .hyphen }
        }
    }

    /// Returns the lowercased UTF-8 bytes of `name` without a trailing root dot.
    static func normalizedBytes(of name: String) -> [UInt8] {
        var bytes = name.utf8.map(\.asciiLowercased)
        if bytes.last == .period {
            bytes.removeLast()
        }
        return bytes
    }

    /// Returns whether `bytes[range]` equals a stored name, ignoring ASCII case.
    func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard lengthMask & Self.lengthBit(range.count) != 0,
              let candidates = namesByHash[Self.caseInsensitiveHash(bytes, range)]
        else { return false }

        return candidates.contains { name in
            Self.equalsIgnoringCase(bytes, range, name)
        }
    }

    /// Returns whether `bytes[range]` equals `lowercasedName`, ignoring ASCII case in `bytes`.
    static func equalsIgnoringCase(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>,
        _ lowercasedName: some Collection<UInt8>
    ) -> Bool {
        guard range.count == lowercasedName.count else { return false }
        return zip(range, lowercasedName).allSatisfy { index, expected in
            bytes[index].asciiLowercased == expected
        }
    }

    private static func lengthBit(_ length: Int) -> UInt64 {
        1 << UInt64(min(length, 63))
    }

    /// 64-bit FNV-1a over the ASCII-lowercased bytes.
    private static func caseInsensitiveHash(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for index in range {
            hash ^= UInt64(bytes[index].asciiLowercased)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
