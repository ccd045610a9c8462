import Foundation

/// A minimal parser for `--option value`, `--option value value...` and `--flag` arguments.
struct CommandLineArguments {
    private(set) var options: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positional: [String] = []

    /// Parses arguments; options in `multiValued` take every value up to the next `--option`.
    init(_ arguments: [String], flags knownFlags: Set<String>, options knownOptions: Set<String>, multiValued: Set<String> = []) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                positional.append(argument)
                continue
            }

            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }

            if knownFlags.contains(name) {
                flags.insert(name)
                continue
            }
            guard knownOptions.contains(name) else {
                let known = (knownFlags.union(knownOptions)).sorted().map { "--\($0)" }.joined(separator: ", ")
                throw UsageError("unknown option '--\(name)'; known options are \(known)")
            }

            var values: [String] = []
            if let inlineValue {
                values.append(inlineValue)
            } else {
                while index < arguments.count, !arguments[index].hasPrefix("--") || arguments[index] == "-" {
                    values.append(arguments[index])
                    index += 1
                    if !multiValued.contains(name) {
                        break
                    }
                }
            }
            guard !values.isEmpty else {
                throw UsageError("option '--\(name)' needs a value")
            }
            options[name, default: []] += values
        }
    }

    func value(_ name: String) -> String? {
        options[name]?.last
    }

    func values(_ name: String) -> [String] {
        options[name] ?? []
    }

    func has(_ flag: String) -> Bool {
        flags.contains(flag)
    }
}

/// A command-line mistake; the message says what to change.
struct UsageError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
