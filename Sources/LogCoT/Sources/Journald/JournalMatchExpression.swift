import Foundation

/// One step of an sd-journal match expression, in the order the calls are made.
public enum JournalMatchTerm: Sendable, Equatable {
    /// `sd_journal_add_match("FIELD=value")`.
    case match(String)
    /// `sd_journal_add_disjunction()`: OR between the terms before and after.
    case disjunction
    /// `sd_journal_add_conjunction()`: AND between everything before and after.
    case conjunction
}

/// Builds and checks the journal filter of `sources.journald`.
///
/// Journal matches compare exact values, so a priority range is the OR of one `PRIORITY=N` match per
/// level: matches on the same field are ORed by sd-journal, matches on different fields ANDed.
/// `priority: "err"` therefore adds `PRIORITY=0` … `PRIORITY=3`, and `priority: "warning..crit"`
/// adds `PRIORITY=2` … `PRIORITY=4`, as `journalctl -p` does.
public enum JournalMatchExpression {
    /// Returns the calls for the configured matches, ANDed with the priority range when given.
    ///
    /// A `+` in `matches` starts a new OR term, as on the journalctl command line, and the priority
    /// range applies to the whole expression.
    public static func terms(matches: [String], priority: ClosedRange<Int>?) -> [JournalMatchTerm] {
        var terms = matches.map { $0 == "+" ? JournalMatchTerm.disjunction : .match($0) }
        if let priority {
            if !terms.isEmpty {
                terms.append(.conjunction)
            }
            terms += priority.map { .match("PRIORITY=\($0)") }
        }
        return terms
    }

    /// Returns why `match` is not a valid `FIELD=value` match, or nil when it is valid.
    public static func problem(in match: String) -> String? {
        if match == "+" {
            return nil
        }
        guard let equals = match.firstIndex(of: "=") else {
            return "invalid match '\(match)'; write FIELD=value, such as _SYSTEMD_UNIT=sshd.service, or + for OR"
        }
        let field = match[..<equals]
        let validField = !field.isEmpty && !field.hasPrefix("__") && field.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_")
        }
        guard validField else {
            return "invalid field name '\(field)'; journal field names use A-Z, 0-9 and _ and do not start with __"
        }
        if field == "PRIORITY" {
            let value = match[match.index(after: equals)...]
            guard value.count == 1, let level = Int(value), (0...7).contains(level) else {
                return "invalid match '\(match)'; PRIORITY matches one level 0-7, so use the priority key for a name or a range such as \"err\" or \"warning..crit\""
            }
        }
        return nil
    }

    /// Parses `LEVEL` (that level and every more severe one) or `FROM..TO`, with names or numbers 0-7.
    public static func priorityRange(_ text: String) -> ClosedRange<Int>? {
        let bounds = text.components(separatedBy: "..")
        switch bounds.count {
        case 1:
            return Severity(name: bounds[0]).map { 0...$0.rawValue }
        case 2:
            guard let from = Severity(name: bounds[0]), let to = Severity(name: bounds[1]) else {
                return nil
            }
            return min(from.rawValue, to.rawValue)...max(from.rawValue, to.rawValue)
        default:
            return nil
        }
    }
}
