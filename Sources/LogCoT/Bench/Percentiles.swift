/// Order statistics for benchmark samples.
public enum Percentiles {
    /// Returns the nearest-rank percentile: the smallest sample with at least `percent`% of the
    /// samples at or below it, or nil for no samples.
    ///
    /// `percent` is in 0...100; 0 returns the minimum and 100 the maximum.
    public static func nearestRank(_ samples: [Double], percent: Double) -> Double? {
        guard !samples.isEmpty else {
            return nil
        }
        let sorted = samples.sorted()
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
