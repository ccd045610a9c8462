extension MaskScanner {
    /// Keys whose value is a user name, matched ignoring case: Linux PAM writes `user=`,
    /// `ruser=` and `logname=`, the Linux audit log `acct=`, and sudo `USER=`.
    private static let userKeys: [[UInt8]] = ["user=", "ruser=", "logname=", "acct=", "username="].map { Array($0.utf8) }
    private static let userWord = Array("user ".utf8)
    /// Words after `user ` that are a status and not a name, as in pam_unix's
    /// "check pass; user unknown".
    private static let userStatusWords: [[UInt8]] = [Array("unknown".utf8)]
    /// OpenSSH's "Accepted password for NAME", "Failed publickey for NAME" and
    /// "Postponed keyboard-interactive/pam for NAME" start with these words.
    private static let authenticationResults: [[UInt8]] = ["Accepted ", "Failed ", "Postponed "].map { Array($0.utf8) }
    private static let forWord = Array(" for ".utf8)
    private static let invalidUserWords = Array("invalid user ".utf8)
    private static let maxAuthenticationMethodByteCount = 40
    private static let maxQuotedUserNameByteCount = 256

    private static let serialNumberLabels: [[UInt8]] = [
        "serial number", "serial_number", "serial-number", "serialnumber",
        "serial no", "serial_no", "serial-no", "serialno",
        "s/n", "sn",
    ].map { Array($0.utf8) }
    /// Values after a serial number label that mean "no serial number".
    private static let serialPlaceholders: [[UInt8]] = ["n/a", "na", "none", "null", "unknown"].map { Array($0.utf8) }

    // MARK: - User names

    /// Adds user names that follow these labels (keys ignore case):
    /// - `user=`, `ruser=`, `logname=`, `acct=` and `username=`, also with a quoted value;
    /// - `user ` at the start of a word, as in OpenSSH's "Invalid user NAME", "for user NAME",
    ///   "for invalid user NAME" and "authenticating user NAME";
    /// - OpenSSH's `Accepted`, `Failed` or `Postponed`, a method and `for NAME`.
    ///
    /// Every name is masked, `root` included, because which account logged in is itself
    /// sensitive. Empty values such as PAM's `ruser= ` are skipped.
    ///
    /// NOTE: Names without one of these labels stay, such as `dave` in sudo's
    /// "sudo: dave : TTY=pts/0" or in a path like `/home/dave`.
    mutating func scanUserNames() {
        let userKeys = Self.userKeys
        let userWord = Self.userWord
        let userStatusWords = Self.userStatusWords
        let authenticationResults = Self.authenticationResults

        var index = 0
        while index < count {
            defer { index += 1 }

            // Every label starts with one of these letters, ignoring case.
            switch bytes[index] | 0x20 {
            case UInt8(ascii: "u"), UInt8(ascii: "r"), UInt8(ascii: "l"),
                 UInt8(ascii: "a"), UInt8(ascii: "f"), UInt8(ascii: "p"):
                break
            default:
                continue
            }
            guard !byte(at: index - 1).isWordByte else { continue }

            for key in userKeys where hasText(key, at: index) {
                if let range = userNameRange(from: index + key.count, allowsQuotes: true) {
                    add(.user, range, value: string(range))
                }
                break
            }

            if hasText(userWord, at: index),
               let range = userNameRange(from: index + userWord.count, allowsQuotes: false),
               !userStatusWords.contains(where: { $0.count == range.count && hasText($0, at: range.lowerBound) }) {
                add(.user, range, value: string(range))
            }

            for result in authenticationResults where hasExactText(result, at: index) {
                addAuthenticatedUserName(after: index + result.count)
                break
            }
        }
    }

    /// Adds NAME in "METHOD for NAME" starting at `methodStart`. "for invalid user NAME" is
    /// left to the `user ` rule.
    private mutating func addAuthenticatedUserName(after methodStart: Int) {
        var methodEnd = methodStart
        while methodEnd < count, bytes[methodEnd] != .space,
              methodEnd - methodStart < Self.maxAuthenticationMethodByteCount {
            methodEnd += 1
        }
        guard methodEnd > methodStart, hasExactText(Self.forWord, at: methodEnd) else { return }

        let nameStart = methodEnd + Self.forWord.count
        guard !hasExactText(Self.invalidUserWords, at: nameStart),
              let range = userNameRange(from: nameStart, allowsQuotes: false)
        else { return }
        add(.user, range, value: string(range))
    }

    /// Returns the range of the user name starting at `start`, without surrounding quotes
    /// or a trailing `.`. Unquoted names consist of letters, digits, `._-@$\` and non-ASCII
    /// bytes. A quoted name is everything up to the closing quote, spaces included, but at
    /// most `maxQuotedUserNameByteCount` bytes and no control characters.
    private func userNameRange(from start: Int, allowsQuotes: Bool) -> Range<Int>? {
        let quote = byte(at: start)
        if allowsQuotes, quote == .quotationMark || quote == .apostrophe {
            let nameStart = start + 1
            var end = nameStart
            while end < count, bytes[end] != quote, bytes[end] >= 0x20, end - nameStart < Self.maxQuotedUserNameByteCount {
                end += 1
            }
            guard byte(at: end) == quote, end > nameStart else { return nil }
            return nameStart..<end
        }

        var end = start
        while end < count, isUserNameByte(bytes[end]) {
            end += 1
        }
        while end > start, bytes[end - 1] == .period {
            end -= 1
        }
        return end > start ? start..<end : nil
    }

    private func isUserNameByte(_ byte: UInt8) -> Bool {
        byte.isWordByte || byte >= 0x80 || byte == .period || byte == .hyphen || byte == .atSign
            || byte == UInt8(ascii: "$") || byte == UInt8(ascii: "\\")
    }

    // MARK: - Serial numbers

    /// Adds the values after serial number labels, ignoring case: `SN`, `S/N`,
    /// `Serial Number`, `SerialNo`, `Serial No.` and their `_`, `-` and one-word spellings.
    ///
    /// `SN` needs a `:`, `=` or `#` after it. The other labels may be followed by only
    /// spaces, and then the value must contain a digit, so that "serial number mismatch"
    /// stays. Values are letters, digits and `_./-`, optionally quoted. Placeholders such
    /// as `N/A` and `none` stay.
    mutating func scanSerialNumberLabels() {
        let serialNumberLabels = Self.serialNumberLabels
        var index = 0
        while index < count {
            defer { index += 1 }
            guard bytes[index] | 0x20 == UInt8(ascii: "s"), !byte(at: index - 1).isWordByte else { continue }

            for label in serialNumberLabels where hasText(label, at: index) {
                var labelEnd = index + label.count
                guard !byte(at: labelEnd).isWordByte else { continue }
                // "Serial No. 123"
                if label.last == UInt8(ascii: "o"), byte(at: labelEnd) == .period {
                    labelEnd += 1
                }

                if let range = serialNumberRange(afterLabelEnd: labelEnd, requiresSeparator: label.count == 2) {
                    add(.serial, range, value: string(range))
                }
                break
            }
        }
    }

    private func serialNumberRange(afterLabelEnd labelEnd: Int, requiresSeparator: Bool) -> Range<Int>? {
        var start = labelEnd
        while byte(at: start) == .space || byte(at: start) == .tab {
            start += 1
        }
        let separator = byte(at: start)
        let hasSeparator = separator == .colon || separator == .equalsSign || separator == UInt8(ascii: "#")
        if hasSeparator {
            start += 1
            while byte(at: start) == .space || byte(at: start) == .tab {
                start += 1
            }
        }
        guard hasSeparator || (!requiresSeparator && start > labelEnd) else { return nil }

        let quote = byte(at: start)
        let isQuoted = quote == .quotationMark || quote == .apostrophe
        if isQuoted {
            start += 1
        }

        var end = start
        while end < count, isSerialNumberByte(bytes[end]) {
            end += 1
        }
        if isQuoted {
            guard byte(at: end) == quote else { return nil }
        } else {
            while end > start, bytes[end - 1] == .period || bytes[end - 1] == .slash || bytes[end - 1] == .hyphen {
                end -= 1
            }
        }

        let range = start..<end
        guard !range.isEmpty, !byte(at: end).isWordByte else { return nil }
        if !hasSeparator, !range.contains(where: { bytes[$0].isASCIIDigit }) {
            return nil
        }
        let isPlaceholder = Self.serialPlaceholders.contains { placeholder in
            placeholder.count == range.count && hasText(placeholder, at: start)
        }
        return isPlaceholder ? nil : range
    }

    private func isSerialNumberByte(_ byte: UInt8) -> Bool {
        byte.isWordByte || byte == .period || byte == .slash || byte == .hyphen
    }
}
