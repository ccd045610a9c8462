import Foundation

/// The metrics this process exports, registered all at once so that `/metrics` lists every family,
/// including those whose components are not running, from the first scrape.
public final class LogCoTMetrics: Sendable {
    public let registry: MetricsRegistry
    public let pipeline: PipelineMetrics
    public let llm: LLMMetrics
    public let kafka: KafkaMetrics
    public let journald: JournaldMetrics
    public let delivery: DeliveryMetrics

    /// Registers every family in `registry`. Tests pass a fresh registry to observe one run alone.
    public init(registry: MetricsRegistry = MetricsRegistry()) {
        self.registry = registry
        pipeline = PipelineMetrics(registry: registry)
        llm = LLMMetrics(registry: registry)
        kafka = KafkaMetrics(registry: registry)
        journald = JournaldMetrics(registry: registry)
        delivery = DeliveryMetrics(registry: registry)
        ProcessMetrics.register(in: registry)
        BuildInfo.register(in: registry)
    }
}

/// The process-wide metrics, such as `Metrics.llm.requests.increment(outcome: .success)`.
///
/// Touching any member registers every family in `Metrics.registry`, which `MetricsServer` serves.
public enum Metrics {
    public static let shared = LogCoTMetrics()

    public static var registry: MetricsRegistry { shared.registry }
    public static var pipeline: PipelineMetrics { shared.pipeline }
    public static var llm: LLMMetrics { shared.llm }
    public static var kafka: KafkaMetrics { shared.kafka }
    public static var journald: JournaldMetrics { shared.journald }
    public static var delivery: DeliveryMetrics { shared.delivery }
}
