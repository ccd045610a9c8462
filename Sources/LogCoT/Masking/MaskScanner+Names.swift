extension MaskScanner {
    /// File name extensions that are not used as top-level domains in practice, so that
    /// `messages.1.gz`, `/etc/ssh/sshd.conf.bak` or `pkg-1.0-1.el9.noarch` stay unmasked.
    private static let fileNameExtensions: [[UInt8]] = [
        "bak", "bz2", "cfg", "conf", "crt", "csv", "deb", "gz", "ini", "json", "key", "log",
        "lock", "mount", "noarch", "old", "pem", "pid", "rpm", "service", "sh", "so", "sock",
        "socket", "swp", "tar", "target", "tgz", "timer", "tmp", "txt", "xml", "xz", "yaml", "yml",
    ].map { Array($0.utf8) }

    private static let maxLabelByteCount = 63

    // MARK: - E-mail

    /// Adds e-mail addresses: a local part of letters, digits and `._%+-`, then `@` and a
    /// domain name with at least two labels and an alphabetic top-level label.
    /// The value is lowercased.
    mutating func scanEmailAddresses() {
        var index = 0
        while index < count {
            guard bytes[index] == .atSign else {
                index += 1
                continue
            }

            var localStart = index
            while localStart > 0, isEmailLocalByte(bytes[localStart - 1]) {
                localStart -= 1
            }
            while localStart < index, bytes[localStart] == .period {
                localStart += 1
            }

            let domainEnd = domainNameEnd(from: index + 1)
            let domain = (index + 1)..<domainEnd
            guard localStart < index, bytes[index - 1] != .period,
                  isDomainName(domain, minimumLabelCount: 2, requiresOneCaseTopLabel: false)
            else {
                index += 1
                continue
            }
            add(.email, localStart..<domainEnd, value: lowercasedString(localStart..<domainEnd))
            index = domainEnd
        }
    }

    private func isEmailLocalByte(_ byte: UInt8) -> Bool {
        byte.isASCIIAlphanumeric || byte == .period || byte == .underscore || byte == .hyphen
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "%")
    }

    /// Returns the end of the dotted name that starts at `start`, without trailing `.` or `-`.
    private func domainNameEnd(from start: Int) -> Int {
        var end = start
        while end < count, isHostNameByte(bytes[end]) {
            end += 1
        }
        while end > start, bytes[end - 1] == .period || bytes[end - 1] == .hyphen {
            end -= 1
        }
        return end
    }

    // MARK: - Host names

    /// Adds host names of two sources, whole words bounded by anything but letters, digits,
    /// `_` and `-`:
    /// - `host` (the record's own host) and the names in `knownHosts`, ignoring case. A name
    ///   also matches as one or more whole labels of a longer dotted word, as `db01` in
    ///   `db01.log`.
    /// - Fully qualified domain names with at least three labels, whose last label is two or
    ///   more letters in one case and not a common file name extension such as `gz`.
    ///
    /// The value is lowercased, without a trailing root dot. The caller removes a trailing
    /// dot from `host`.
    ///
    /// NOTE: Lowercase dotted names with three or more labels, such as the Java package
    /// `org.apache.kafka` or `report.2024.pdf`, are masked as host names too.
    mutating func scanHostNames(host: UnsafeBufferPointer<UInt8>, knownHosts: HostNameTable) {
        let hostLabelCount = host.isEmpty ? 0 : host.count(where: { $0 == .period }) + 1
        let maxLabelCount = max(knownHosts.maxLabelCount, hostLabelCount)

        var index = 0
        while index < count {
            guard isHostNameByte(bytes[index]) else {
                index += 1
                continue
            }

            var end = index
            var periodCount = 0
            while end < count, isHostNameByte(bytes[end]) {
                if bytes[end] == .period { periodCount += 1 }
                end += 1
            }
            var start = index
            index = end
            if periodCount < 2, maxLabelCount == 0 {
                continue
            }

            // Dots around the word are punctuation, as in "...db01." at a sentence end.
            while start < end, bytes[start] == .period {
                start += 1
            }
            while end > start, bytes[end - 1] == .period {
                end -= 1
            }
            guard start < end else { continue }

            if periodCount >= 2, isDomainName(start..<end, minimumLabelCount: 3, requiresOneCaseTopLabel: true) {
                add(.host, start..<end, value: lowercasedString(start..<end))
            } else if maxLabelCount > 0 {
                addKnownHostNames(in: start..<end, host: host, knownHosts: knownHosts, maxLabelCount: maxLabelCount)
            }
        }
    }

    /// Adds each run of whole labels in `word` that equals `host` or a known host name,
    /// preferring the run with the most labels at each start.
    private mutating func addKnownHostNames(
        in word: Range<Int>,
        host: UnsafeBufferPointer<UInt8>,
        knownHosts: HostNameTable,
        maxLabelCount: Int
    ) {
        var labelStart = word.lowerBound
        while labelStart < word.upperBound {
            var matchEnd: Int?
            var cursor = labelStart
            for _ in 0..<maxLabelCount {
                var labelEnd = cursor
                while labelEnd < word.upperBound, bytes[labelEnd] != .period {
                    labelEnd += 1
                }
                let range = labelStart..<labelEnd
                if isKnownHostName(range, host: host, knownHosts: knownHosts) {
                    matchEnd = labelEnd
                }
                guard labelEnd < word.upperBound else { break }
                cursor = labelEnd + 1
            }

            if let matchEnd {
                add(.host, labelStart..<matchEnd, value: lowercasedString(labelStart..<matchEnd))
                labelStart = matchEnd + 1
            } else {
                while labelStart < word.upperBound, bytes[labelStart] != .period {
                    labelStart += 1
                }
                labelStart += 1
            }
        }
    }

    private func isKnownHostName(_ range: Range<Int>, host: UnsafeBufferPointer<UInt8>, knownHosts: HostNameTable) -> Bool {
        guard !range.isEmpty else { return false }
        if range.count == host.count, HostNameTable.equalsIgnoringCase(bytes, range, host.lazy.map(\.asciiLowercased)) {
            return true
        }
        return knownHosts.contains(bytes, range)
    }

    func isHostNameByte(_ byte: UInt8) -> Bool {
        byte.isWordByte || byte == .hyphen || byte == .period
    }

    /// Returns whether `range` is a dotted name of at least `minimumLabelCount` labels of
    /// letters, digits, `_` and `-` (1 to 63 bytes, not starting or ending with `-`) whose
    /// last label is two or more letters and not a common file name extension.
    ///
    /// With `requiresOneCaseTopLabel` the last label must also be all lowercase or all
    /// uppercase, which keeps Java class names such as `java.lang.String` unmasked.
    private func isDomainName(_ range: Range<Int>, minimumLabelCount: Int, requiresOneCaseTopLabel: Bool) -> Bool {
        var labelCount = 0
        var labelStart = range.lowerBound
        var lastLabel = range
        while labelStart <= range.upperBound {
            var labelEnd = labelStart
            while labelEnd < range.upperBound, bytes[labelEnd] != .period {
                labelEnd += 1
            }
            let length = labelEnd - labelStart
            guard length >= 1, length <= Self.maxLabelByteCount,
                  bytes[labelStart] != .hyphen, bytes[labelEnd - 1] != .hyphen
            else { return false }

            labelCount += 1
            lastLabel = labelStart..<labelEnd
            labelStart = labelEnd + 1
        }
        guard labelCount >= minimumLabelCount, lastLabel.count >= 2,
              lastLabel.allSatisfy({ bytes[$0].isASCIILetter })
        else { return false }

        let isFileNameExtension = Self.fileNameExtensions.contains { fileExtension in
            fileExtension.count == lastLabel.count && hasText(fileExtension, at: lastLabel.lowerBound)
        }
        guard !isFileNameExtension else { return false }
        guard requiresOneCaseTopLabel else { return true }

        return lastLabel.allSatisfy { bytes[$0].isASCIILowercaseLetter }
            || lastLabel.allSatisfy { bytes[$0].isASCIIUppercaseLetter }
    }
}
