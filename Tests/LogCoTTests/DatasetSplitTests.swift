import Foundation
import Testing
@testable import LogCoT

/// The seeded pool, preference and test split.
@Suite struct DatasetSplitTests {
    /// `count` windows with labels cycling through `labels`.
    static func windows(_ count: Int, labels: [String] = ["cpu", "memory", "other"]) -> [WindowRecord] {
        (0..<count).map { WindowRecord(id: "w\($0)", lines: ["line \($0)"], label: labels[$0 % labels.count]) }
    }

    @Test func sameSeedSameSplit() throws {
        let input = Self.windows(300)
        let first = try DatasetSplit(windows: input, seed: 7)
        let second = try DatasetSplit(windows: input, seed: 7)
        #expect(first.pool.map(\.id) == second.pool.map(\.id))
        #expect(first.preference.map(\.id) == second.preference.map(\.id))
        #expect(first.test.map(\.id) == second.test.map(\.id))

        let other = try DatasetSplit(windows: input, seed: 8)
        #expect(other.test.map(\.id) != first.test.map(\.id))
    }

    @Test func generatorMatchesReference() {
        // The first output for seed 1234567 in the published SplitMix64 test vectors.
        var generator = LogCoT.SplitMix64(seed: 1_234_567)
        #expect(generator.next() == 6_457_827_717_110_365_317)
    }

    @Test func seedSevenOrderIsStable() {
        // The order must not change between Swift versions or platforms, so that a split can be rebuilt.
        var generator = LogCoT.SplitMix64(seed: 7)
        #expect(generator.shuffle(Array(0..<8)) == Self.referenceOrder)
    }

    /// The Fisher-Yates order of 0..<8 under SplitMix64 seed 7, from a separate Python implementation.
    static let referenceOrder = [7, 4, 6, 1, 2, 5, 0, 3]

    @Test func defaultFractions() throws {
        let split = try DatasetSplit(windows: Self.windows(1000), seed: 1)
        #expect(split.pool.count == 20)
        #expect(split.preference.count == 50)
        #expect(split.test.count == 930)
        #expect(split.addedForCoverage.isEmpty)

        let all = Set((split.pool + split.preference + split.test).map(\.id))
        #expect(all.count == 1000)
    }

    @Test func customFractions() throws {
        let split = try DatasetSplit(windows: Self.windows(200), seed: 3, poolFraction: 0.1, preferenceFraction: 0.25)
        #expect(split.pool.count == 20)
        #expect(split.preference.count == 50)
        #expect(split.test.count == 130)
    }

    @Test func smallFileCoversEveryClass() throws {
        // 62 windows at 2% give one pool window; two more are added so that all three classes appear.
        let split = try DatasetSplit(windows: Self.windows(62), seed: 7)
        #expect(Set(split.pool.compactMap(\.label)) == ["cpu", "memory", "other"])
        #expect(split.pool.count == 1 + split.addedForCoverage.count)
        #expect(split.addedForCoverage.count == 2)
        #expect(split.preference.count == 3)
        #expect(split.pool.count + split.preference.count + split.test.count == 62)
    }

    @Test func singletonClassStaysInTest() throws {
        var input = Self.windows(20, labels: ["cpu", "memory"])
        input.append(WindowRecord(id: "only-other", lines: ["x"], label: "other"))
        let split = try DatasetSplit(windows: input, seed: 5, poolFraction: 0, preferenceFraction: 0)
        #expect(!split.pool.contains { $0.label == "other" })
        #expect(split.test.contains { $0.id == "only-other" })
        #expect(Set(split.addedForCoverage) == ["cpu", "memory"])
    }

    @Test func invalidFractionsRejected() {
        #expect(throws: DatasetSplitError.invalidFractions(pool: 0.5, preference: 0.5)) {
            try DatasetSplit(windows: Self.windows(10), seed: 1, poolFraction: 0.5, preferenceFraction: 0.5)
        }
        #expect(throws: DatasetSplitError.invalidFractions(pool: -0.1, preference: 0.05)) {
            try DatasetSplit(windows: Self.windows(10), seed: 1, poolFraction: -0.1, preferenceFraction: 0.05)
        }
    }

    @Test func unlabelledWindowRejected() {
        let input = Self.windows(3) + [WindowRecord(id: "nolabel", lines: ["x"])]
        #expect(throws: DatasetSplitError.unlabelled(id: "nolabel")) {
            try DatasetSplit(windows: input, seed: 1)
        }
    }
}
