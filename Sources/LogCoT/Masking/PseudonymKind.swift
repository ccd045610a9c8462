/// Kind of sensitive value that masking replaces with a keyed pseudonym.
///
/// The raw value goes into the HMAC input, so the same text under two kinds gives two tokens.
/// `tokenPrefix` starts the rendered token, as in `ip-3f9a2c1b`.
public enum PseudonymKind: String, Sendable, CaseIterable {
    case ip, mac, host, user, email, serial

    /// Token prefix: the raw value, except `sn` for serial numbers.
    public var tokenPrefix: String {
        switch self {
        case .serial: "sn"
        default: rawValue
        }
    }

    /// Rank that decides between two candidates covering exactly the same text (lower wins).
    /// Address syntax is the most specific evidence, and a whole-word host match the least.
    var tieBreakRank: Int {
        switch self {
        case .ip: 0
        case .mac: 1
        case .email: 2
        case .serial: 3
        case .user: 4
        case .host: 5
        }
    }

    /// Bit of this kind in `PseudonymKindMask`.
    var maskBit: UInt8 {
        1 << tieBreakRank
    }
}

/// Set of kinds as a bit mask, tested on every line without hashing.
struct PseudonymKindMask: Sendable {
    private var bits: UInt8 = 0

    init(_ kinds: some Sequence<PseudonymKind>) {
        for kind in kinds {
            bits |= kind.maskBit
        }
    }

    var isEmpty: Bool { bits == 0 }

    func contains(_ kind: PseudonymKind) -> Bool {
        bits & kind.maskBit != 0
    }
}
