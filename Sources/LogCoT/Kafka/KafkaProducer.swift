import CRdKafka
import Foundation

/// An idempotent librdkafka producer (`enable.idempotence=true`, `acks=all`) with delivery reports.
///
/// `produce` queues a message and returns its id. `poll` or `flush` serves the delivery reports, and
/// `takeOutcomes` returns which ids the brokers acknowledged and which failed. librdkafka retries a
/// message until `message.timeout.ms` passes, and only then reports a failure.
public final class KafkaProducer {
    /// Properties LogCoT sets on every producer, after the configured ones.
    public static let requiredProperties = ["enable.idempotence": "true", "acks": "all"]

    private let handle: OpaquePointer
    private let context: KafkaCallbackContext
    private var nextID: UInt64 = 1

    /// Creates the producer; `configPrefix` is the config key path used in property errors.
    public init(config: KafkaClientConfig, configPrefix: String, clientName: String, logger: Logger) throws {
        var properties = config.properties
        properties.merge(Self.requiredProperties) { _, required in required }
        let conf = try KafkaClientConfig(properties: properties).makeConf(prefix: configPrefix)
        context = KafkaCallbackContext(logger: logger, clientName: clientName)
        context.install(on: conf, deliveryReports: true, rebalance: false)

        var buffer = [CChar](repeating: 0, count: 512)
        // rd_kafka_new takes ownership of conf on success only.
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &buffer, buffer.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(operation: "creating the kafka producer for \(configPrefix)", code: -1, message: String(cString: buffer))
        }
        self.handle = handle
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// Queues one message and returns its id for `takeOutcomes`.
    ///
    /// `partition` nil lets librdkafka's partitioner choose by key, and `value` nil produces a
    /// tombstone, which deletes the key from a compacted topic. Throws when librdkafka rejects
    /// the message at once, for example because its local queue (`queue.buffering.max.messages`)
    /// is full.
    public func produce(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, headers: [(String, String)]) throws -> UInt64 {
        let id = nextID
        nextID += 1
        let headerList = rd_kafka_headers_new(headers.count)!
        for (name, headerValue) in headers {
            let bytes = Array(headerValue.utf8)
            rd_kafka_header_add(headerList, name, -1, bytes, bytes.count)
        }
        let result = (value ?? []).withUnsafeBytes { valueBytes in
            (key ?? []).withUnsafeBytes { keyBytes in
                logcot_rd_kafka_produce(
                    handle, topic, partition ?? RD_KAFKA_PARTITION_UA,
                    key == nil ? nil : keyBytes.baseAddress, key == nil ? 0 : keyBytes.count,
                    value == nil ? nil : valueBytes.baseAddress, value == nil ? 0 : valueBytes.count,
                    headerList, UnsafeMutableRawPointer(bitPattern: UInt(id)))
            }
        }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            rd_kafka_headers_destroy(headerList)
            throw KafkaError(operation: "produce to topic '\(topic)'", code: result)
        }
        return id
    }

    /// Serves delivery reports and errors for up to `timeout` seconds.
    public func poll(timeout: TimeInterval = 0) {
        rd_kafka_poll(handle, Int32(timeout * 1_000))
    }

    /// Waits until every queued message has a delivery report or `timeout` seconds pass.
    public func flush(timeout: TimeInterval) {
        _ = rd_kafka_flush(handle, Int32(timeout * 1_000))
    }

    /// Messages queued or in flight.
    public var queueLength: Int {
        Int(rd_kafka_outq_len(handle))
    }

    /// Returns the delivery outcomes since the last call: nil for an acknowledged message, else its error.
    public func takeOutcomes() -> [UInt64: KafkaError?] {
        context.takeOutcomes().mapValues { code in
            code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(operation: "delivering a message", code: code)
        }
    }

    /// The fatal error that stops an idempotent producer, such as a broken sequence; nil while it works.
    public var fatalError: KafkaError? {
        var buffer = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &buffer, buffer.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else {
            return nil
        }
        return KafkaError(operation: "idempotent producer", code: code.rawValue, message: String(cString: buffer))
    }
}
