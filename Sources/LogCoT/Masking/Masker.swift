import Foundation
import Synchronization

/// Error that `Masker.init` throws for an invalid masking configuration.
public enum MaskerError: Error, Equatable, CustomStringConvertible {
    case emptySecret
    case invalidSerialPattern(pattern: String, reason: String)
    case invalidKnownHost(String)
    case invalidCacheLimit(Int)

    public var description: String {
        switch self {
        case .emptySecret:
            "The masking secret is empty. Set a long random secret: with an empty key anyone can "
                + "reverse a pseudonym by hashing guessed values."
        case .invalidSerialPattern(let pattern, let reason):
            "Invalid serial number pattern \"\(pattern)\": \(reason). Fix the regular expression "
                + "or remove it from serialPatterns."
        case .invalidKnownHost(let name):
            "Invalid known host name \"\(name)\". Use dot-separated labels of ASCII letters, "
                + "digits, '-' and '_', at most 253 bytes in all."
        case .invalidCacheLimit(let limit):
            "Invalid pseudonym cache limit \(limit). Use 0 to disable the cache or a positive number of entries."
        }
    }
}

/// Replaces sensitive values in log text with stable keyed pseudonyms.
///
/// A pseudonym is the kind's token prefix, `-` and the first 8 lowercase hex digits of
/// HMAC-SHA256(secret, kind.rawValue + ":" + value), as in `ip-3f9a2c1b`. Any `Masker` with
/// the same secret maps a value to the same token, and the kind in the HMAC input keeps an
/// address and a host name with the same text apart. The token keeps only 32 bits, so
/// distinct values of one kind can share a token. Among n such values the expected number
/// of colliding pairs is about n²/2³³: 0.0001 for 1,000 values, 1.2 for 100,000.
///
/// `Masker` is `Sendable` without `@unchecked`: every stored property is immutable except
/// the token cache, which a `Mutex` guards.
public final class Masker: Sendable {
    /// The pseudonym scheme; reports record it, so a change of scheme shows in their output.
    public static let version = "hmac-sha256-8hex-v1"

    /// Kinds of value that `mask` replaces.
    public let kinds: Set<PseudonymKind>

    private let enabledKinds: PseudonymKindMask
    /// HMAC already keyed with the secret, copied for each new value.
    private let keyedMAC: HMACSHA256
    private let serialPatterns: [NSRegularExpression]
    private let knownHosts: HostNameTable
    private let cache: Mutex<PseudonymCache>

    /// Creates a masker.
    ///
    /// - Parameters:
    ///   - secret: HMAC key. Its UTF-8 bytes are used as given.
    ///   - kinds: Kinds of value that `mask` replaces. `pseudonym` works for every kind.
    ///   - serialPatterns: Regular expressions in `NSRegularExpression` (ICU) syntax for
    ///     serial numbers that no label introduces. When a pattern has a capture group, only
    ///     the first group is masked, otherwise the whole match.
    ///   - knownHosts: Host names to mask wherever they occur as whole words, ignoring case.
    ///   - cacheLimit: Maximum number of cached tokens. 0 disables the cache.
    /// - Throws: `MaskerError` for an empty secret, a pattern that does not compile (the
    ///   error names it), an invalid host name or a negative cache limit.
    public init(
        secret: String,
        kinds: Set<PseudonymKind> = Set(PseudonymKind.allCases),
        serialPatterns: [String] = [],
        knownHosts: Set<String> = [],
        cacheLimit: Int = 100_000
    ) throws {
        guard !secret.isEmpty else { throw MaskerError.emptySecret }
        guard cacheLimit >= 0 else { throw MaskerError.invalidCacheLimit(cacheLimit) }
        if let invalidName = knownHosts.sorted().first(where: { !HostNameTable.isValidName($0) }) {
            throw MaskerError.invalidKnownHost(invalidName)
        }

        self.kinds = kinds
        self.enabledKinds = PseudonymKindMask(kinds)
        self.keyedMAC = HMACSHA256(key: secret.utf8)
        self.serialPatterns = try serialPatterns.map(Self.compileSerialPattern)
        self.knownHosts = HostNameTable(names: knownHosts)
        self.cache = Mutex(PseudonymCache(limit: cacheLimit))
    }

    private static func compileSerialPattern(_ pattern: String) throws -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern)
        } catch {
            // On Linux the NSRegularExpression error message is only "The value is invalid".
            // Swift's Regex parser names the problem for most patterns, and the two syntaxes
            // mostly agree.
            var reason = "NSRegularExpression (ICU syntax) rejected it"
            do {
                _ = try Regex(pattern)
            } catch let regexError {
                reason = String(describing: regexError)
            }
            throw MaskerError.invalidSerialPattern(pattern: pattern, reason: reason)
        }
    }

    // MARK: - Pseudonyms

    /// Returns the token for `value` of `kind`, computing and caching it on first use.
    ///
    /// `value` is hashed as given. `mask` passes canonical forms instead: lowercase for
    /// e-mail addresses and host names, RFC 5952 text for IPv6, dotted decimal without
    /// leading zeros for IPv4, and lowercase `aa:bb:cc:dd:ee:ff` for MAC addresses.
    public func pseudonym(_ kind: PseudonymKind, _ value: String) -> String {
        let key = PseudonymCache.Key(kind: kind, value: value)
        if let token = cache.withLock({ $0.token(for: key) }) {
            return token
        }

        var mac = keyedMAC
        mac.update(kind.rawValue.utf8)
        mac.update(CollectionOfOne(UInt8.colon))
        mac.update(value.utf8)
        let code = mac.finalize()

        let token = kind.tokenPrefix + "-" + Self.lowercaseHex(code.prefix(4))
        cache.withLock { $0.insert(token, for: key) }
        return token
    }

    private static func lowercaseHex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = ""
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.unicodeScalars.append(Unicode.Scalar(digits[Int(byte >> 4)]))
            text.unicodeScalars.append(Unicode.Scalar(digits[Int(byte & 0x0f)]))
        }
        return text
    }

    // MARK: - Masking

    /// Returns `text` with every sensitive value of an enabled kind replaced by its token.
    ///
    /// - IPv4 addresses, but not longer dotted numbers such as OIDs. A `/prefix` stays.
    /// - IPv6 addresses in full, compressed or IPv4-embedded form. A `%zone` stays.
    /// - MAC addresses as `aa:bb:cc:dd:ee:ff`, `aa-bb-cc-dd-ee-ff` or `aabb.ccdd.eeff`.
    /// - E-mail addresses.
    /// - User names after `user=`, `ruser=`, `logname=`, `acct=`, `username=`, `user `
    ///   and OpenSSH's "Accepted/Failed/Postponed METHOD for". Every name is masked,
    ///   `root` included.
    /// - `host`, the names in `knownHosts`, and domain names of three or more labels.
    /// - Serial numbers after `SN:`, `S/N`, `Serial Number`, `SerialNo` and similar labels,
    ///   and matches of `serialPatterns`.
    ///
    /// Existing tokens stay as they are, so that masking a masked line again leaves it
    /// unchanged. When candidates overlap, the one that starts first and then the longer one
    /// wins. A line without candidates is returned as is. In an optimized build its scan
    /// makes no heap allocation unless `serialPatterns` is set, because matching with
    /// `NSRegularExpression` allocates.
    public func mask(_ text: String, host: String?) -> String {
        guard !text.isEmpty, !enabledKinds.isEmpty else { return text }

        let serialPatternRanges = serialPatternMatches(in: text)
        var textCopy = text
        var hostCopy = host ?? ""
        let masked: String? = textCopy.withUTF8 { textBytes in
            hostCopy.withUTF8 { hostBytes in
                var hostName = hostBytes
                if hostName.last == .period {
                    hostName = UnsafeBufferPointer(rebasing: hostName.dropLast())
                }
                let selected = selectCandidates(
                    in: textBytes,
                    host: hostName,
                    serialPatternRanges: serialPatternRanges
                )
                guard !selected.isEmpty else { return nil }
                return render(textBytes, replacing: selected)
            }
        }
        return masked ?? text
    }

    private func selectCandidates(
        in textBytes: UnsafeBufferPointer<UInt8>,
        host: UnsafeBufferPointer<UInt8>,
        serialPatternRanges: [Range<Int>]
    ) -> [MaskCandidate] {
        let features = TextFeatures(textBytes)
        var scanner = MaskScanner(bytes: textBytes)
        if features.hyphenCount > 0 {
            scanner.scanExistingTokens()
        }

        if enabledKinds.contains(.ip) {
            if features.hasDigitBeforePeriod {
                scanner.scanIPv4Addresses()
            }
            if features.colonCount >= 2 {
                scanner.scanIPv6Addresses()
            }
        }
        if enabledKinds.contains(.mac), features.colonCount >= 5 || features.hyphenCount >= 5 || features.periodCount >= 2 {
            scanner.scanMACAddresses()
        }
        if enabledKinds.contains(.email), features.hasAtSign {
            scanner.scanEmailAddresses()
        }
        if enabledKinds.contains(.host), features.periodCount >= 2 || !host.isEmpty || !knownHosts.isEmpty {
            scanner.scanHostNames(host: host, knownHosts: knownHosts)
        }
        if enabledKinds.contains(.user) {
            scanner.scanUserNames()
        }
        if enabledKinds.contains(.serial) {
            scanner.scanSerialNumberLabels()
            for range in serialPatternRanges {
                scanner.add(.serial, range, value: scanner.string(range))
            }
        }
        return scanner.selectedCandidates()
    }

    /// Returns the text with each selected range replaced by its token.
    private func render(_ textBytes: UnsafeBufferPointer<UInt8>, replacing selected: [MaskCandidate]) -> String {
        let tokens = selected.map { pseudonym($0.kind, $0.value) }
        let removedByteCount = selected.reduce(0) { $0 + $1.range.count }
        let addedByteCount = tokens.reduce(0) { $0 + $1.utf8.count }
        let outputByteCount = textBytes.count - removedByteCount + addedByteCount

        return String(unsafeUninitializedCapacity: outputByteCount) { output in
            var outputIndex = 0
            var textIndex = 0
            func append(_ source: UnsafeBufferPointer<UInt8>) {
                _ = UnsafeMutableBufferPointer(rebasing: output[outputIndex...]).initialize(fromContentsOf: source)
                outputIndex += source.count
            }

            for (candidate, token) in zip(selected, tokens) {
                append(UnsafeBufferPointer(rebasing: textBytes[textIndex..<candidate.range.lowerBound]))
                var token = token
                token.withUTF8 { append($0) }
                textIndex = candidate.range.upperBound
            }
            append(UnsafeBufferPointer(rebasing: textBytes[textIndex...]))
            return outputIndex
        }
    }

    /// Returns the UTF-8 ranges to mask for `serialPatterns`: the first capture group of
    /// each match if the pattern has one and it took part, otherwise the whole match.
    private func serialPatternMatches(in text: String) -> [Range<Int>] {
        guard enabledKinds.contains(.serial), !serialPatterns.isEmpty else { return [] }

        let searchRange = NSRange(text.startIndex..<text.endIndex, in: text)
        var ranges: [Range<Int>] = []
        for pattern in serialPatterns {
            for match in pattern.matches(in: text, range: searchRange) {
                var matchRange = match.range
                if pattern.numberOfCaptureGroups > 0, match.range(at: 1).location != NSNotFound {
                    matchRange = match.range(at: 1)
                }
                // A range that splits a surrogate pair has no UTF-8 equivalent, so it is skipped.
                guard matchRange.length > 0, let range = Range(matchRange, in: text),
                      range.lowerBound.samePosition(in: text.unicodeScalars) != nil,
                      range.upperBound.samePosition(in: text.unicodeScalars) != nil
                else { continue }

                let start = text.utf8.distance(from: text.startIndex, to: range.lowerBound)
                let end = start + text.utf8.distance(from: range.lowerBound, to: range.upperBound)
                ranges.append(start..<end)
            }
        }
        return ranges
    }
}

/// Counts from one pass over a line that let `mask` skip scanners that cannot match.
private struct TextFeatures {
    var hasDigitBeforePeriod = false
    var hasAtSign = false
    var colonCount = 0
    var hyphenCount = 0
    var periodCount = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        var previous: UInt8 = 0
        for byte in bytes {
            switch byte {
            case .colon:
                colonCount += 1
            case .hyphen:
                hyphenCount += 1
            case .period:
                periodCount += 1
                if previous.isASCIIDigit {
                    hasDigitBeforePeriod = true
                }
            case .atSign:
                hasAtSign = true
            default:
                break
            }
            previous = byte
        }
    }
}
