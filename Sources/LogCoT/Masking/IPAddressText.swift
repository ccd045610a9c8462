/// Parsers and canonical renderers for IPv4 and IPv6 address text in UTF-8 bytes.
///
/// Masking hashes the canonical text, so `10.001.2.3` and `10.1.2.3`, or `2001:DB8:0::1` and
/// `2001:db8::1`, map to the same pseudonym.
enum IPAddressText {
    /// Parses four dotted decimal octets (each 0-255, one to three digits) starting at `start`.
    /// Returns the address and the index after its last digit. Whatever follows is not checked.
    static func parseIPv4(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to limit: Int) -> (address: UInt32, end: Int)? {
        var address: UInt32 = 0
        var index = start
        for octetIndex in 0..<4 {
            if octetIndex > 0 {
                guard index < limit, bytes[index] == .period else { return nil }
                index += 1
            }

            var octet: UInt32 = 0
            var digitCount = 0
            while index < limit, bytes[index].isASCIIDigit {
                digitCount += 1
                guard digitCount <= 3 else { return nil }
                octet = octet * 10 + UInt32(bytes[index] &- 0x30)
                index += 1
            }
            guard digitCount > 0, octet <= 255 else { return nil }
            address = address << 8 | octet
        }
        return (address, index)
    }

    /// Parses `bytes[range]` as a whole IPv6 address in RFC 4291, section 2.2 text form: eight
    /// groups of one to four hex digits, at most one `::`, and optionally a dotted IPv4 address
    /// as the last 32 bits. Returns nil for anything else, including `::` alone, which has no
    /// digit and is too common as punctuation to mask.
    static func parseIPv6(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> SIMD8<UInt16>? {
        var head = SIMD8<UInt16>()
        var headCount = 0
        var tail = SIMD8<UInt16>()
        var tailCount = 0
        var hasDoubleColon = false
        var index = range.lowerBound
        let end = range.upperBound

        guard index < end else { return nil }
        if bytes[index] == .colon {
            guard index + 1 < end, bytes[index + 1] == .colon else { return nil }
            hasDoubleColon = true
            index += 2
            guard index < end else { return nil }
        }

        while index < end {
            let groupStart = index
            var group: UInt32 = 0
            var digitCount = 0
            while index < end, bytes[index].isASCIIHexDigit, digitCount <= 4 {
                group = group << 4 | UInt32(bytes[index].hexDigitValue)
                digitCount += 1
                index += 1
            }

            // A dotted quad may end the address and fills its last two groups.
            if index < end, bytes[index] == .period {
                guard let (address, ipv4End) = parseIPv4(bytes, from: groupStart, to: end), ipv4End == end,
                      headCount + tailCount + 2 <= 8
                else { return nil }
                let high = UInt16(truncatingIfNeeded: address >> 16)
                let low = UInt16(truncatingIfNeeded: address)
                if hasDoubleColon {
                    tail[tailCount] = high
                    tail[tailCount + 1] = low
                    tailCount += 2
                } else {
                    head[headCount] = high
                    head[headCount + 1] = low
                    headCount += 2
                }
                index = end
                break
            }

            guard digitCount >= 1, digitCount <= 4, headCount + tailCount < 8 else { return nil }
            if hasDoubleColon {
                tail[tailCount] = UInt16(group)
                tailCount += 1
            } else {
                head[headCount] = UInt16(group)
                headCount += 1
            }

            guard index < end else { break }
            guard bytes[index] == .colon else { return nil }
            index += 1
            if index < end, bytes[index] == .colon {
                guard !hasDoubleColon else { return nil }
                hasDoubleColon = true
                index += 1
            } else if index == end {
                // A single trailing colon.
                return nil
            }
        }

        let groupCount = headCount + tailCount
        guard groupCount > 0 else { return nil }
        if hasDoubleColon {
            guard groupCount <= 7 else { return nil }
        } else {
            guard groupCount == 8 else { return nil }
        }

        var address = head
        for offset in 0..<tailCount {
            address[8 - tailCount + offset] = tail[offset]
        }
        return address
    }

    static func canonicalIPv4(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xff).\(address >> 8 & 0xff).\(address & 0xff)"
    }

    /// Renders an IPv6 address in the RFC 5952 form: lowercase hex without leading zeros, and
    /// the longest run of two or more zero groups (the first of equal runs) as `::`.
    /// IPv4-mapped addresses (`::ffff:0:0/96`) end in a dotted quad. Other prefixes that
    /// embed an IPv4 address, such as `64:ff9b::/96`, stay in hex, which is enough because
    /// this text is hashed and never shown.
    static func canonicalIPv6(_ address: SIMD8<UInt16>) -> String {
        let isIPv4Mapped = (0..<5).allSatisfy { address[$0] == 0 } && address[5] == 0xffff
        if isIPv4Mapped {
            let ipv4 = UInt32(address[6]) << 16 | UInt32(address[7])
            return "::ffff:" + canonicalIPv4(ipv4)
        }

        var bestRunStart = -1
        var bestRunLength = 1
        var runStart = 0
        var runLength = 0
        for index in 0..<8 {
            if address[index] == 0 {
                if runLength == 0 { runStart = index }
                runLength += 1
                if runLength > bestRunLength {
                    bestRunStart = runStart
                    bestRunLength = runLength
                }
            } else {
                runLength = 0
            }
        }

        var text = ""
        var index = 0
        while index < 8 {
            if index == bestRunStart {
                text += "::"
                index += bestRunLength
                continue
            }
            if !text.isEmpty, !text.hasSuffix(":") {
                text += ":"
            }
            text += String(address[index], radix: 16)
            index += 1
        }
        return text
    }
}
