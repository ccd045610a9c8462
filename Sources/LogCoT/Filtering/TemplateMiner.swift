/// Collapses log messages that differ only in numbers, hex values and pseudonymised ids into one template.
///
/// The rule is positional and needs no training, so every instance of the daemon maps a line to the
/// same template: within each whitespace-separated token, a pseudonym token such as `ip-3f9a2c1b`
/// becomes `<ip>`, a `0x` hex literal or a hex run of 8 or more characters becomes `<hex>`, and any
/// remaining run of decimal digits becomes `<*>`. `CPU0F0_DIMM_Stat` and `CPU1F0_DIMM_Stat` therefore
/// share the template `CPU<*>F<*>_DIMM_Stat`.
public enum TemplateMiner {
    public static let version = "positional-v1"

    static let pseudonymPrefixes: [(prefix: [UInt8], placeholder: String)] = [
        (Array("ip-".utf8), "<ip>"),
        (Array("mac-".utf8), "<mac>"),
        (Array("host-".utf8), "<host>"),
        (Array("user-".utf8), "<user>"),
        (Array("email-".utf8), "<email>"),
        (Array("sn-".utf8), "<sn>"),
    ]

    /// Returns the template of a (masked) message.
    public static func template(of message: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(message.utf8.count)
        var token: [UInt8] = []
        var previousWasSpace = true

        for byte in message.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                if !token.isEmpty {
                    appendToken(token, to: &output)
                    token.removeAll(keepingCapacity: true)
                }
                if !previousWasSpace {
                    output.append(UInt8(ascii: " "))
                }
                previousWasSpace = true
            } else {
                token.append(byte)
                previousWasSpace = false
            }
        }
        if !token.isEmpty {
            appendToken(token, to: &output)
        }
        while output.last == UInt8(ascii: " ") {
            output.removeLast()
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func appendToken(_ token: [UInt8], to output: inout [UInt8]) {
        for (prefix, placeholder) in pseudonymPrefixes where token.starts(with: prefix) {
            let rest = token.dropFirst(prefix.count)
            let hexCount = rest.prefix(while: isHexDigit).count
            if hexCount >= 6 {
                output.append(contentsOf: placeholder.utf8)
                output.append(contentsOf: rest.dropFirst(hexCount))
                return
            }
        }

        var index = 0
        while index < token.count {
            let byte = token[index]

            if byte == UInt8(ascii: "0"), index + 2 < token.count, token[index + 1] | 0x20 == UInt8(ascii: "x"), isHexDigit(token[index + 2]) {
                var end = index + 2
                while end < token.count, isHexDigit(token[end]) { end += 1 }
                output.append(contentsOf: "<hex>".utf8)
                index = end
                continue
            }

            if isHexDigit(byte), index == 0 || !isAlphanumeric(token[index - 1]) {
                var end = index
                var hasDigit = false
                while end < token.count, isHexDigit(token[end]) {
                    hasDigit = hasDigit || isDigit(token[end])
                    end += 1
                }
                if end - index >= 8, hasDigit, end == token.count || !isAlphanumeric(token[end]) {
                    output.append(contentsOf: "<hex>".utf8)
                    index = end
                    continue
                }
            }

            if isDigit(byte) {
                var end = index
                while end < token.count, isDigit(token[end]) { end += 1 }
                output.append(contentsOf: "<*>".utf8)
                index = end
                continue
            }

            output.append(byte)
            index += 1
        }
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 48 && byte <= 57
    }

    @inline(__always) static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= 97 && byte | 0x20 <= 102)
    }

    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= 97 && byte | 0x20 <= 122)
    }
}

/// Splits template text into TF-IDF terms: lower-cased words and adjacent word pairs.
///
/// Placeholders such as `<*>` are left out (`CPU<*>_Status` gives `cpu_status`), and so are single
/// characters, so `Uncorrectable ECC | Asserted`
/// yields `uncorrectable`, `ecc`, `asserted`, `uncorrectable ecc` and `ecc asserted`.
public enum TermExtractor {
    public static func terms(of template: String) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        var inPlaceholder = false

        func flush() {
            if current.count >= 2 {
                words.append(String(decoding: current, as: UTF8.self))
            }
            current.removeAll(keepingCapacity: true)
        }

        for byte in template.utf8 {
            if byte == UInt8(ascii: "<") {
                // A placeholder inside a word, as in `CPU<*>_Status`, keeps the word whole.
                inPlaceholder = true
            } else if byte == UInt8(ascii: ">") && inPlaceholder {
                inPlaceholder = false
            } else if inPlaceholder {
                continue
            } else if TemplateMiner.isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte >= 0x80 {
                current.append(byte >= 65 && byte <= 90 ? byte | 0x20 : byte)
            } else {
                flush()
            }
        }
        flush()

        var terms = words
        if words.count > 1 {
            for index in 0..<(words.count - 1) {
                terms.append(words[index] + " " + words[index + 1])
            }
        }
        return terms
    }
}
