import Foundation
import Synchronization

/// The series of one labeled family, keyed by label values and created on first use.
final class SeriesStore<Series: Sendable>: Sendable {
    let familyName: String
    let labelNames: [String]
    private let makeSeries: @Sendable () -> Series
    private let series = Mutex<[[String]: Series]>([:])

    /// Creates the store. A family without labels gets its one series at once, so it exports zero
    /// before the first update, as the Prometheus client libraries do.
    init(familyName: String, labelNames: [String], makeSeries: @escaping @Sendable () -> Series) {
        self.familyName = familyName
        self.labelNames = labelNames
        self.makeSeries = makeSeries
        if labelNames.isEmpty {
            let single = makeSeries()
            series.withLock { $0[[]] = single }
        }
    }

    /// Returns the series for `values`, creating it when missing.
    func series(for values: [String]) -> Series {
        precondition(values.count == labelNames.count, "metric \(familyName) takes \(labelNames.count) label values \(labelNames), got \(values.count)")
        return series.withLock { all in
            if let existing = all[values] {
                return existing
            }
            let created = makeSeries()
            all[values] = created
            return created
        }
    }

    /// Removes the series for `values`, so it is no longer exported.
    func remove(_ values: [String]) {
        _ = series.withLock { $0.removeValue(forKey: values) }
    }

    func all() -> [(labelValues: [String], series: Series)] {
        series.withLock { $0.map { ($0.key, $0.value) } }
    }
}

extension Atomic where Value == UInt64 {
    /// Adds `delta` to the `Double` whose IEEE 754 bit pattern this atomic stores.
    func addDouble(_ delta: Double) {
        var current = load(ordering: .relaxed)
        while true {
            let updated = (Double(bitPattern: current) + delta).bitPattern
            let (exchanged, original) = compareExchange(expected: current, desired: updated, ordering: .relaxed)
            if exchanged {
                return
            }
            current = original
        }
    }

    func loadDouble() -> Double {
        Double(bitPattern: load(ordering: .relaxed))
    }
}
