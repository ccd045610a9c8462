import Foundation

/// A masked line as a window stores it.
public struct WindowLine: Sendable, Equatable, Codable {
    public var timestamp: Date
    /// The masked message.
    public var text: String
    public var template: String
}

/// Per-template statistics of one window.
public struct TemplateStatistics: Sendable, Equatable, Codable {
    public var template: String
    /// The first masked line with this template, shown in prompts and reports.
    public var example: String
    public var count: Int
    public var first: Date
    public var last: Date
}

/// Line counts of one window, as reports show them.
public struct WindowLineCounts: Sendable, Equatable, Codable {
    /// Lines that fell inside the window.
    public var seen = 0
    /// Lines stored verbatim (at most the configured maximum).
    public var stored = 0
    /// Lines past the maximum, kept only as template counts.
    public var compacted = 0
    /// Lines that arrived after a newer line of the same host but still within the allowed lateness.
    /// Lines that arrive after the window closed cannot be in its report; the run summary counts them.
    public var outOfOrder = 0
    /// Lines of this host that failed to parse while the window was open.
    public var rejected = 0
    /// Exact repeats of a stored line (same timestamp and masked text), dropped and not in `seen`.
    public var duplicates = 0

    public init() {}
}

extension WindowLineCounts {
    enum CodingKeys: String, CodingKey {
        case seen, stored, compacted, outOfOrder, rejected, duplicates
    }

    /// Decodes counts, reading a state snapshot saved before `duplicates` existed as zero duplicates.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seen = try container.decode(Int.self, forKey: .seen)
        stored = try container.decode(Int.self, forKey: .stored)
        compacted = try container.decode(Int.self, forKey: .compacted)
        outOfOrder = try container.decode(Int.self, forKey: .outOfOrder)
        rejected = try container.decode(Int.self, forKey: .rejected)
        duplicates = try container.decodeIfPresent(Int.self, forKey: .duplicates) ?? 0
    }
}

/// The lines of one host around one fault, from `fault - before` to `fault + after`.
public struct FaultWindow: Sendable, Codable {
    /// The deterministic report id: the same input yields the same id on every replay and restart.
    public let id: String
    public let host: String
    public let fault: FaultEvent
    public let start: Date
    /// The end as first set; triggers may extend `end`, but the id stays tied to this one.
    public let initialEnd: Date
    public private(set) var end: Date
    /// How many trigger matches extended this window after it opened.
    public private(set) var extensions = 0
    public private(set) var lines: [WindowLine] = []
    public private(set) var templates: [String: TemplateStatistics] = [:]
    public var counts = WindowLineCounts()
    let maxLines: Int
    /// The identities of `lines`, built on first use and not saved, because `lines` rebuilds it.
    private var storedIdentities: Set<LineIdentity>?

    /// The timestamp and masked text, equal for two lines that repeat each other exactly.
    struct LineIdentity: Hashable {
        var timestamp: Date
        var text: String
    }

    enum CodingKeys: String, CodingKey {
        case id, host, fault, start, initialEnd, end, extensions, lines, templates, counts, maxLines
    }

    init(host: String, fault: FaultEvent, before: TimeInterval, after: TimeInterval, maxLines: Int) {
        self.host = host
        self.fault = fault
        self.start = fault.time.addingTimeInterval(-before)
        self.initialEnd = fault.time.addingTimeInterval(after)
        self.end = initialEnd
        self.maxLines = maxLines
        self.id = FaultWindow.reportID(host: host, faultTime: fault.time, start: start, end: initialEnd)
    }

    public func contains(_ time: Date) -> Bool {
        time >= start && time <= end
    }

    /// Adds a line, or counts it in `counts.duplicates` and returns false when it repeats a stored
    /// line exactly: at-least-once inputs (Kafka redelivery, two syslog relays) send such repeats.
    ///
    /// NOTE: only stored lines are compared, so repeats past `maxLines` are counted as compacted
    /// lines. A host that logs the same message twice in one timestamp unit loses the second copy.
    @discardableResult
    mutating func add(_ line: WindowLine) -> Bool {
        let identity = LineIdentity(timestamp: line.timestamp, text: line.text)
        if storedIdentities == nil {
            storedIdentities = Set(lines.map { LineIdentity(timestamp: $0.timestamp, text: $0.text) })
        }
        if storedIdentities?.contains(identity) == true {
            counts.duplicates += 1
            return false
        }

        counts.seen += 1
        if lines.count < maxLines {
            lines.append(line)
            storedIdentities?.insert(identity)
            counts.stored += 1
        } else {
            counts.compacted += 1
        }

        // A storm of distinct lines would grow the template table without limit, so past maxLines
        // templates the new ones share one entry, which keeps the first such line as its example.
        var key = line.template
        if templates[key] == nil, templates.count >= maxLines {
            key = Self.overflowTemplateKey
        }
        if var statistics = templates[key] {
            statistics.count += 1
            statistics.first = min(statistics.first, line.timestamp)
            statistics.last = max(statistics.last, line.timestamp)
            templates[key] = statistics
        } else {
            templates[key] = TemplateStatistics(template: line.template, example: line.text, count: 1, first: line.timestamp, last: line.timestamp)
        }
        return true
    }

    /// The `templates` key under which lines with new templates are counted once the table is full.
    static let overflowTemplateKey = "\u{0}overflow"

    mutating func extend(to newEnd: Date) {
        extensions += 1
        if newEnd > end {
            end = newEnd
        }
    }

    /// Hex of the first 16 bytes of SHA-256 over `host|fault|start|end`, with times in epoch milliseconds.
    static func reportID(host: String, faultTime: Date, start: Date, end: Date) -> String {
        func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        let key = "\(host)|\(millis(faultTime))|\(millis(start))|\(millis(end))"
        let digest = SHA256.hash(Array(key.utf8))
        // Hex digits are built by hand because `String(format:)` per byte was a visible cost per window.
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(32)
        for byte in digest.prefix(16) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

/// Why a window closed.
public enum WindowCloseReason: String, Sendable, Codable {
    /// The host's event-time watermark passed the window's end.
    case watermark
    /// The input went idle and the wall clock passed the window's end.
    case idle
    /// The input ended.
    case endOfInput = "end-of-input"
}

/// A window that closed and awaits diagnosis.
public struct ClosedWindow: Sendable {
    public var window: FaultWindow
    public var reason: WindowCloseReason
}
