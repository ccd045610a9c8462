import Foundation
import Synchronization

/// One counter series: a value that only goes up, reset only by a process restart.
public final class Counter: Sendable {
    private let bits = Atomic<UInt64>(Double(0).bitPattern)

    init() {}

    /// Adds `amount`, which must not be negative.
    public func increment(by amount: Double = 1) {
        precondition(amount >= 0, "a counter cannot decrease; got increment \(amount)")
        bits.addDouble(amount)
    }

    public func increment(by amount: Int) {
        increment(by: Double(amount))
    }

    public var value: Double {
        bits.loadDouble()
    }
}

/// A counter family: one `Counter` per combination of label values.
public final class CounterFamily: MetricFamily {
    public let name: String
    public let help: String
    public var type: MetricType { .counter }
    public var labelNames: [String] { store.labelNames }
    private let store: SeriesStore<Counter>

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.store = SeriesStore(familyName: name, labelNames: labelNames) { Counter() }
    }

    /// Returns the series for the label values, given in the order of `labelNames`.
    public func labels(_ values: String...) -> Counter {
        store.series(for: values)
    }

    public func labels(_ values: [String]) -> Counter {
        store.series(for: values)
    }

    /// Increments the only series of a family without labels.
    public func increment(by amount: Double = 1) {
        store.series(for: []).increment(by: amount)
    }

    public func increment(by amount: Int) {
        store.series(for: []).increment(by: amount)
    }

    public func remove(_ values: String...) {
        store.remove(values)
    }

    public func collect() -> MetricFamilySnapshot {
        MetricFamilySnapshot(
            name: name, help: help, type: type, labelNames: labelNames,
            series: store.all().map { MetricSeriesSnapshot(labelValues: $0.labelValues, value: .number($0.series.value)) }
        )
    }
}
