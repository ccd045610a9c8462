import Foundation

/// A deterministic generator of SEL CSV rows (`sn,time,msg,server_model`) for load tests.
///
/// Hosts take turns and each row advances the event clock by `secondsPerLine`. Messages come from a
/// fixed list of IPMI SEL events with varying sensor numbers, so that masking, templating and the
/// trigger rules see the same kinds of text as on real servers. About one row in
/// `1 / faultShare` is an uncorrectable ECC or CATERR event that opens a window under the default
/// trigger rules.
public struct SyntheticSEL: Sendable {
    public let hostCount: Int
    public let start: Date
    public let secondsPerLine: Double
    public let faultShare: Double
    private var state: UInt64
    private var produced = 0

    static let routineEvents = [
        "Memory CPU%dA%d_DIMM_Stat | Correctable ECC | Asserted",
        "Processor CPU%d_Status | Presence detected | Asserted",
        "Temperature CPU%d_Temp | Upper Non-critical going high | Asserted",
        "Temperature CPU%d_Temp | Upper Non-critical going high | Deasserted",
        "Power Supply PS%d_Status | Presence detected | Asserted",
        "Power Supply PS%d_Status | Power Supply AC lost | Asserted",
        "System Event #0x%d | Timestamp Clock Sync | Asserted",
        "System ACPI Power State ACPI_PWR_Status | S0/G0: working | Asserted",
        "Button Button_Pressed | State Asserted | Asserted",
        "Fan FAN%d_Speed | Lower Critical going low | Asserted",
        "Drive Slot / Bay DISK%d_Status | Drive Present | Asserted",
        "Event Logging Disabled SEL_Status | Log area reset/cleared | Asserted",
        "OS Boot #0xe%d | boot completed - device not specified | Asserted",
        "Microcontroller BMC_Boot_Up | Device Enabled | Asserted",
    ]
    static let faultEvents = [
        "Memory CPU%dB%d_DIMM_Stat | Uncorrectable ECC | Asserted",
        "Processor CPU_CATERR | State Asserted | Asserted",
    ]

    /// - Parameters:
    ///   - hostCount: distinct serial numbers, at least 1.
    ///   - faultShare: share of rows that are fault events, in 0...1.
    ///   - seed: any value; the same seed yields the same rows.
    public init(hostCount: Int, start: Date = Date(timeIntervalSince1970: 1_600_000_000), secondsPerLine: Double = 0.01, faultShare: Double = 0.0001, seed: UInt64 = 1) {
        self.hostCount = max(1, hostCount)
        self.start = start
        self.secondsPerLine = secondsPerLine
        self.faultShare = faultShare
        self.state = seed
    }

    /// Returns the next `count` rows.
    public mutating func next(_ count: Int) -> [String] {
        var rows: [String] = []
        rows.reserveCapacity(count)
        for _ in 0..<count {
            rows.append(nextRow())
        }
        return rows
    }

    /// Returns the serial number of host `index`, 12 lowercase hex digits like the Tianchi data.
    public static func serial(_ index: Int) -> String {
        let hex = String(UInt64(index) &* 0x9E37_79B9 & 0xFFFF_FFFF_FFFF, radix: 16)
        return String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    private mutating func nextRow() -> String {
        let host = produced % hostCount
        let time = start.addingTimeInterval(Double(produced) * secondsPerLine)
        produced += 1

        let draw = random()
        let isFault = Double(draw % 1_000_000) < faultShare * 1_000_000
        let list = isFault ? Self.faultEvents : Self.routineEvents
        let pieces = (isFault ? Self.faultPieces : Self.routinePieces)[Int((draw >> 20) % UInt64(list.count))]
        let numbers = [Int((draw >> 40) % 4), Int((draw >> 44) % 8)]
        var message = pieces[0]
        for (index, piece) in pieces.dropFirst().enumerated() {
            message += String(numbers[index]) + piece
        }
        return "\(Self.serial(host)),\(Self.timestampText(time)), \(message),SM\(host % 7)"
    }

    // The event patterns split at each `%d`, because `String(format:)` would dominate the generator's time.
    static let routinePieces = routineEvents.map { $0.components(separatedBy: "%d") }
    static let faultPieces = faultEvents.map { $0.components(separatedBy: "%d") }

    /// SplitMix64, a small generator whose output depends only on the seed.
    private mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// Formats `YYYY-MM-DD HH:MM:SS` in UTC without Foundation's date formatter, which is slow.
    static func timestampText(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days.quotient)
        let second = days.remainder
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2) + " "
            + padded(second / 3600, 2) + ":" + padded(second / 60 % 60, 2) + ":" + padded(second % 60, 2)
    }

    /// Converts days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func civilDate(daysSinceEpoch: Int) -> (Int, Int, Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
