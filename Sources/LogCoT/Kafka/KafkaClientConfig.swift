import CRdKafka

/// librdkafka properties for one client, passed through as `rd_kafka_conf_set` takes them.
///
/// LogCoT sets a few properties itself (see `KafkaProducer` and `KafkaConsumer`); the rest come
/// from the config file's `properties` object unchanged.
public struct KafkaClientConfig: Sendable {
    public var properties: [String: String]

    public init(properties: [String: String]) {
        self.properties = properties
    }

    /// Property names whose values are never logged or echoed in errors.
    static func isSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.contains("password") || lowered.contains("secret")
            || lowered == "sasl.oauthbearer.config" || lowered == "ssl.key.pem" || lowered == "ssl_key"
            || lowered == "sasl.username"
    }

    /// The properties for a log line, with secret values replaced by `(hidden)`.
    public var loggable: String {
        properties.keys.sorted().map { "\($0)=\(Self.isSecret($0) ? "(hidden)" : properties[$0]!)" }.joined(separator: ",")
    }

    /// Creates a librdkafka config with every property set; the caller owns the result.
    ///
    /// Throws on the first property that librdkafka rejects, naming it. The value is left out of
    /// the error for secret properties.
    func makeConf(prefix: String) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(operation: "rd_kafka_conf_new", code: -1, message: "out of memory")
        }
        for name in properties.keys.sorted() {
            do {
                try Self.set(conf, name, properties[name]!, prefix: prefix)
            } catch {
                rd_kafka_conf_destroy(conf)
                throw error
            }
        }
        return conf
    }

    static func set(_ conf: OpaquePointer, _ name: String, _ value: String, prefix: String) throws {
        var buffer = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, name, value, &buffer, buffer.count)
        guard result != RD_KAFKA_CONF_OK else {
            return
        }
        let detail: String
        if isSecret(name) {
            detail = result == RD_KAFKA_CONF_UNKNOWN ? "unknown property" : "invalid value (hidden, because the property is secret)"
        } else {
            detail = String(cString: buffer)
        }
        throw KafkaConfigError(property: "\(prefix).\(name)", message: detail)
    }
}

/// A librdkafka property that was rejected, named by its key path in the config file.
public struct KafkaConfigError: Error, Sendable, CustomStringConvertible {
    public var property: String
    public var message: String

    public var description: String {
        "\(property): \(message); see CONFIGURATION.md of librdkafka for the valid properties and values"
    }
}
