import CRdKafka
import Foundation

/// Writes and reads `KafkaPartitionSnapshot`s on the state topic (`sources.kafka.stateTopic`).
///
/// The records of partition number `p` go to state-topic partition `p` modulo the state topic's
/// partition count: the snapshot's JSON in chunk records, then a `KafkaStateManifest` keyed
/// `group.id/p`. The topic should be compacted (`cleanup.policy=compact`), so that the broker keeps
/// the latest record per key. A reader takes the last record of a key between the low and the high
/// watermark.
final class KafkaStateTopic {
    /// How long a write waits for acknowledgements. It is also the producer's `message.timeout.ms`,
    /// so a write that timed out is not delivered after a reader looked for it.
    static let writeTimeout: TimeInterval = 10
    /// How long reading one state-topic partition may take.
    static let readTimeout: TimeInterval = 30

    let topic: String
    let groupID: String
    private let logger: Logger
    private let producer: KafkaProducer
    private let reader: KafkaTopicReader
    private var partitionCount: Int?
    /// Bytes of snapshot JSON per chunk record, below librdkafka's default `message.max.bytes` of
    /// 1,000,000 with room for the key, headers and record overhead.
    let chunkBytes: Int
    /// The last manifest written or read per partition number, whose chunks the next write deletes.
    private var latestManifests: [Int32: KafkaStateManifest] = [:]

    /// Creates the producer and reader; `chunkBytes` nil uses 512 KiB per chunk record.
    init(topic: String, consumerProperties: KafkaClientConfig, chunkBytes: Int? = nil, logger: Logger) throws {
        self.topic = topic
        self.chunkBytes = chunkBytes ?? 512 * 1024
        self.logger = logger
        groupID = consumerProperties.properties["group.id"] ?? ""
        var properties = consumerProperties.properties.filter { !KafkaDeadLetters.consumerProperties.contains($0.key) }
        properties["message.timeout.ms"] = String(Int(Self.writeTimeout * 1_000))
        // Histories of log lines compress well, which keeps the state topic small.
        properties["compression.type"] = properties["compression.type"] ?? "lz4"
        producer = try KafkaProducer(config: KafkaClientConfig(properties: properties), configPrefix: "sources.kafka.properties", clientName: "state-producer", logger: logger)
        reader = try KafkaTopicReader(properties: consumerProperties, configPrefix: "sources.kafka.properties", clientName: "state-reader", logger: logger)
    }

    /// Checks that the state topic exists and that every input topic has the same partition count,
    /// so that one partition number carries both a host's log lines and its fault events.
    ///
    /// Throws `KafkaStateTopicError` when the topics need fixing and `KafkaError` when the brokers
    /// did not respond.
    func checkPartitioning(inputTopics: [String]) throws {
        var counts: [(topic: String, partitions: Int)] = []
        for input in inputTopics {
            counts.append((input, try reader.partitionCount(topic: input, timeout: 10)))
        }
        do {
            partitionCount = try reader.partitionCount(topic: topic, timeout: 10)
        } catch let error as KafkaError where error.code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue {
            throw KafkaStateTopicError(message: "the state topic '\(topic)' does not exist; create it with cleanup.policy=compact, or set sources.kafka.stateTopic to \"\" to keep window state local")
        }
        if Set(counts.map(\.partitions)).count > 1 {
            let listed = counts.map { "'\($0.topic)' has \($0.partitions)" }.joined(separator: ", ")
            throw KafkaStateTopicError(message: "the input topics have different partition counts (\(listed)), but every topic in topics and faultTopic needs the same partition count and host keys, so that a host's lines and fault events share a partition number. Recreate the topics with equal counts, or set stateTopic to \"\" to keep window state local")
        }
        logger.info("kafka state topic ready", [
            "state_topic": topic, "state_partitions": String(partitionCount ?? 0),
            "input_partitions": String(counts.first?.partitions ?? 0),
        ])
    }

    private func statePartition(of partition: Int32) throws -> Int32 {
        guard let partitionCount else {
            throw KafkaStateTopicError(message: "the state topic '\(topic)' was not checked before use")
        }
        return partition % Int32(partitionCount)
    }

    /// Produces the snapshots, waits until the brokers acknowledged all of them, and returns the
    /// bytes of snapshot JSON written.
    ///
    /// Each snapshot goes out as chunk records, and after their acknowledgement as a manifest
    /// (`KafkaStateManifest`). Throws when a record is rejected or not acknowledged within
    /// `writeTimeout`. The chunks of the partition's previous generation are then deleted.
    // NOTE: chunks of a write that failed before its manifest are never deleted, because no manifest
    // names their generation.
    @discardableResult
    func write(_ snapshots: [KafkaPartitionSnapshot]) throws -> Int {
        var byteCount = 0
        var chunks: [(partition: Int32, key: String, value: [UInt8]?)] = []
        var manifests: [(partition: Int32, key: String, value: [UInt8]?)] = []
        var written: [Int32: KafkaStateManifest] = [:]
        for snapshot in snapshots {
            let partitionKey = KafkaPartitionSnapshot.key(groupID: groupID, partition: snapshot.partition)
            let data = try snapshot.encoded()
            byteCount += data.count
            let pieces = KafkaStateManifest.split(data, chunkBytes: chunkBytes)
            let manifest = KafkaStateManifest(generation: UUID().uuidString.lowercased(), chunkCount: pieces.count, byteCount: data.count)
            for (index, piece) in pieces.enumerated() {
                chunks.append((snapshot.partition, manifest.chunkKey(index, partitionKey: partitionKey), Array(piece)))
            }
            manifests.append((snapshot.partition, partitionKey, Array(try JSONEncoder().encode(manifest))))
            written[snapshot.partition] = manifest
        }
        try produceAndWait(chunks)
        try produceAndWait(manifests)

        var tombstones: [(partition: Int32, key: String, value: [UInt8]?)] = []
        for (partition, manifest) in written {
            let partitionKey = KafkaPartitionSnapshot.key(groupID: groupID, partition: partition)
            if let previous = latestManifests[partition], previous.generation != manifest.generation {
                tombstones += (0..<previous.chunkCount).map { (partition, previous.chunkKey($0, partitionKey: partitionKey), nil) }
            }
            latestManifests[partition] = manifest
        }
        do {
            try produceAndWait(tombstones)
        } catch {
            // Stale chunks only take space until a later write deletes them, so this is not fatal.
            logger.warning("deleting old window state chunks failed", ["state_topic": topic, "error": String(describing: error)])
        }
        return byteCount
    }

    private func produceAndWait(_ records: [(partition: Int32, key: String, value: [UInt8]?)]) throws {
        var pending: [UInt64: String] = [:]
        for record in records {
            let id = try producer.produce(
                topic: topic, partition: try statePartition(of: record.partition), key: Array(record.key.utf8),
                value: record.value, headers: [("format_version", String(KafkaStateManifest.formatVersion))])
            pending[id] = record.key
        }

        let deadline = Date().addingTimeInterval(Self.writeTimeout + 1)
        var failures: [String] = []
        while !pending.isEmpty, Date() < deadline {
            producer.poll(timeout: 0.1)
            for (id, outcome) in producer.takeOutcomes() {
                guard let key = pending.removeValue(forKey: id) else {
                    continue
                }
                if let outcome {
                    failures.append("\(key): \(outcome.message)")
                }
            }
        }
        guard failures.isEmpty, pending.isEmpty else {
            let timedOut = pending.values.sorted().map { "\($0): not acknowledged in time" }
            throw KafkaStateTopicError(message: "writing window state to '\(topic)' failed (\((failures + timedOut).joined(separator: "; ")))")
        }
    }

    /// Returns the latest snapshot of each partition number in `partitions` that has one.
    ///
    /// A snapshot whose manifest or chunks do not decode is logged and skipped, so that partition
    /// starts without it.
    func read(partitions: Set<Int32>) throws -> [Int32: KafkaPartitionSnapshot] {
        var wanted: [String: Int32] = [:]
        var statePartitions: Set<Int32> = []
        for partition in partitions {
            wanted[KafkaPartitionSnapshot.key(groupID: groupID, partition: partition)] = partition
            statePartitions.insert(try statePartition(of: partition))
        }

        var manifests: [Int32: (offset: Int64, value: [UInt8])] = [:]
        var chunks: [String: [UInt8]] = [:]
        for statePartition in statePartitions.sorted() {
            let partition = KafkaTopicPartition(topic: topic, partition: statePartition)
            let (low, high) = try reader.watermarks(partition, timeout: 10)
            try reader.read(partition, from: low, to: high, timeout: Self.readTimeout) { message in
                guard let keyBytes = message.key else {
                    return
                }
                let key = String(decoding: keyBytes, as: UTF8.self)
                if let number = wanted[key] {
                    manifests[number] = (message.offset, message.value)
                } else if let slash = key.lastIndex(of: "/"), let generationSlash = key[..<slash].lastIndex(of: "/"),
                          wanted[String(key[..<generationSlash])] != nil {
                    // A chunk; an empty value is a tombstone, because chunks are never empty.
                    chunks[key] = message.value.isEmpty ? nil : message.value
                }
            }
        }

        var snapshots: [Int32: KafkaPartitionSnapshot] = [:]
        for (number, record) in manifests {
            let partitionKey = KafkaPartitionSnapshot.key(groupID: groupID, partition: number)
            do {
                let manifest = try JSONDecoder().decode(KafkaStateManifest.self, from: Data(record.value))
                latestManifests[number] = manifest
                snapshots[number] = try KafkaPartitionSnapshot.decode(try manifest.join(chunks, partitionKey: partitionKey))
            } catch {
                logger.error("a window state record is invalid; the partition starts without it", [
                    "state_topic": topic, "partition": String(number), "offset": String(record.offset), "error": String(describing: error),
                ])
            }
        }
        return snapshots
    }
}

/// A state topic that cannot be used, with the fix.
public struct KafkaStateTopicError: Error, CustomStringConvertible {
    public var message: String

    public var description: String { "sources.kafka.stateTopic: \(message)" }
}
