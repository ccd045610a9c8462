import Foundation
import Synchronization

/// A registered metric family that can report its current values.
public protocol MetricFamily: AnyObject, Sendable {
    var name: String { get }
    var help: String { get }
    var type: MetricType { get }
    var labelNames: [String] { get }
    func collect() -> MetricFamilySnapshot
}

/// The metric families of one process, in registration order. It is safe to use from any thread.
///
/// Registering a name again returns the existing family when the type and label names match, so
/// two components may ask for the same metric. A mismatch, or an invalid metric or label name, is a
/// programming error and stops the process, as `MustRegister` does in the Go client library.
public final class MetricsRegistry: Sendable {
    private let families = Mutex<[any MetricFamily]>([])

    public init() {}

    public func counter(_ name: String, help: String, labelNames: [String] = []) -> CounterFamily {
        register(CounterFamily(name: name, help: help, labelNames: labelNames))
    }

    public func gauge(_ name: String, help: String, labelNames: [String] = []) -> GaugeFamily {
        register(GaugeFamily(name: name, help: help, labelNames: labelNames))
    }

    /// Registers a histogram with the finite upper bounds `buckets`, to which it adds `+Inf`.
    public func histogram(_ name: String, help: String, labelNames: [String] = [], buckets: [Double]) -> HistogramFamily {
        precondition(!labelNames.contains("le"), "histogram \(name) must not use the label name 'le', which marks its buckets")
        return register(HistogramFamily(name: name, help: help, labelNames: labelNames, buckets: buckets))
    }

    /// Registers a metric without labels whose value `read` computes at each scrape.
    ///
    /// A `nil` value exports no sample, for values that do not exist yet or cannot be read on this system.
    @discardableResult
    public func callback(_ name: String, help: String, type: MetricType, read: @escaping @Sendable () -> Double?) -> CallbackMetric {
        precondition(type != .histogram, "callback metric \(name) must be a counter or a gauge")
        return register(CallbackMetric(name: name, help: help, type: type, read: read))
    }

    /// Returns the current values of every family, in registration order.
    public func collect() -> [MetricFamilySnapshot] {
        families.withLock { $0 }.map { $0.collect() }
    }

    /// Returns every family in the text exposition format.
    public func exposition() -> String {
        TextExposition.render(collect())
    }

    /// Returns the names of the registered families, in registration order.
    public var familyNames: [String] {
        families.withLock { $0.map(\.name) }
    }

    private func register<Family: MetricFamily>(_ family: Family) -> Family {
        precondition(MetricName.isValidMetricName(family.name), "invalid metric name '\(family.name)'; use [a-zA-Z_:][a-zA-Z0-9_:]*")
        for label in family.labelNames {
            precondition(MetricName.isValidLabelName(label), "invalid label name '\(label)' on \(family.name); use [a-zA-Z_][a-zA-Z0-9_]* without a leading __")
        }
        precondition(Set(family.labelNames).count == family.labelNames.count, "metric \(family.name) repeats a label name: \(family.labelNames)")

        return families.withLock { registered in
            if let existing = registered.first(where: { $0.name == family.name }) {
                guard let same = existing as? Family, same.labelNames == family.labelNames else {
                    preconditionFailure("metric \(family.name) is already registered as a \(existing.type.rawValue) with labels \(existing.labelNames)")
                }
                return same
            }
            registered.append(family)
            return family
        }
    }
}

/// The naming rules of the Prometheus data model.
enum MetricName {
    static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isLetterOrUnderscore(first) || first == ":" else {
            return false
        }
        return name.unicodeScalars.allSatisfy { isLetterOrUnderscore($0) || isDigit($0) || $0 == ":" }
    }

    /// Label names match `[a-zA-Z_][a-zA-Z0-9_]*`, except that names starting with `__` are reserved for Prometheus.
    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isLetterOrUnderscore(first), !name.hasPrefix("__") else {
            return false
        }
        return name.unicodeScalars.allSatisfy { isLetterOrUnderscore($0) || isDigit($0) }
    }

    private static func isLetterOrUnderscore(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar)
    }
}
