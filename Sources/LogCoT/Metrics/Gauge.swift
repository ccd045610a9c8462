import Foundation
import Synchronization

/// One gauge series: a value that goes up and down.
public final class Gauge: Sendable {
    private let bits = Atomic<UInt64>(Double(0).bitPattern)

    init() {}

    public func set(_ value: Double) {
        bits.store(value.bitPattern, ordering: .relaxed)
    }

    public func set(_ value: Int) {
        set(Double(value))
    }

    public func increment(by amount: Double = 1) {
        bits.addDouble(amount)
    }

    public func decrement(by amount: Double = 1) {
        bits.addDouble(-amount)
    }

    public var value: Double {
        bits.loadDouble()
    }
}

/// A gauge family: one `Gauge` per combination of label values.
public final class GaugeFamily: MetricFamily {
    public let name: String
    public let help: String
    public var type: MetricType { .gauge }
    public var labelNames: [String] { store.labelNames }
    private let store: SeriesStore<Gauge>

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.store = SeriesStore(familyName: name, labelNames: labelNames) { Gauge() }
    }

    /// Returns the series for the label values, given in the order of `labelNames`.
    public func labels(_ values: String...) -> Gauge {
        store.series(for: values)
    }

    public func labels(_ values: [String]) -> Gauge {
        store.series(for: values)
    }

    /// Sets the only series of a family without labels.
    public func set(_ value: Double) {
        store.series(for: []).set(value)
    }

    public func set(_ value: Int) {
        store.series(for: []).set(value)
    }

    /// Removes a series, such as the lag of a Kafka partition this consumer no longer owns.
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

/// A counter or gauge without labels whose value a closure computes at each scrape, such as the
/// resident memory read from /proc.
public final class CallbackMetric: MetricFamily {
    public let name: String
    public let help: String
    public let type: MetricType
    public var labelNames: [String] { [] }
    private let read: @Sendable () -> Double?

    init(name: String, help: String, type: MetricType, read: @escaping @Sendable () -> Double?) {
        self.name = name
        self.help = help
        self.type = type
        self.read = read
    }

    public func collect() -> MetricFamilySnapshot {
        let series = read().map { [MetricSeriesSnapshot(labelValues: [], value: .number($0))] } ?? []
        return MetricFamilySnapshot(name: name, help: help, type: type, labelNames: [], series: series)
    }
}
