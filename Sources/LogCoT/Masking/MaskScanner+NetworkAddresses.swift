extension MaskScanner {
    // MARK: - IPv4

    /// Adds IPv4 addresses: four dotted decimal octets, each 0-255.
    ///
    /// The address must not continue a word or a longer dotted number, so the OID
    /// `1.3.6.1.4.1` and the version `1.2.3.4.5` stay. A trailing `.` before a non-digit is
    /// sentence punctuation. A `/prefix`, `:port` or `%zone` stays outside the range.
    ///
    /// NOTE: A four-part version number such as `6.0.1.2` is masked, because its text
    /// cannot be told apart from an address.
    mutating func scanIPv4Addresses() {
        var index = 0
        while index < count {
            guard bytes[index].isASCIIDigit else {
                index += 1
                continue
            }

            if startsIPv4Address(at: index),
               let (address, end) = IPAddressText.parseIPv4(bytes, from: index, to: count),
               endsIPv4Address(at: end) {
                add(.ip, index..<end, value: IPAddressText.canonicalIPv4(address))
                index = end
                continue
            }

            // No address starts inside this digit run.
            while index < count, bytes[index].isASCIIDigit {
                index += 1
            }
        }
    }

    private func startsIPv4Address(at index: Int) -> Bool {
        let previous = byte(at: index - 1)
        if previous.isWordByte {
            return false
        }
        if previous == .period, byte(at: index - 2).isASCIIAlphanumeric {
            return false
        }
        return true
    }

    private func endsIPv4Address(at end: Int) -> Bool {
        let next = byte(at: end)
        if next.isWordByte {
            return false
        }
        if next == .period, byte(at: end + 1).isASCIIDigit {
            return false
        }
        return true
    }

    // MARK: - IPv6

    /// Adds IPv6 addresses in any RFC 4291 text form, including `::` compression and an
    /// embedded dotted quad. A `%zone` or `/prefix` stays outside the range.
    ///
    /// Candidates are maximal runs of hex digits, `:` and `.` with at least two colons that
    /// parse as a whole address. Time stamps such as `09:08:59.337` have too few groups, so
    /// they stay. When the whole run does not parse, a trailing `.` or `:` (sentence
    /// punctuation) or a trailing `.digits` port suffix, as tcpdump prints it, is cut off.
    mutating func scanIPv6Addresses() {
        var index = 0
        while index < count {
            guard isIPv6TextByte(bytes[index]) else {
                index += 1
                continue
            }

            var end = index
            var colonCount = 0
            while end < count, isIPv6TextByte(bytes[end]) {
                if bytes[end] == .colon { colonCount += 1 }
                end += 1
            }
            if colonCount >= 2 {
                addIPv6Address(inRun: index..<end)
            }
            index = end
        }
    }

    private func isIPv6TextByte(_ byte: UInt8) -> Bool {
        byte.isASCIIHexDigit || byte == .colon || byte == .period
    }

    private mutating func addIPv6Address(inRun run: Range<Int>) {
        guard !byte(at: run.upperBound).isWordByte else { return }

        var start = run.lowerBound
        if byte(at: start - 1).isWordByte {
            // The run is glued to a word, as in "addr:fe80::1" or "CPU0:fe80::1". Only a
            // label of hex digits ending in a single ':' may be dropped from its front.
            guard let colon = (start..<run.upperBound).first(where: { bytes[$0] == .colon }),
                  (start..<colon).allSatisfy({ bytes[$0].isASCIIHexDigit }),
                  byte(at: colon + 1) != .colon
            else { return }
            start = colon + 1
        }

        // Try the whole run, then without trailing punctuation, then without a port suffix.
        let end = run.upperBound
        if addIfIPv6Address(start..<end) {
            return
        }

        let last = byte(at: end - 1)
        if last == .period || (last == .colon && byte(at: end - 2) != .colon), addIfIPv6Address(start..<(end - 1)) {
            return
        }

        if let lastPeriod = (start..<end).last(where: { bytes[$0] == .period }),
           lastPeriod + 1 < end,
           (lastPeriod + 1..<end).allSatisfy({ bytes[$0].isASCIIDigit }) {
            _ = addIfIPv6Address(start..<lastPeriod)
        }
    }

    /// Adds `range` if it parses as an IPv6 address with at least one hex digit and two
    /// colons, and returns whether it did.
    private mutating func addIfIPv6Address(_ range: Range<Int>) -> Bool {
        let hasHexDigit = range.contains { bytes[$0].isASCIIHexDigit }
        let colonCount = range.count(where: { bytes[$0] == .colon })
        guard hasHexDigit, colonCount >= 2, let address = IPAddressText.parseIPv6(bytes, range) else {
            return false
        }
        add(.ip, range, value: IPAddressText.canonicalIPv6(address))
        return true
    }

    // MARK: - MAC

    /// Adds MAC addresses as six hex pairs separated by `:` or `-` (one separator throughout),
    /// or as Cisco's three dotted groups of four hex digits (`aabb.ccdd.eeff`).
    /// The canonical value is lowercase with `:`, so all three forms share a token.
    mutating func scanMACAddresses() {
        var index = 0
        while index < count {
            guard bytes[index].isASCIIHexDigit, !byte(at: index - 1).isWordByte else {
                index += 1
                continue
            }

            if let end = pairedMACAddressEnd(at: index) ?? ciscoMACAddressEnd(at: index) {
                add(.mac, index..<end, value: canonicalMAC(index..<end))
                index = end
            } else {
                index += 1
            }
        }
    }

    /// Returns the end of `hh:hh:hh:hh:hh:hh` or `hh-hh-hh-hh-hh-hh` at `start`, unless the
    /// separator also joins it to a letter or digit before or after. Testing for any
    /// alphanumeric byte, not only hex digits, keeps the result the same after a neighbor
    /// has been replaced by a token.
    private func pairedMACAddressEnd(at start: Int) -> Int? {
        let end = start + 17
        guard end <= count else { return nil }

        let separator = bytes[start + 2]
        guard separator == .colon || separator == .hyphen else { return nil }
        for group in 0..<6 {
            let offset = start + group * 3
            guard bytes[offset].isASCIIHexDigit, bytes[offset + 1].isASCIIHexDigit else { return nil }
            if group < 5, bytes[offset + 2] != separator { return nil }
        }

        let continuesBefore = byte(at: start - 1) == separator && byte(at: start - 2).isASCIIAlphanumeric
        let continuesAfter = byte(at: end) == separator && byte(at: end + 1).isASCIIAlphanumeric
        guard !continuesBefore, !continuesAfter, !byte(at: end).isWordByte else { return nil }
        return end
    }

    /// Returns the end of `hhhh.hhhh.hhhh` at `start`, unless a `.` also joins it to a letter
    /// or digit before or after.
    private func ciscoMACAddressEnd(at start: Int) -> Int? {
        let end = start + 14
        guard end <= count else { return nil }

        for group in 0..<3 {
            let offset = start + group * 5
            guard (offset..<offset + 4).allSatisfy({ bytes[$0].isASCIIHexDigit }) else { return nil }
            if group < 2, bytes[offset + 4] != .period { return nil }
        }

        let continuesBefore = byte(at: start - 1) == .period && byte(at: start - 2).isASCIIAlphanumeric
        let continuesAfter = byte(at: end) == .period && byte(at: end + 1).isASCIIAlphanumeric
        guard !continuesBefore, !continuesAfter, !byte(at: end).isWordByte else { return nil }
        return end
    }

    private func canonicalMAC(_ range: Range<Int>) -> String {
        var text = ""
        text.reserveCapacity(17)
        var digitCount = 0
        for index in range where bytes[index].isASCIIHexDigit {
            if digitCount > 0, digitCount % 2 == 0 {
                text.append(":")
            }
            text.unicodeScalars.append(Unicode.Scalar(bytes[index].asciiLowercased))
            digitCount += 1
        }
        return text
    }
}
