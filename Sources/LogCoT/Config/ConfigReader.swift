import Foundation

/// One problem found in a config file, with the key path where it sits.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    /// The dotted key path, such as `windowing.before` or `labels.set[2].code`.
    public var path: String
    public var message: String

    public var description: String {
        "\(path): \(message)"
    }
}

/// All problems of one config file, reported together.
public struct ConfigError: Error, CustomStringConvertible {
    public var source: String
    public var issues: [ConfigIssue]

    public var description: String {
        var lines = ["invalid config \(source): \(issues.count) problem\(issues.count == 1 ? "" : "s")"]
        lines += issues.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// Walks one object of a decoded config, reads typed values and collects every problem with its path.
///
/// Each getter returns the default when the key is absent, and records an issue (and returns the
/// default) when the value has the wrong type or range, so one pass reports every problem at once.
public final class ConfigReader {
    public private(set) var issues: [ConfigIssue] = []
    let environment: EnvironmentSubstitution

    public init(environment: EnvironmentSubstitution = EnvironmentSubstitution()) {
        self.environment = environment
    }

    public func report(_ path: String, _ message: String) {
        issues.append(ConfigIssue(path: path, message: message))
    }

    /// Returns the object at `path`, or an empty one when the key is absent or the value is not an object.
    public func object(_ value: JSONValue?, at path: String) -> ConfigObject {
        switch value {
        case nil, .null?:
            return ConfigObject(reader: self, path: path, fields: [:])
        case .object(let fields)?:
            return ConfigObject(reader: self, path: path, fields: fields)
        case let other?:
            report(path, "expected an object, found \(other.typeName)")
            return ConfigObject(reader: self, path: path, fields: [:])
        }
    }
}

/// One config object with the keys its section accepts.
public struct ConfigObject {
    let reader: ConfigReader
    public let path: String
    public let fields: [String: JSONValue]

    func keyPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// Reports every key not in `known`, naming the closest known key.
    public func rejectUnknownKeys(_ known: [String]) {
        for key in fields.keys.sorted() where !known.contains(key) {
            var message = "unknown key"
            if let suggestion = closestMatch(key, in: known) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += "; known keys are \(known.joined(separator: ", "))"
            }
            reader.report(keyPath(key), message)
        }
    }

    public func object(_ key: String) -> ConfigObject {
        reader.object(fields[key], at: keyPath(key))
    }

    public func has(_ key: String) -> Bool {
        if case .null? = fields[key] { return false }
        return fields[key] != nil
    }

    public func string(_ key: String, default defaultValue: String) -> String {
        optionalString(key) ?? defaultValue
    }

    /// Reads a string after `${ENV}` substitution; a missing variable is an issue.
    public func optionalString(_ key: String) -> String? {
        guard let value = fields[key] else {
            return nil
        }
        return resolveString(value, at: keyPath(key))
    }

    func resolveString(_ value: JSONValue, at path: String) -> String? {
        switch value {
        case .null:
            return nil
        case .string(let text):
            let (substituted, missing) = reader.environment.substitute(text)
            for name in missing {
                reader.report(path, "environment variable \(name) is not set; set it or write ${\(name):-default}")
            }
            return substituted
        default:
            reader.report(path, "expected a string, found \(value.typeName)")
            return nil
        }
    }

    public func bool(_ key: String, default defaultValue: Bool) -> Bool {
        switch fields[key] {
        case nil, .null?:
            return defaultValue
        case .bool(let value)?:
            return value
        case .string(let text)?:
            let resolved = resolveString(.string(text), at: keyPath(key)) ?? ""
            if let value = Bool(resolved.lowercased()) {
                return value
            }
            reader.report(keyPath(key), "expected true or false, found '\(resolved)'")
            return defaultValue
        case let other?:
            reader.report(keyPath(key), "expected a boolean, found \(other.typeName)")
            return defaultValue
        }
    }

    public func int(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) -> Int {
        let number: Double
        switch fields[key] {
        case nil, .null?:
            return defaultValue
        case .number(let value)?:
            number = value
        case .string(let text)?:
            let resolved = resolveString(.string(text), at: keyPath(key)) ?? ""
            guard let value = Double(resolved) else {
                reader.report(keyPath(key), "expected a whole number, found '\(resolved)'")
                return defaultValue
            }
            number = value
        case let other?:
            reader.report(keyPath(key), "expected a whole number, found \(other.typeName)")
            return defaultValue
        }
        guard number.rounded() == number, let value = Int(exactly: number) else {
            reader.report(keyPath(key), "expected a whole number, found \(number)")
            return defaultValue
        }
        guard range.contains(value) else {
            reader.report(keyPath(key), "\(value) is out of range; use a value from \(range.lowerBound) to \(range.upperBound)")
            return defaultValue
        }
        return value
    }

    public func double(_ key: String, default defaultValue: Double, range: ClosedRange<Double>) -> Double {
        switch fields[key] {
        case nil, .null?:
            return defaultValue
        case .number(let value)?:
            guard range.contains(value) else {
                reader.report(keyPath(key), "\(value) is out of range; use a value from \(range.lowerBound) to \(range.upperBound)")
                return defaultValue
            }
            return value
        case let other?:
            reader.report(keyPath(key), "expected a number, found \(other.typeName)")
            return defaultValue
        }
    }

    /// Reads a duration given as a number of seconds or as text such as `500ms`, `30s`, `10m`, `24h`, `7d`.
    public func duration(_ key: String, default defaultValue: TimeInterval) -> TimeInterval {
        switch fields[key] {
        case nil, .null?:
            return defaultValue
        case .number(let seconds)? where seconds >= 0:
            return seconds
        case .string(let text)?:
            let resolved = resolveString(.string(text), at: keyPath(key)) ?? ""
            if let seconds = DurationText.parse(resolved) {
                return seconds
            }
            reader.report(keyPath(key), "invalid duration '\(resolved)'; write a number with a unit such as 500ms, 30s, 10m, 24h or 7d")
            return defaultValue
        case let other?:
            reader.report(keyPath(key), "expected a duration such as \"10m\", found \(other.typeName)")
            return defaultValue
        }
    }

    public func array(_ key: String) -> [(path: String, value: JSONValue)]? {
        switch fields[key] {
        case nil, .null?:
            return nil
        case .array(let items)?:
            return items.enumerated().map { ("\(keyPath(key))[\($0.offset)]", $0.element) }
        case let other?:
            reader.report(keyPath(key), "expected an array, found \(other.typeName)")
            return nil
        }
    }

    public func stringArray(_ key: String) -> [String]? {
        guard let items = array(key) else {
            return nil
        }
        return items.compactMap { resolveString($0.value, at: $0.path) }
    }

    /// Reads a string that must be one of `choices`.
    public func choice(_ key: String, default defaultValue: String, choices: [String]) -> String {
        guard let value = optionalString(key) else {
            return defaultValue
        }
        guard choices.contains(value) else {
            reader.report(keyPath(key), "invalid value '\(value)'; use one of \(choices.joined(separator: ", "))")
            return defaultValue
        }
        return value
    }

    public func stringMap(_ key: String) -> [String: String] {
        let nested = object(key)
        var result: [String: String] = [:]
        for (name, value) in nested.fields {
            if let text = nested.resolveString(value, at: nested.keyPath(name)) {
                result[name] = text
            }
        }
        return result
    }
}

/// Parses short duration text such as `10m` into seconds.
public enum DurationText {
    public static func parse(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)]
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count)
            if let value = Double(number), value >= 0 {
                return value * unit.seconds
            }
        }
        if let seconds = Double(trimmed), seconds >= 0 {
            return seconds
        }
        return nil
    }

    /// Formats seconds the way config files write them, such as `24h` or `90s`.
    public static func format(_ seconds: TimeInterval) -> String {
        if seconds >= 86_400, seconds.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(seconds / 86_400))d" }
        if seconds >= 3_600, seconds.truncatingRemainder(dividingBy: 3_600) == 0 { return "\(Int(seconds / 3_600))h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        if seconds.rounded() == seconds { return "\(Int(seconds))s" }
        return "\(Int((seconds * 1000).rounded()))ms"
    }
}

/// Returns the candidate within edit distance 2 of `word`, if exactly one is closest.
func closestMatch(_ word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else {
        return nil
    }
    return best.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let left = Array(a.utf8)
    let right = Array(b.utf8)
    var previous = Array(0...right.count)
    for (i, x) in left.enumerated() {
        var current = [i + 1]
        for (j, y) in right.enumerated() {
            current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
        }
        previous = current
    }
    return previous[right.count]
}
