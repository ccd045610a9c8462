import Foundation

/// The JSON report written for each closed window; docs/report.schema.json describes it.
public struct DiagnosisReport: Sendable, Codable, Equatable {
    public static let schemaVersion = 1

    public struct Fault: Sendable, Codable, Equatable {
        public var time: String
        public var origin: String
        public var detail: String
    }

    public struct Window: Sendable, Codable, Equatable {
        public var start: String
        public var end: String
        public var closedBy: String
        public var extensions: Int
    }

    public struct KeyLineEntry: Sendable, Codable, Equatable {
        public var text: String
        public var count: Int
        public var first: String
        public var last: String
        public var score: Double
    }

    public struct KeyTermEntry: Sendable, Codable, Equatable {
        public var term: String
        public var weight: Double
        public var label: String?
    }

    public struct LineCounts: Sendable, Codable, Equatable {
        public var seen: Int
        public var stored: Int
        public var compacted: Int
        public var kept: Int
        public var outOfOrder: Int
        public var rejected: Int
        /// Exact repeats of a stored line, dropped; absent in reports written before it existed.
        public var duplicates: Int?
    }

    public struct Models: Sendable, Codable, Equatable {
        public var tfidfRevision: Int
        public var tfidfDocuments: Int
        public var tfidfExamples: Int
        public var templates: String
        public var masking: String
    }

    public struct PromptCost: Sendable, Codable, Equatable {
        /// Estimated tokens of the key lines sent to the model.
        public var keptTokens: Int
        /// Estimated tokens had every line of the window been sent.
        public var rawTokens: Int
    }

    public var schemaVersion: Int
    public var reportId: String
    /// The host's pseudonym.
    public var host: String
    /// The original host id for alert routing; absent when `masking.routingHost` is false.
    public var routingHost: String?
    public var fault: Fault
    public var window: Window
    public var label: String?
    public var labelCode: Int?
    public var labelDescription: String?
    public var labelSource: String
    public var scores: [String: Double]
    public var reasoning: String?
    public var keyLines: [KeyLineEntry]
    public var keyTerms: [KeyTermEntry]
    public var lineCounts: LineCounts
    public var models: Models
    public var promptCost: PromptCost
    public var llm: LLMExchange?
    /// The id of the `tfidf-fallback` report that this follow-up report replaces; nil for a first report.
    public var supersedes: String? = nil

    /// Encodes one report as a single line of JSON with sorted keys and snake_case names.
    public func jsonLine() throws -> String {
        String(decoding: try DiagnosisReport.encoder.encode(self), as: UTF8.self)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()
}

/// Formats instants as RFC 3339 in UTC, with milliseconds only when they are not zero.
public enum RFC3339 {
    public static func format(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = Int(millis.quotientAndRemainder(dividingBy: 1000).quotient - (millis < 0 && millis % 1000 != 0 ? 1 : 0))
        let fraction = Int(millis - Int64(seconds) * 1000)
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, secondOfDay / 3_600, secondOfDay / 60 % 60, secondOfDay % 60)
        if fraction != 0 {
            text += String(format: ".%03d", fraction)
        }
        return text + "Z"
    }

    /// Converts days since 1970-01-01 to a Gregorian date, inverting `CivilTime.daysSinceEpoch` (H. Hinnant's civil-from-days).
    static func civilDate(daysSinceEpoch: Int) -> (Int, Int, Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
