import Foundation

/// Bytes that are not valid UTF-8, found before they reach Foundation's JSON5 scanner.
///
/// Foundation's JSON5 scanner (FoundationEssentials in the Swift 6.3.1 toolchain) stops the
/// process with a fatal error on some invalid UTF-8 sequences, such as a 0xFC byte in an unquoted
/// key, instead of throwing. Every JSON5 document is therefore checked first, so that a damaged
/// file is an error.
public struct InvalidUTF8Error: Error, Equatable, CustomStringConvertible {
    /// The offset of the first byte that does not start or continue a valid UTF-8 sequence.
    public var offset: Int

    public var description: String {
        "the text is not valid UTF-8 at byte \(offset); save the file as UTF-8"
    }

    /// Throws when `data` is not valid UTF-8.
    public static func check(_ data: Data) throws(InvalidUTF8Error) {
        var iterator = data.makeIterator()
        var decoder = UTF8()
        var offset = 0
        var scalarStart = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                offset = scalarStart + UTF8.width(scalar)
                scalarStart = offset
            case .emptyInput:
                return
            case .error:
                throw InvalidUTF8Error(offset: scalarStart)
            }
        }
    }
}
