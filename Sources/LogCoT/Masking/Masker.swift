// TEMPORARY: replaced by the real masker.
public final class Masker: @unchecked Sendable {
    public static let version = "hmac-sha256-v1"
    let secret: [UInt8]
    public init(secret: String, kinds: Set<PseudonymKind> = Set(PseudonymKind.allCases), serialPatterns: [String] = [], knownHosts: Set<String> = [], cacheLimit: Int = 100_000) throws {
        self.secret = Array(secret.utf8)
    }
    public func pseudonym(_ kind: PseudonymKind, _ value: String) -> String {
        let mac = HMACSHA256.authenticationCode(for: Array((kind.rawValue + ":" + value).utf8), key: secret)
        return kind.tokenPrefix + "-" + mac.prefix(4).map { String(format: "%02x", $0) }.joined()
    }
    public func mask(_ text: String, host: String?) -> String { text }
}
