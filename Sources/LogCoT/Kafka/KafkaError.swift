import CRdKafka

/// A failed librdkafka call or a failed message, with librdkafka's error name and text.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// The failed operation, such as `produce to topic 'diagnoses'`.
    public var operation: String
    /// librdkafka's `rd_kafka_resp_err_t` value; negative values are local errors.
    public var code: Int32
    public var message: String

    public init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    init(operation: String, code: rd_kafka_resp_err_t) {
        self.init(operation: operation, code: code.rawValue, message: String(cString: rd_kafka_err2str(code)))
    }

    public var description: String {
        "\(operation) failed: \(message) (librdkafka error \(code))"
    }
}
