import Foundation
import LogCoT

/// One input format that the fuzzer feeds with arbitrary bytes.
///
/// Each target parses the bytes the way the daemon does. It checks that no input crashes it and
/// that results stay inside their domain: a parsed label belongs to the label set, and a parsed
/// record has a host.
enum FuzzTarget: String, CaseIterable {
    case selCSV = "sel-csv"
    case jsonLines = "jsonl"
    case syslog
    case timestamp
    case tickets
    case config
    case labelAnswer = "label-answer"

    static let resolver = TimestampResolver(zone: .gmt, referenceTime: Date(timeIntervalSince1970: 1_717_200_000))
    static let labels = LabelSet.serverDefault
    static let labelParser = LabelParser(labels: labels)

    /// Runs one input; a violated property stops the process, so that the fuzzer records the input.
    func run(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        switch self {
        case .selCSV:
            Self.checkLines(text, ParserFactory.make(.selCSV, resolver: Self.resolver))
        case .jsonLines:
            Self.checkLines(text, ParserFactory.make(.jsonLines, resolver: Self.resolver))
        case .syslog:
            Self.checkLines(text, ParserFactory.make(.syslog, resolver: Self.resolver))
        case .timestamp:
            Self.checkTimestamp(data, text: text)
        case .tickets:
            let loader = TicketLoader(resolver: Self.resolver)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                _ = loader.parse(RawLine(text: String(line), origin: "fuzz", position: index + 1))
            }
        case .config:
            _ = try? LogCoTConfig.parse(data, source: "fuzz", environment: EnvironmentSubstitution(environment: [:]))
        case .labelAnswer:
            if case .label(let label) = Self.labelParser.parse(text) {
                require(Self.labels.labels.contains(label), "the label parser returned '\(label.id)', which is not in the label set")
            }
        }
    }

    private static func checkLines(_ text: String, _ parser: any LineParser) {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if case .record(let record) = parser.parse(RawLine(text: String(line), origin: "fuzz", position: index + 1)) {
                require(!record.host.isEmpty, "a parsed record has an empty host for input line '\(line)'")
            }
        }
    }

    /// Reads the first bytes as numbers for the yearless resolver and the rest as text.
    private static func checkTimestamp(_ data: Data, text: String) {
        _ = resolver.parseISOLike(Substring(text))
        _ = TimestampResolver.zone(abbreviation: Substring(text.prefix(8)))
        let bytes = [UInt8](data.prefix(5)) + [UInt8](repeating: 0, count: max(0, 5 - data.count))
        _ = resolver.resolveYearless(
            month: Int(Int8(bitPattern: bytes[0])), day: Int(Int8(bitPattern: bytes[1])),
            hour: Int(Int8(bitPattern: bytes[2])), minute: Int(Int8(bitPattern: bytes[3])), second: Double(Int8(bitPattern: bytes[4])))
    }
}

/// Stops the process with `message` when `condition` is false, in every build configuration.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data("fuzz property violated: \(message())\n".utf8))
        abort()
    }
}
