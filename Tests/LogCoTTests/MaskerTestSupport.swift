@testable import LogCoT

let testSecret = "correct horse battery staple"

func makeMasker(
    secret: String = testSecret,
    kinds: Set<PseudonymKind> = Set(PseudonymKind.allCases),
    serialPatterns: [String] = [],
    knownHosts: Set<String> = [],
    cacheLimit: Int = 100_000
) throws -> Masker {
    try Masker(
        secret: secret,
        kinds: kinds,
        serialPatterns: serialPatterns,
        knownHosts: knownHosts,
        cacheLimit: cacheLimit
    )
}

/// Returns whether `text` contains four dot-separated runs of one to three digits. This is
/// deliberately simpler than the masker's own IPv4 scanner, so the two can check each other.
func containsIPv4Literal(_ text: String) -> Bool {
    text.contains(/\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/)
}

/// Returns whether `text` is a well-formed token: `prefix`, `-` and 8 lowercase hex digits.
func isToken(_ text: String, prefix: String) -> Bool {
    guard text.hasPrefix(prefix + "-") else { return false }
    let digits = text.dropFirst(prefix.count + 1)
    return digits.count == 8 && digits.allSatisfy { "0123456789abcdef".contains($0) }
}
