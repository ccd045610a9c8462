import Foundation
import Synchronization

/// Metrics of the Kafka source, updated by that source.
public struct KafkaMetrics: Sendable {
    public let consumerLag: KafkaLagGauge

    init(registry: MetricsRegistry) {
        consumerLag = KafkaLagGauge(family: registry.gauge(
            "logcot_kafka_consumer_lag_messages",
            help: "Messages between the partition's high watermark and this consumer's position, by topic and partition.",
            labelNames: ["topic", "partition"]))
    }
}

/// `logcot_kafka_consumer_lag_messages`, one series per assigned partition.
public struct KafkaLagGauge: Sendable {
    public let family: GaugeFamily

    /// Sets the lag of a partition, such as after each poll or statistics callback.
    public func set(topic: String, partition: Int, messages: Int) {
        family.labels(topic, String(partition)).set(messages)
    }

    /// Removes a partition's series when a rebalance revokes it, so the lag of a partition this
    /// consumer no longer reads does not stay frozen on dashboards.
    public func remove(topic: String, partition: Int) {
        family.remove(topic, String(partition))
    }
}

/// Metrics of the journald source, updated by that source.
public struct JournaldMetrics: Sendable {
    public let cursor: JournaldCursorAge

    init(registry: MetricsRegistry) {
        let cursor = JournaldCursorAge()
        registry.callback(
            "logcot_journald_cursor_age_seconds",
            help: "Seconds between now and the realtime timestamp of the last journal entry read. Absent until the first entry.",
            type: .gauge
        ) { cursor.ageSeconds(now: Date()) }
        self.cursor = cursor
    }
}

/// The time of the last journal entry read, from which each scrape computes the cursor age.
///
/// The age grows while the journal is quiet as well as while the reader falls behind, so read it
/// together with the rate of `logcot_records_read_total` for the journald source.
public final class JournaldCursorAge: Sendable {
    private let lastEntryTime = Mutex<Date?>(nil)

    init() {}

    /// Records the realtime timestamp (`__REALTIME_TIMESTAMP`) of the entry just read.
    public func update(entryTime: Date) {
        lastEntryTime.withLock { $0 = entryTime }
    }

    func ageSeconds(now: Date) -> Double? {
        lastEntryTime.withLock { $0 }.map { max(0, now.timeIntervalSince($0)) }
    }
}
