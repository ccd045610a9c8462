import Foundation

/// Turns timestamp text into UTC instants: zone-less times use the configured zone, and year-less
/// times take the year that puts them nearest the reference time.
public struct TimestampResolver: Sendable {
    /// The zone for times that carry no offset or zone name.
    public var zone: TimeZone

    /// The instant a year-less time is placed nearest to; for live input this is the arrival time.
    public var referenceTime: Date

    public init(zone: TimeZone = .gmt, referenceTime: Date = Date()) {
        self.zone = zone
        self.referenceTime = referenceTime
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.fff]` or RFC 3339 (`T` separator, `Z` or `±HH:MM`); the zone applies when no offset is given.
    public func parseISOLike(_ text: Substring) -> Date? {
        var scanner = DigitScanner(text)
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
              let month = scanner.number(digits: 2), scanner.skip("-"),
              let day = scanner.number(digits: 2) else {
            return nil
        }
        guard scanner.skip("T") || scanner.skip("t") || scanner.skip(" ") else {
            return nil
        }
        guard let hour = scanner.number(digits: 2), scanner.skip(":"),
              let minute = scanner.number(digits: 2), scanner.skip(":"),
              let second = scanner.seconds() else {
            return nil
        }
        guard let local = CivilTime.epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else {
            return nil
        }

        if scanner.atEnd {
            return CivilTime.instant(localEpochSeconds: local, zone: zone)
        }
        guard let offset = scanner.utcOffset(), scanner.atEnd else {
            return nil
        }
        return Date(timeIntervalSince1970: local - Double(offset))
    }

    /// Resolves a year-less wall-clock time to the year that puts it nearest the reference time.
    ///
    /// So `Dec 31 23:59:58` read at `Jan 1 00:00:05` falls in the old year, and `Jan 1 00:00:05`
    /// read at `Dec 31 23:59:58` in the new one. `Feb 29` only exists in leap years, so only those
    /// candidate years count for it.
    public func resolveYearless(month: Int, day: Int, hour: Int, minute: Int, second: Double, zone explicitZone: TimeZone? = nil) -> Date? {
        let zone = explicitZone ?? self.zone
        let referenceYear = Self.year(of: referenceTime, in: zone)

        var best: Date?
        for year in (referenceYear - 1)...(referenceYear + 1) {
            guard let local = CivilTime.epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else {
                continue
            }
            let candidate = CivilTime.instant(localEpochSeconds: local, zone: zone)
            if best == nil || abs(candidate.timeIntervalSince(referenceTime)) < abs(best!.timeIntervalSince(referenceTime)) {
                best = candidate
            }
        }
        return best
    }

    static func year(of date: Date, in zone: TimeZone) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.component(.year, from: date)
    }

    /// Resolves a zone abbreviation such as `UTC`, `PDT` or `CEST`, as Cisco devices print them.
    public static func zone(abbreviation: Substring) -> TimeZone? {
        let upper = abbreviation.uppercased()
        if upper == "UTC" || upper == "GMT" || upper == "Z" {
            return .gmt
        }
        return TimeZone(abbreviation: upper)
    }
}

/// A forward-only reader of ASCII digits and separators inside a substring.
struct DigitScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ text: Substring) {
        bytes = Array(text.utf8)
    }

    var atEnd: Bool { index >= bytes.count }

    mutating func skip(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, index < bytes.count, bytes[index] == ascii else {
            return false
        }
        index += 1
        return true
    }

    mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") {
            index += 1
        }
    }

    /// Reads exactly `digits` ASCII digits.
    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else {
            return nil
        }
        var value = 0
        for offset in 0..<digits {
            let byte = bytes[index + offset]
            guard byte >= 48, byte <= 57 else {
                return nil
            }
            value = value * 10 + Int(byte - 48)
        }
        index += digits
        return value
    }

    /// Reads one or two digits, as syslog writes day-of-month.
    mutating func shortNumber() -> Int? {
        var value = 0
        var count = 0
        while index < bytes.count, count < 2, bytes[index] >= 48, bytes[index] <= 57 {
            value = value * 10 + Int(bytes[index] - 48)
            index += 1
            count += 1
        }
        return count == 0 ? nil : value
    }

    /// Reads `SS` with an optional fraction of any precision.
    mutating func seconds() -> Double? {
        guard let whole = number(digits: 2) else {
            return nil
        }
        var value = Double(whole)
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
            index += 1
            var scale = 0.1
            var count = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                value += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
                count += 1
            }
            if count == 0 {
                return nil
            }
        }
        return value
    }

    /// Reads `Z`, `+HH:MM`, `-HH:MM` or `+HHMM` as seconds east of UTC.
    mutating func utcOffset() -> Int? {
        guard index < bytes.count else {
            return nil
        }
        let sign = bytes[index]
        if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
            index += 1
            return 0
        }
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else {
            return nil
        }
        index += 1
        guard let hours = number(digits: 2) else {
            return nil
        }
        _ = skip(":")
        guard let minutes = number(digits: 2), hours <= 23, minutes <= 59 else {
            return nil
        }
        let offset = hours * 3_600 + minutes * 60
        return sign == UInt8(ascii: "-") ? -offset : offset
    }
}
