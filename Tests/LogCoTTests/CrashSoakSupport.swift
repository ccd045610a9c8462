import Foundation

@testable import LogCoT

/// Settings of the crash-safety soak, read from the environment that `make soak` sets.
///
/// `LOGCOT_SOAK=1` enables the soak, `SOAK_KILLS` sets the number of SIGKILLs per source (20),
/// `SOAK_SEED` seeds the kill points (1), so a failing run can be repeated exactly.
enum SoakSettings {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var enabled: Bool {
        environment["LOGCOT_SOAK"] == "1"
    }

    static var kills: Int {
        Int(environment["SOAK_KILLS"] ?? "") ?? 20
    }

    static var seed: UInt64 {
        UInt64(environment["SOAK_SEED"] ?? "") ?? 1
    }

    /// True when the soak is requested and what it needs exists; in CI a missing piece fails it.
    static var runnable: Bool {
        enabled && KafkaMockCluster.available && TestSupport.sharedDataAvailable
    }
}

/// SplitMix64, a small seeded generator, so that the kill points repeat for a given seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One point at which the soak kills `logcot run`.
enum SoakKillPoint: CustomStringConvertible {
    /// SIGKILL from the test, this many milliseconds after the daemon logged its partition assignment.
    case signal(milliseconds: Int)
    /// A `LOGCOT_TEST_KILL_AT` value: the daemon kills itself at that step of its protocol.
    case hook(String)

    var description: String {
        switch self {
        case .signal(let milliseconds): "signal after \(milliseconds) ms"
        case .hook(let value): value
        }
    }

    /// Draws a point within one part of the input: a quarter are signals at a random time, and the
    /// rest are spread evenly over three protocol steps (a record processed, a report committed, a
    /// report acknowledged). `records` and `reports` are the work of one part.
    ///
    /// A debug build processes all of test A in well under a second after it joined the group, so
    /// one part of 21 takes a few tens of milliseconds, which bounds the delays.
    static func random(records: Int, reports: Int, using generator: inout SeededGenerator) -> SoakKillPoint {
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: return .signal(milliseconds: Int.random(in: 0...30, using: &generator))
        case 1: return .hook("record:\(Int.random(in: 1...max(1, records), using: &generator))")
        case 2: return .hook("report-committed:\(Int.random(in: 1...max(1, reports), using: &generator))")
        default: return .hook("report-written:\(Int.random(in: 1...max(1, reports), using: &generator))")
        }
    }
}

/// Test A of the Tianchi SEL data set (server event logs with repair tickets), turned into the
/// inputs of `logcot run`: JSON records for Kafka, journal entries, and one fault event per ticket.
struct TianchiTestA {
    struct Line {
        var host: String
        /// RFC 3339 with `Z`; the data set's times have no zone and are read as UTC.
        var timestamp: String
        var message: String
    }

    var lines: [Line] = []
    /// Fault events as `{"host", "fault_time"}` records, in file order.
    var tickets: [(key: String, value: String)] = []

    init() throws {
        let logs = try String(contentsOf: TestSupport.sharedFile("tianchi-sel/preliminary_sel_log_dataset_a.csv"), encoding: .utf8)
        for row in logs.split(separator: "\n").dropFirst() {
            // sn,time,msg,server_model; a message with commas is quoted.
            let fields = CSV.splitRow(String(row))
            guard fields.count == 4 else {
                throw TestFailure("unexpected log row '\(row)'")
            }
            let message = fields[2].trimmingCharacters(in: .whitespaces)
            lines.append(Line(host: fields[0], timestamp: Self.rfc3339(Substring(fields[1])), message: message))
        }

        let submit = try String(contentsOf: TestSupport.sharedFile("tianchi-sel/preliminary_submit_dataset_a.csv"), encoding: .utf8)
        for row in submit.split(separator: "\n").dropFirst() {
            let fields = row.split(separator: ",")
            guard fields.count == 2 else {
                throw TestFailure("unexpected ticket row '\(row)'")
            }
            tickets.append((key: String(fields[0]), value: try Self.json(["host": String(fields[0]), "fault_time": Self.rfc3339(fields[1])])))
        }
    }

    /// `2020-09-02 11:38:40` becomes `2020-09-02T11:38:40Z`.
    static func rfc3339(_ text: Substring) -> String {
        text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "T") + "Z"
    }

    static func json(_ object: [String: String]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Returns the log lines as `logs` records keyed by host.
    func kafkaRecords() throws -> [(key: String, value: String)] {
        try lines.map { (key: $0.host, value: try Self.json(["host": $0.host, "timestamp": $0.timestamp, "message": $0.message])) }
    }

    /// Returns the log lines as journal entries. The receive time rises by 1 ms per entry, as journald's
    /// own clock would, and `_SOURCE_REALTIME_TIMESTAMP` carries the line's time, which LogCoT prefers.
    /// A journal file must not go back in receive time, so the data set's own times, which do,
    /// can only be source times.
    func journalEntries() -> [Data] {
        lines.enumerated().map { index, line in
            let source = Int64(TestSupport.utc(line.timestamp).timeIntervalSince1970 * 1_000_000)
            let received = Int64(JournalFixture.baseMicroseconds) + Int64(index) * 1_000
            let text = "__REALTIME_TIMESTAMP=\(received)\n_HOSTNAME=\(line.host)\n_SOURCE_REALTIME_TIMESTAMP=\(source)\nMESSAGE=\(line.message)\n\n"
            return Data(text.utf8)
        }
    }
}

/// Every record read from the report topic across the soak, by offset.
///
/// Once a later read lacked the first 143 records that an earlier read returned, so each read adds
/// to what earlier reads returned. NOTE: the cause (mock broker or kcat) is not known.
final class SoakTopic: @unchecked Sendable {
    private(set) var records: [Int: Kcat.Record] = [:]
    private(set) var lowestOffsetOnLastRead = 0

    var reportIDs: Int {
        Set(records.values.compactMap(\.key)).count
    }

    func read(from cluster: KafkaMockCluster) async throws {
        let read = try await Kcat.consume(topic: "diagnoses", bootstrap: cluster.bootstrapServers)
        for record in read {
            records[record.offset] = record
        }
        lowestOffsetOnLastRead = read.map(\.offset).min() ?? 0
    }
}

/// The reports on the report topic, counted per ticket.
///
/// A ticket is one record of the `fault-events` topic, named `PARTITION@OFFSET` as in the report's
/// `fault.detail`, because the topic has several partitions and an offset alone is not unique.
struct SoakTally {
    var records = 0
    var distinctKeys = 0
    /// Records beyond the first for each report id.
    var duplicates = 0
    /// Tickets (fault-events `PARTITION@OFFSET`) with no report.
    var missing: [String] = []
    /// Tickets with more than one report, with their count.
    var repeated: [String: Int] = [:]
    /// Reports that belong to no ticket, such as a trigger-rule window.
    var unexpected = 0

    init(records: [Kcat.Record], tickets: [String]) throws {
        self.records = records.count
        distinctKeys = Set(records.compactMap(\.key)).count
        duplicates = records.count - distinctKeys

        var perTicket: [String: Int] = [:]
        for record in records {
            let report = try DiagnosisReport.decoder.decode(DiagnosisReport.self, from: Data((record.payload ?? "").utf8))
            guard report.fault.origin == "ticket" else {
                unexpected += 1
                continue
            }
            // The detail is `TOPIC/PARTITION@OFFSET`; the topic part is left out of the ticket name.
            let ticket = report.fault.detail.split(separator: "/").last.map(String.init) ?? report.fault.detail
            perTicket[ticket, default: 0] += 1
        }
        let known = Set(tickets)
        missing = tickets.filter { perTicket[$0] == nil }
        repeated = perTicket.filter { $0.value > 1 }
        unexpected += perTicket.keys.filter { !known.contains($0) }.count
    }

    var summary: String {
        "\(records) records, \(distinctKeys) distinct report ids, \(duplicates) duplicates, \(missing.count) tickets without a report, \(repeated.count) tickets with more than one, \(unexpected) unexpected"
    }
}
