import Foundation

/// A seeded, deterministic split of labelled windows into pool, preference and test parts.
///
/// The windows are shuffled with a SplitMix64 generator seeded by `seed`, so the same file and seed give
/// the same split on every platform. The pool takes the first `round(n * poolFraction)` shuffled windows
/// and the preference part the next `round(n * preferenceFraction)`; the rest is the test part.
/// When a class has no pool window but at least two windows in all, its first shuffled window moves
/// into the pool, so that the few-shot pool and the TF-IDF classes cover every class. A class with one
/// window keeps it in its part, because moving it would leave nothing of that class to test.
public struct DatasetSplit: Sendable {
    public var pool: [WindowRecord]
    public var preference: [WindowRecord]
    public var test: [WindowRecord]
    /// Labels whose first window moved into the pool to give that class an example.
    public var addedForCoverage: [String]

    /// The default split of the LogCoT method: 2% pool, 5% preference, 93% test.
    public static let defaultFractions = (pool: 0.02, preference: 0.05)

    public init(windows: [WindowRecord], seed: UInt64, poolFraction: Double = defaultFractions.pool, preferenceFraction: Double = defaultFractions.preference) throws(DatasetSplitError) {
        guard poolFraction >= 0, preferenceFraction >= 0, poolFraction + preferenceFraction < 1 else {
            throw .invalidFractions(pool: poolFraction, preference: preferenceFraction)
        }
        if let unlabelled = windows.first(where: { $0.label == nil }) {
            throw .unlabelled(id: unlabelled.id)
        }

        var generator = SplitMix64(seed: seed)
        let shuffled = generator.shuffle(windows)
        let poolCount = Int((Double(shuffled.count) * poolFraction).rounded())
        let preferenceCount = Int((Double(shuffled.count) * preferenceFraction).rounded())

        var poolIndices = Set(0..<min(poolCount, shuffled.count))
        var added: [String] = []
        var classSizes: [String: Int] = [:]
        for window in shuffled {
            classSizes[window.label!, default: 0] += 1
        }
        for (index, window) in shuffled.enumerated() {
            let label = window.label!
            let covered = poolIndices.contains { shuffled[$0].label == label }
            if !covered, classSizes[label, default: 0] >= 2 {
                poolIndices.insert(index)
                added.append(label)
            }
        }

        let rest = shuffled.indices.filter { !poolIndices.contains($0) }
        pool = shuffled.indices.filter { poolIndices.contains($0) }.map { shuffled[$0] }
        preference = rest.prefix(preferenceCount).map { shuffled[$0] }
        test = rest.dropFirst(preferenceCount).map { shuffled[$0] }
        addedForCoverage = added
    }
}

/// A split that cannot be made.
public enum DatasetSplitError: Error, Equatable, CustomStringConvertible {
    case invalidFractions(pool: Double, preference: Double)
    case unlabelled(id: String)

    public var description: String {
        switch self {
        case .invalidFractions(let pool, let preference):
            "invalid split fractions pool=\(pool) preference=\(preference); each must be at least 0 and together below 1, such as 0.02,0.05"
        case .unlabelled(let id):
            "window '\(id)' has no label; a split needs labelled windows, so add a label or remove the window"
        }
    }
}

/// The SplitMix64 generator, which gives the same sequence for a seed on every platform and Swift version.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// Returns the elements in Fisher-Yates order. The standard library's `shuffled(using:)` may change
    /// its algorithm between Swift versions, so a split written down today could not be reproduced.
    public mutating func shuffle<Element>(_ elements: [Element]) -> [Element] {
        var result = elements
        var index = result.count - 1
        while index > 0 {
            // The high half of a 64x64-bit product maps `next()` onto 0...index with negligible bias.
            let other = Int(next().multipliedFullWidth(by: UInt64(index + 1)).high)
            result.swapAt(index, other)
            index -= 1
        }
        return result
    }
}
