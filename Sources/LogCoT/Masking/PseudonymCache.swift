/// Bounded map from a masked value to its token.
///
/// When an insert would exceed `limit` entries, the cache removes all entries first
/// (wholesale eviction). That keeps each operation O(1) and needs no recency bookkeeping.
/// The cost is a burst of HMAC computations after each reset.
struct PseudonymCache {
    struct Key: Hashable {
        var kind: PseudonymKind
        var value: String
    }

    /// Maximum number of entries. A limit of 0 disables caching.
    let limit: Int
    private var tokens: [Key: String] = [:]

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { tokens.count }

    func token(for key: Key) -> String? {
        tokens[key]
    }

    mutating func insert(_ token: String, for key: Key) {
        guard limit > 0 else { return }
        if tokens.count >= limit, tokens[key] == nil {
            tokens.removeAll(keepingCapacity: true)
        }
        tokens[key] = token
    }
}
