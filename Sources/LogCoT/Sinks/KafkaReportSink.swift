import Foundation

/// Produces committed reports to a Kafka topic and tracks which ones the brokers acknowledged.
///
/// Each report becomes one record: the report JSON as the value, the report id as the key, and the
/// headers `schema_version` and `label`. A report counts as delivered only after its delivery report
/// succeeded. A failed delivery is logged and the report is produced again at the next attempt, and
/// a report still in flight is not produced twice by this process.
public final class KafkaReportSink {
    /// How long one delivery attempt waits for delivery reports before the daemon loop goes on.
    static let flushTimeout: TimeInterval = 5

    public let config: KafkaSinkConfig
    private let logger: Logger
    private var producer: KafkaProducer
    /// Message ids of reports produced and not yet acknowledged, by report sequence.
    private var inFlight: [Int64: UInt64] = [:]
    /// Report sequences whose delivery succeeded and that are not yet marked delivered.
    private var acknowledged: Set<Int64> = []

    public init(config: KafkaSinkConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        producer = try KafkaProducer(config: config.properties, configPrefix: "sinks.kafka.properties", clientName: "report-producer", logger: logger)
        logger.info("kafka report sink ready", ["topic": config.topic, "properties": config.properties.loggable])
    }

    /// Produces the reports not yet acknowledged and waits up to `flushTimeout` for their delivery.
    ///
    /// Returns normally when every report in `reports` is acknowledged; throws otherwise, and the
    /// caller retries later with the same reports.
    func deliver(_ reports: [StoredReport], timeout: TimeInterval = flushTimeout) throws {
        try recoverFromFatalError()
        collectOutcomes()
        for report in reports where !acknowledged.contains(report.sequence) && inFlight[report.sequence] == nil {
            let headers = Self.headers(of: report)
            inFlight[report.sequence] = try producer.produce(
                topic: config.topic, key: Array(report.reportID.utf8), value: Array(report.json.utf8), headers: headers)
        }

        let deadline = Date().addingTimeInterval(timeout)
        while reports.contains(where: { inFlight[$0.sequence] != nil }), Date() < deadline {
            producer.poll(timeout: min(0.1, max(0, deadline.timeIntervalSinceNow)))
            collectOutcomes()
        }

        let missing = reports.filter { !acknowledged.contains($0.sequence) }
        guard missing.isEmpty else {
            throw KafkaError(operation: "produce reports to topic '\(config.topic)'", code: -1,
                             message: "\(missing.count) of \(reports.count) reports not acknowledged yet")
        }
    }

    /// Forgets reports that the state store has marked delivered.
    func markedDelivered(_ sequences: [Int64]) {
        acknowledged.subtract(sequences)
    }

    /// Waits for messages in flight before the process exits.
    func close(timeout: TimeInterval) {
        producer.flush(timeout: timeout)
        collectOutcomes()
    }

    private func collectOutcomes() {
        let outcomes = producer.takeOutcomes()
        guard !outcomes.isEmpty else {
            return
        }
        for (sequence, id) in inFlight {
            guard let outcome = outcomes[id] else {
                continue
            }
            inFlight[sequence] = nil
            if let error = outcome {
                logger.error("kafka delivery of a report failed; producing it again at the next attempt", [
                    "topic": config.topic, "sequence": String(sequence), "error": error.description,
                ], rateLimitKey: "kafka-report-delivery")
            } else {
                acknowledged.insert(sequence)
            }
        }
    }

    /// Replaces a producer that hit a fatal idempotence error, because librdkafka cannot recover it.
    private func recoverFromFatalError() throws {
        guard let fatal = producer.fatalError else {
            return
        }
        logger.error("kafka report producer failed fatally; creating a new one and producing the unacknowledged reports again", [
            "error": fatal.description, "in_flight": String(inFlight.count),
        ])
        inFlight.removeAll()
        producer = try KafkaProducer(config: config.properties, configPrefix: "sinks.kafka.properties", clientName: "report-producer", logger: logger)
    }

    static func headers(of report: StoredReport) -> [(String, String)] {
        let object = (try? JSONSerialization.jsonObject(with: Data(report.json.utf8))) as? [String: Any] ?? [:]
        let version = (object["schema_version"] as? NSNumber)?.stringValue ?? String(DiagnosisReport.schemaVersion)
        let label = object["label"] as? String ?? ""
        return [("schema_version", version), ("label", label)]
    }
}
