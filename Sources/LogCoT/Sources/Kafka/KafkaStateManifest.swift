import Foundation

/// The state topic's record under `group.id/partition`: which chunk records make up the partition's
/// latest `KafkaPartitionSnapshot`.
///
/// A snapshot can exceed one Kafka message, because it carries every host's history, so its JSON
/// is split into chunk records keyed `group.id/partition/generation/index`. The manifest is written
/// after every chunk is acknowledged, so a reader never sees a manifest whose chunks are missing.
/// Each write uses a new generation, so a write that fails halfway leaves the previous snapshot
/// readable. The previous generation's chunks are then deleted with tombstones.
public struct KafkaStateManifest: Codable, Sendable, Equatable {
    public static let formatVersion = 1

    public var formatVersion: Int
    public var generation: String
    public var chunkCount: Int
    public var byteCount: Int

    public init(generation: String, chunkCount: Int, byteCount: Int) {
        formatVersion = Self.formatVersion
        self.generation = generation
        self.chunkCount = chunkCount
        self.byteCount = byteCount
    }

    /// The key of chunk `index`, below the manifest's key `partitionKey`.
    public func chunkKey(_ index: Int, partitionKey: String) -> String {
        "\(partitionKey)/\(generation)/\(index)"
    }

    /// Splits `data` into chunks of at most `chunkBytes` bytes; empty data gives one empty chunk.
    public static func split(_ data: Data, chunkBytes: Int) -> [Data] {
        guard !data.isEmpty else {
            return [Data()]
        }
        return stride(from: 0, to: data.count, by: chunkBytes).map { start in
            data.subdata(in: start..<min(start + chunkBytes, data.count))
        }
    }

    /// Joins the chunks named by this manifest from `chunks`, a map from record key to value.
    ///
    /// Throws when a chunk is missing or the total size differs from `byteCount`.
    public func join(_ chunks: [String: [UInt8]], partitionKey: String) throws -> Data {
        var data = Data()
        for index in 0..<chunkCount {
            guard let chunk = chunks[chunkKey(index, partitionKey: partitionKey)] else {
                throw KafkaStateTopicError(message: "chunk \(index) of \(chunkCount) of '\(partitionKey)' generation \(generation) is missing")
            }
            data.append(contentsOf: chunk)
        }
        guard data.count == byteCount else {
            throw KafkaStateTopicError(message: "the chunks of '\(partitionKey)' generation \(generation) have \(data.count) bytes, expected \(byteCount)")
        }
        return data
    }
}
