import Foundation

/// Produces committed reports to a Kafka topic and tracks which ones the brokers acknowledged.
///
/// Each report becomes one record: the report JSON as the value, the report id as the key, and the
/// headers `schema_version` and `label`. A report counts as delivered only after its delivery report
/// succeeded. A failed delivery is logged and the report is produced again at the next attempt, and
/// a report still in flight is not produced twice by this process.
///
/// Before the first delivery of a process and after a failed one, the sink reads the report topic
/// from the delivery floor (`ReportDeliveryFloor`) to the high watermark. A report whose key is
/// already there counts as acknowledged and is not produced again. That covers a crash after the
/// brokers acknowledged a report and before the state store marked it delivered.
///
/// When this process takes over partitions from another group member, `recognizeReports` reads the
/// topic from that member's floor, so a window it reported is not reported again from here.
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
    private let reader: KafkaTopicReader
    /// True until the topic was read for reports that an earlier process or attempt produced.
    private var needsTopicCheck = true
    /// Per partition of the report topic, an offset before which none of the pending reports is.
    var floor: ReportDeliveryFloor
    /// The floor from which the next delivery reads the reports of previous partition owners; nil
    /// when no read is due.
    private var previousOwnersFloor: ReportDeliveryFloor?
    /// Report ids that the read of previous owners' reports found and no pending report matched yet.
    private var producedByPreviousOwners: Set<String> = []

    public init(config: KafkaSinkConfig, floor: ReportDeliveryFloor?, logger: Logger) throws {
        self.config = config
        self.logger = logger
        self.floor = floor.flatMap { $0.topic == config.topic ? $0 : nil } ?? ReportDeliveryFloor(topic: config.topic, offsets: [:])
        producer = try KafkaProducer(config: config.properties, configPrefix: "sinks.kafka.properties", clientName: "report-producer", logger: logger)
        reader = try KafkaTopicReader(properties: config.properties, configPrefix: "sinks.kafka.properties", clientName: "report-reader", logger: logger)
        logger.info("kafka report sink ready", ["topic": config.topic, "properties": config.properties.loggable])
    }

    /// Produces the reports not yet acknowledged and waits up to `flushTimeout` for their delivery.
    ///
    /// Returns normally when every report in `reports` is acknowledged; throws otherwise, and the
    /// caller retries later with the same reports.
    func deliver(_ reports: [StoredReport], timeout: TimeInterval = flushTimeout) throws {
        try recoverFromFatalError()
        collectOutcomes()
        if needsTopicCheck {
            try acknowledgeReportsInTopic(reports)
            needsTopicCheck = false
        }
        try readReportsOfPreviousOwners()
        acknowledgeReportsOfPreviousOwners(reports)
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
                // A message that timed out may still have reached the topic.
                needsTopicCheck = true
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
        needsTopicCheck = true
        producer = try KafkaProducer(config: config.properties, configPrefix: "sinks.kafka.properties", clientName: "report-producer", logger: logger)
    }

    /// Reads the report topic from the floor to the high watermark and counts every report in
    /// `reports` whose key is there as acknowledged, so it is not produced again.
    private func acknowledgeReportsInTopic(_ reports: [StoredReport]) throws {
        let waiting = reports.filter { !acknowledged.contains($0.sequence) && inFlight[$0.sequence] == nil }
        guard !waiting.isEmpty else {
            return
        }
        let ids = Set(waiting.map(\.reportID))
        var found: Set<String> = []
        let recordsRead = try readKeys(from: floor) { id in
            if ids.contains(id) {
                found.insert(id)
            }
        }
        for report in waiting where found.contains(report.reportID) {
            acknowledged.insert(report.sequence)
        }
        logger.info("checked the report topic for reports produced before", [
            "topic": config.topic, "pending_reports": String(waiting.count),
            "already_in_topic": String(found.count), "records_read": String(recordsRead),
        ])
    }

    /// Reads every partition of the report topic from `start` to the high watermark and passes each
    /// record's key to `visit`. Returns the number of records read.
    private func readKeys(from start: ReportDeliveryFloor, _ visit: (String) -> Void) throws -> Int {
        var recordsRead = 0
        let count = try reader.partitionCount(topic: config.topic, timeout: Self.flushTimeout)
        for number in 0..<Int32(count) {
            let partition = KafkaTopicPartition(topic: config.topic, partition: number)
            let (low, high) = try reader.watermarks(partition, timeout: Self.flushTimeout)
            let offset = max(low, start.offsets[number] ?? low)
            try reader.read(partition, from: offset, to: high, timeout: 30) { message in
                recordsRead += 1
                if let key = message.key {
                    visit(String(decoding: key, as: UTF8.self))
                }
            }
        }
        return recordsRead
    }

    /// Makes the next delivery read the report topic from `previousOwnerFloor`, the delivery floor
    /// that the previous owner of newly assigned partitions saved with their window state.
    ///
    /// The previous owner may have reported windows whose records this process reads again, because
    /// it crashed before it committed their offsets. Pending reports whose id the read finds count
    /// as acknowledged, now and at later deliveries.
    func recognizeReports(producedSince previousOwnerFloor: ReportDeliveryFloor) {
        guard previousOwnerFloor.topic == config.topic else {
            return
        }
        previousOwnersFloor = previousOwnersFloor.map { $0.lowered(to: previousOwnerFloor) } ?? previousOwnerFloor
    }

    private func readReportsOfPreviousOwners() throws {
        guard let start = previousOwnersFloor else {
            return
        }
        var ids: Set<String> = []
        let recordsRead = try readKeys(from: start) { ids.insert($0) }
        producedByPreviousOwners.formUnion(ids)
        previousOwnersFloor = nil
        logger.info("read the reports that previous owners of the assigned partitions produced", [
            "topic": config.topic, "records_read": String(recordsRead), "reports": String(ids.count),
        ])
    }

    // NOTE: the found ids live only in memory, so a crash of this process before it closes those
    // windows again loses them, and the member after it can produce such a report twice. Ids that no
    // pending report matches stay until the process exits.
    private func acknowledgeReportsOfPreviousOwners(_ reports: [StoredReport]) {
        for report in reports where producedByPreviousOwners.contains(report.reportID) && !acknowledged.contains(report.sequence) {
            producedByPreviousOwners.remove(report.reportID)
            acknowledged.insert(report.sequence)
            logger.info("a previous owner of the partition already produced this report; not producing it again", [
                "topic": config.topic, "report_id": report.reportID, "sequence": String(report.sequence),
            ])
        }
    }

    /// Returns the high watermark of every partition of the report topic, for a new delivery floor;
    /// call it only when no report is pending.
    func currentHighWatermarks() throws -> ReportDeliveryFloor {
        var offsets: [Int32: Int64] = [:]
        let count = try reader.partitionCount(topic: config.topic, timeout: Self.flushTimeout)
        for number in 0..<Int32(count) {
            offsets[number] = try reader.watermarks(KafkaTopicPartition(topic: config.topic, partition: number), timeout: Self.flushTimeout).high
        }
        return ReportDeliveryFloor(topic: config.topic, offsets: offsets)
    }

    static func headers(of report: StoredReport) -> [(String, String)] {
        let object = (try? JSONSerialization.jsonObject(with: Data(report.json.utf8))) as? [String: Any] ?? [:]
        let version = (object["schema_version"] as? NSNumber)?.stringValue ?? String(DiagnosisReport.schemaVersion)
        let label = object["label"] as? String ?? ""
        return [("schema_version", version), ("label", label)]
    }
}
