import Foundation

/// A bound that a benchmark figure is compared against, such as "at least 1,000,000 lines/s".
public struct BenchTarget: Codable, Sendable, Equatable {
    /// Whether the figure must reach the bound from below (`atLeast`) or stay under it (`atMost`).
    public enum Direction: String, Codable, Sendable {
        case atLeast = "at_least"
        case atMost = "at_most"
    }

    public var direction: Direction
    public var bound: Double

    public init(_ direction: Direction, _ bound: Double) {
        self.direction = direction
        self.bound = bound
    }

    /// Returns whether `value` meets the bound.
    public func isMet(by value: Double) -> Bool {
        switch direction {
        case .atLeast: value >= bound
        case .atMost: value <= bound
        }
    }

    /// The bound as a table cell, such as `>= 1000000`.
    public var text: String {
        (direction == .atLeast ? ">= " : "<= ") + BenchFigure.format(bound)
    }
}

/// One measured number of a benchmark run, with its unit and, where the project sets one, its target.
public struct BenchFigure: Codable, Sendable, Equatable {
    /// The benchmark item: `throughput`, `drain3`, `memory`, `prompt`, `latency` or `llm`.
    public var item: String
    /// The measured quantity, such as `sel tianchi pipeline`.
    public var name: String
    /// The measured number, or nil when the measurement could not run (see `note`).
    public var value: Double?
    public var unit: String
    public var target: BenchTarget?
    /// Whether `value` meets `target`; nil without a target or a value.
    public var meetsTarget: Bool?
    /// Context for reading the number, such as the sample size or why it is missing.
    public var note: String?

    public init(item: String, name: String, value: Double?, unit: String, target: BenchTarget? = nil, note: String? = nil) {
        self.item = item
        self.name = name
        self.value = value
        self.unit = unit
        self.target = target
        self.note = note
        if let target, let value {
            meetsTarget = target.isMet(by: value)
        }
    }

    /// Formats a number for the table: integers without decimals, small numbers with four significant digits.
    public static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 {
            return String(Int64(value))
        }
        if abs(value) >= 1000 {
            return String(format: "%.0f", value)
        }
        return String(format: "%.4g", value)
    }
}

/// The machine a benchmark ran on, so that figures from different runs can be compared.
public struct BenchMachine: Codable, Sendable, Equatable {
    public var cores: Int
    public var cpuModel: String
    /// The 1, 5 and 15 minute load averages when the run started and when it ended.
    public var loadAtStart: [Double]
    public var loadAtEnd: [Double]

    public init(cores: Int, cpuModel: String, loadAtStart: [Double], loadAtEnd: [Double] = []) {
        self.cores = cores
        self.cpuModel = cpuModel
        self.loadAtStart = loadAtStart
        self.loadAtEnd = loadAtEnd
    }
}

/// The JSON document that `logcot bench --json` writes.
public struct BenchReport: Codable, Sendable {
    public static let schemaVersion = 1

    public var schemaVersion = BenchReport.schemaVersion
    /// RFC 3339 start time of the run.
    public var startedAt: String
    /// The command line that produced the report, to rerun it.
    public var command: [String]
    /// `release` or `debug`, from how the binary was compiled.
    public var build: String
    public var machine: BenchMachine
    /// Versions of the comparison tools, such as `drain3`.
    public var tools: [String: String]
    public var figures: [BenchFigure]

    public init(startedAt: String, command: [String], build: String, machine: BenchMachine, tools: [String: String], figures: [BenchFigure]) {
        self.startedAt = startedAt
        self.command = command
        self.build = build
        self.machine = machine
        self.tools = tools
        self.figures = figures
    }

    /// Encodes the report as pretty-printed JSON with snake_case keys.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Renders the figures as a plain-text table with one row per figure.
    public func table() -> String {
        let header = ["item", "figure", "value", "unit", "target", "met", "note"]
        let rows = figures.map { figure in
            [
                figure.item,
                figure.name,
                figure.value.map(BenchFigure.format) ?? "-",
                figure.unit,
                figure.target?.text ?? "",
                figure.meetsTarget.map { $0 ? "yes" : "NO" } ?? "",
                figure.note ?? "",
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        return ([header] + rows).map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column] : row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
