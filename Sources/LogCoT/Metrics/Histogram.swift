import Foundation
import Synchronization

/// One histogram series: counts of observations per bucket, their sum and their count.
public final class Histogram: Sendable {
    /// Finite upper bounds in ascending order, without the implicit `+Inf` bucket.
    public let upperBounds: [Double]
    private let state: Mutex<State>

    struct State {
        /// Observations per bucket, not cumulative, with the `+Inf` bucket last.
        var bucketCounts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    init(upperBounds: [Double]) {
        self.upperBounds = upperBounds
        self.state = Mutex(State(bucketCounts: Array(repeating: 0, count: upperBounds.count + 1)))
    }

    /// Records one observation in the first bucket whose upper bound is at least `value`.
    public func observe(_ value: Double) {
        let index = upperBounds.firstIndex { value <= $0 } ?? upperBounds.count
        state.withLock { state in
            state.bucketCounts[index] += 1
            state.sum += value
            state.count += 1
        }
    }

    public func observe(_ value: Int) {
        observe(Double(value))
    }

    public func snapshot() -> HistogramSnapshot {
        let current = state.withLock { $0 }
        var cumulative: UInt64 = 0
        var buckets: [HistogramSnapshot.Bucket] = []
        for (index, bound) in (upperBounds + [.infinity]).enumerated() {
            cumulative += current.bucketCounts[index]
            buckets.append(HistogramSnapshot.Bucket(upperBound: bound, cumulativeCount: cumulative))
        }
        return HistogramSnapshot(buckets: buckets, sum: current.sum, count: current.count)
    }

    /// Returns `count` bounds starting at `start`, each `factor` times the previous one.
    public static func exponentialBuckets(start: Double, factor: Double, count: Int) -> [Double] {
        precondition(start > 0 && factor > 1 && count > 0, "exponential buckets need start > 0, factor > 1 and count > 0")
        var bounds: [Double] = []
        var bound = start
        for _ in 0..<count {
            bounds.append(bound)
            bound *= factor
        }
        return bounds
    }
}

/// A histogram family: one `Histogram` per combination of label values, all with the same buckets.
public final class HistogramFamily: MetricFamily {
    public let name: String
    public let help: String
    public var type: MetricType { .histogram }
    public var labelNames: [String] { store.labelNames }
    public let upperBounds: [Double]
    private let store: SeriesStore<Histogram>

    init(name: String, help: String, labelNames: [String], buckets: [Double]) {
        var bounds = buckets
        if bounds.last == .infinity {
            bounds.removeLast()
        }
        precondition(!bounds.isEmpty, "histogram \(name) needs at least one finite bucket bound")
        precondition(bounds.allSatisfy(\.isFinite), "histogram \(name) has a bucket bound that is not finite: \(bounds)")
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "histogram \(name) bucket bounds must increase strictly: \(bounds)")
        self.name = name
        self.help = help
        let finiteBounds = bounds
        self.upperBounds = finiteBounds
        self.store = SeriesStore(familyName: name, labelNames: labelNames) { Histogram(upperBounds: finiteBounds) }
    }

    /// Returns the series for the label values, given in the order of `labelNames`.
    public func labels(_ values: String...) -> Histogram {
        store.series(for: values)
    }

    public func labels(_ values: [String]) -> Histogram {
        store.series(for: values)
    }

    /// Observes a value in the only series of a family without labels.
    public func observe(_ value: Double) {
        store.series(for: []).observe(value)
    }

    public func collect() -> MetricFamilySnapshot {
        MetricFamilySnapshot(
            name: name, help: help, type: type, labelNames: labelNames,
            series: store.all().map { MetricSeriesSnapshot(labelValues: $0.labelValues, value: .histogram($0.series.snapshot())) }
        )
    }
}
