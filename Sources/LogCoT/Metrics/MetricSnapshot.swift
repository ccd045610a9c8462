import Foundation

/// The Prometheus metric types this registry exports.
public enum MetricType: String, Sendable {
    case counter
    case gauge
    case histogram
}

/// The values of one metric family at one instant, as the exposition format writes them.
public struct MetricFamilySnapshot: Sendable, Equatable {
    public var name: String
    public var help: String
    public var type: MetricType
    public var labelNames: [String]
    /// One entry per label-value combination, or none before the first update.
    public var series: [MetricSeriesSnapshot]

    public init(name: String, help: String, type: MetricType, labelNames: [String], series: [MetricSeriesSnapshot]) {
        self.name = name
        self.help = help
        self.type = type
        self.labelNames = labelNames
        self.series = series
    }
}

/// The value of one series, with label values in the order of the family's `labelNames`.
public struct MetricSeriesSnapshot: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case number(Double)
        case histogram(HistogramSnapshot)
    }

    public var labelValues: [String]
    public var value: Value

    public init(labelValues: [String], value: Value) {
        self.labelValues = labelValues
        self.value = value
    }
}

/// The buckets, sum and count of one histogram series.
public struct HistogramSnapshot: Sendable, Equatable {
    /// Upper bounds in ascending order with cumulative counts, ending with the `+infinity` bound.
    public var buckets: [Bucket]
    public var sum: Double
    public var count: UInt64

    public struct Bucket: Sendable, Equatable {
        public var upperBound: Double
        public var cumulativeCount: UInt64

        public init(upperBound: Double, cumulativeCount: UInt64) {
            self.upperBound = upperBound
            self.cumulativeCount = cumulativeCount
        }
    }

    public init(buckets: [Bucket], sum: Double, count: UInt64) {
        self.buckets = buckets
        self.sum = sum
        self.count = count
    }
}
