import CRdKafka
import Foundation
import Synchronization

/// A partition of a topic.
public struct KafkaTopicPartition: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)/\(partition)" }

    public static func < (lhs: KafkaTopicPartition, rhs: KafkaTopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}

/// A group rebalance that librdkafka announced and the consumer has not applied yet.
public struct KafkaRebalance: Sendable {
    public enum Kind: Sendable {
        case assign
        case revoke
    }

    public var kind: Kind
    public var partitions: [KafkaTopicPartition]
}

/// The state that librdkafka's C callbacks write, reached through the client's opaque pointer.
///
/// The callbacks run on the thread that calls `rd_kafka_poll`, `rd_kafka_flush` or
/// `rd_kafka_consumer_poll`; the mutex makes reading the results safe from any thread.
final class KafkaCallbackContext: @unchecked Sendable {
    private struct State {
        var outcomes: [UInt64: rd_kafka_resp_err_t] = [:]
        var rebalances: [KafkaRebalance] = []
        var appliesRebalances = false
    }

    let logger: Logger
    let clientName: String
    private let state = Mutex(State())

    init(logger: Logger, clientName: String) {
        self.logger = logger
        self.clientName = clientName
    }

    /// Registers the callbacks on `conf` with this context as their opaque pointer.
    ///
    /// The client keeps the context alive for as long as its handle exists.
    func install(on conf: OpaquePointer, deliveryReports: Bool, rebalance: Bool) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_error_cb(conf, kafkaErrorCallback)
        rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
        if deliveryReports {
            rd_kafka_conf_set_dr_msg_cb(conf, kafkaDeliveryCallback)
        }
        if rebalance {
            rd_kafka_conf_set_rebalance_cb(conf, kafkaRebalanceCallback)
        }
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> KafkaCallbackContext? {
        opaque.map { Unmanaged<KafkaCallbackContext>.fromOpaque($0).takeUnretainedValue() }
    }

    func recordDelivery(id: UInt64, error: rd_kafka_resp_err_t) {
        state.withLock { $0.outcomes[id] = error }
    }

    /// Returns the delivery outcomes received since the last call, by message id.
    func takeOutcomes() -> [UInt64: rd_kafka_resp_err_t] {
        state.withLock { state in
            defer { state.outcomes.removeAll() }
            return state.outcomes
        }
    }

    func recordRebalance(_ rebalance: KafkaRebalance) {
        state.withLock { $0.rebalances.append(rebalance) }
    }

    /// Makes the rebalance callback apply assignments itself, as `rd_kafka_consumer_close` needs,
    /// because no caller polls for them any more.
    func applyRebalancesInCallback() {
        state.withLock { $0.appliesRebalances = true }
    }

    var appliesRebalances: Bool {
        state.withLock { $0.appliesRebalances }
    }

    func takeRebalance() -> KafkaRebalance? {
        state.withLock { $0.rebalances.isEmpty ? nil : $0.rebalances.removeFirst() }
    }
}

/// Returns true when the group uses the cooperative protocol.
///
/// `rd_kafka_rebalance_protocol` returns NULL while the protocol is unknown, such as when the member
/// left the group during a close. That counts as eager, because an eager unassign applies in every
/// state.
func kafkaUsesCooperativeProtocol(_ handle: OpaquePointer) -> Bool {
    guard let name = rd_kafka_rebalance_protocol(handle) else {
        return false
    }
    return String(cString: name) == "COOPERATIVE"
}

/// Converts a C partition list into Swift values; the list stays owned by the caller.
func kafkaPartitions(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [(KafkaTopicPartition, Int64)] {
    guard let list, let elements = list.pointee.elems else {
        return []
    }
    return (0..<Int(list.pointee.cnt)).map { index in
        let element = elements[index]
        return (KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition), element.offset)
    }
}

/// Builds a C partition list; the caller destroys it with `rd_kafka_topic_partition_list_destroy`.
func makeKafkaPartitionList(_ entries: [(KafkaTopicPartition, Int64)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
    let list = rd_kafka_topic_partition_list_new(Int32(max(entries.count, 1)))!
    for (partition, offset) in entries {
        let element = rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)!
        element.pointee.offset = offset
    }
    return list
}

private let kafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = { _, code, reason, opaque in
    guard let context = KafkaCallbackContext.from(opaque) else {
        return
    }
    let text = reason.map { String(cString: $0) } ?? ""
    let name = String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: code)))
    // librdkafka retries connection errors itself, including "all brokers down", so they are
    // logged and the client keeps running.
    context.logger.error("kafka client error; librdkafka retries", [
        "client": context.clientName, "error": name, "reason": text,
    ], rateLimitKey: "kafka-error-\(context.clientName)-\(name)")
}

private let kafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { handle, level, facility, text in
    guard let handle, let context = KafkaCallbackContext.from(rd_kafka_opaque(handle)) else {
        return
    }
    let fields = [
        "client": context.clientName,
        "facility": facility.map { String(cString: $0) } ?? "",
        "detail": text.map { String(cString: $0) } ?? "",
    ]
    switch level {
    case ...3: context.logger.error("librdkafka log", fields, rateLimitKey: "kafka-log-\(context.clientName)")
    case 4: context.logger.warning("librdkafka log", fields, rateLimitKey: "kafka-log-\(context.clientName)")
    default: context.logger.debug("librdkafka log", fields)
    }
}

private let kafkaDeliveryCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = { _, message, opaque in
    guard let message, let context = KafkaCallbackContext.from(opaque) else {
        return
    }
    let id = UInt64(UInt(bitPattern: message.pointee._private))
    context.recordDelivery(id: id, error: message.pointee.err)
}

private let kafkaRebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = { handle, code, list, opaque in
    guard let context = KafkaCallbackContext.from(opaque) else {
        return
    }
    let partitions = kafkaPartitions(list).map(\.0)
    if context.appliesRebalances, let handle {
        let cooperative = kafkaUsesCooperativeProtocol(handle)
        switch (code, cooperative) {
        case (RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, true):
            if let error = rd_kafka_incremental_assign(handle, list) { rd_kafka_error_destroy(error) }
        case (RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, false):
            rd_kafka_assign(handle, list)
        case (_, true):
            if let error = rd_kafka_incremental_unassign(handle, list) { rd_kafka_error_destroy(error) }
        case (_, false):
            rd_kafka_assign(handle, nil)
        }
        return
    }
    switch code {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        context.recordRebalance(KafkaRebalance(kind: .assign, partitions: partitions))
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        context.recordRebalance(KafkaRebalance(kind: .revoke, partitions: partitions))
    default:
        // The rebalance_cb example in rdkafka.h (librdkafka 2.0.2) drops the assignment on any other
        // error to keep librdkafka's state in sync.
        context.logger.error("kafka rebalance failed; dropping the assignment", ["error": String(cString: rd_kafka_err2str(code))])
        if let handle {
            rd_kafka_assign(handle, nil)
        }
    }
}
