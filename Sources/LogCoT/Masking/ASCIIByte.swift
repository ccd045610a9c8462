/// ASCII classification of UTF-8 code units for the masking scanners.
///
/// Every byte of a multi-byte UTF-8 sequence is 0x80 or above, so none of these tests
/// accepts part of a non-ASCII character.
extension UInt8 {
    static let colon = UInt8(ascii: ":")
    static let period = UInt8(ascii: ".")
    static let hyphen = UInt8(ascii: "-")
    static let underscore = UInt8(ascii: "_")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let equalsSign = UInt8(ascii: "=")
    static let atSign = UInt8(ascii: "@")
    static let slash = UInt8(ascii: "/")
    static let quotationMark = UInt8(ascii: "\"")
    static let apostrophe = UInt8(ascii: "'")

    var isASCIIDigit: Bool { self &- 0x30 < 10 }

    var isASCIILetter: Bool { (self | 0x20) &- 0x61 < 26 }

    var isASCIILowercaseLetter: Bool { self &- 0x61 < 26 }

    var isASCIIUppercaseLetter: Bool { self &- 0x41 < 26 }

    var isASCIIAlphanumeric: Bool { isASCIIDigit || isASCIILetter }

    var isASCIIHexDigit: Bool { isASCIIDigit || (self | 0x20) &- 0x61 < 6 }

    /// Digit or lowercase `a` to `f`, the alphabet of pseudonym tokens.
    var isLowercaseHexDigit: Bool { isASCIIDigit || self &- 0x61 < 6 }

    /// Letter, digit or underscore: a byte that continues a word, so a match next to it is
    /// part of a longer token.
    var isWordByte: Bool { isASCIIAlphanumeric || self == .underscore }

    var asciiLowercased: UInt8 { isASCIIUppercaseLetter ? self | 0x20 : self }

    /// Value of a hex digit. The caller must check `isASCIIHexDigit` first.
    var hexDigitValue: UInt8 { isASCIIDigit ? self &- 0x30 : (self | 0x20) &- 0x61 &+ 10 }
}
