import Foundation

/// Calendar arithmetic on proleptic Gregorian dates without `Calendar`, which is slow on the hot path.
enum CivilTime {
    /// Days since 1970-01-01 for a Gregorian date (the days-from-civil algorithm of H. Hinnant).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Seconds since the epoch for a wall-clock time read as UTC, or nil when a field is out of range.
    static func epochSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Double) -> Double? {
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              (0...23).contains(hour), (0...59).contains(minute), second >= 0, second < 61 else {
            return nil
        }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3_600 + minute * 60) + second
    }

    /// Converts a wall-clock time in `zone` to a UTC instant, using the zone's offset at that moment.
    static func instant(localEpochSeconds: Double, zone: TimeZone) -> Date {
        if zone.identifier == "GMT" || zone.identifier == "UTC" {
            return Date(timeIntervalSince1970: localEpochSeconds)
        }
        let guess = Date(timeIntervalSince1970: localEpochSeconds - Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: localEpochSeconds))))
        let offset = Double(zone.secondsFromGMT(for: guess))
        return Date(timeIntervalSince1970: localEpochSeconds - offset)
    }

    static let monthAbbreviations = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Reads a three-letter English month name, case-insensitive, as 1-12.
    static func month(named text: Substring) -> Int? {
        guard text.utf8.count == 3 else {
            return nil
        }
        let lowered = text.lowercased()
        guard let index = monthAbbreviations.firstIndex(of: lowered) else {
            return nil
        }
        return index + 1
    }
}
