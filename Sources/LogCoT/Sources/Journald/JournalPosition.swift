import Foundation

/// The last journal entry whose effect is in the state: its cursor and when the journal received it.
public struct JournalPosition: Sendable, Codable, Equatable {
    public var cursor: String
    /// The entry's `__REALTIME_TIMESTAMP` in microseconds since 1970, to resume by time when the
    /// cursor's entry no longer exists.
    public var realtimeMicroseconds: UInt64

    public init(cursor: String, realtimeMicroseconds: UInt64) {
        self.cursor = cursor
        self.realtimeMicroseconds = realtimeMicroseconds
    }
}

/// The journald source's part of each checkpoint.
public struct JournaldSourceState: Sendable, Codable, Equatable {
    /// Nil before the first entry was read.
    public var position: JournalPosition?
    /// Pieces of long lines that wait for their continuation, which lies after `position`.
    public var joiner: JournalLineJoiner

    public init(position: JournalPosition?, joiner: JournalLineJoiner) {
        self.position = position
        self.joiner = joiner
    }
}
