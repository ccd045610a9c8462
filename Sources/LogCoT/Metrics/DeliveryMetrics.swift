import Foundation

/// Metrics of the reports between a closed window and the sinks, and of the pauses that bound them.
public struct DeliveryMetrics: Sendable {
    /// Reports diagnosed or being diagnosed but not yet written to every sink.
    public let unwrittenReports: GaugeFamily
    /// The configured `sinks.maxPendingReports`.
    public let unwrittenCapacity: GaugeFamily
    /// 1 while the source waits for report delivery, else 0.
    public let sourcePaused: GaugeFamily
    public let sourcePauses: CounterFamily

    init(registry: MetricsRegistry) {
        unwrittenReports = registry.gauge(
            "logcot_unwritten_reports", help: "Reports of closed windows not yet written to every sink: being diagnosed, waiting for a checkpoint or for delivery.")
        unwrittenCapacity = registry.gauge(
            "logcot_unwritten_reports_capacity", help: "The configured sinks.maxPendingReports: at this many unwritten reports the source pauses.")
        sourcePaused = registry.gauge("logcot_source_paused", help: "1 while reading the source waits because report delivery is behind, else 0.")
        sourcePauses = registry.counter("logcot_source_pauses_total", help: "Times reading the source paused because sinks.maxPendingReports reports were unwritten.")
    }
}
