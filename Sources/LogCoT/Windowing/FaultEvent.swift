import Foundation

/// A fault to diagnose: a ticket from a file or topic, or a trigger rule that matched a log line.
public struct FaultEvent: Sendable, Equatable, Codable {
    public enum Origin: String, Sendable, Codable {
        case ticket
        case trigger
    }

    public var host: String
    public var time: Date
    public var origin: Origin
    /// The trigger rule's name, or the ticket's source file and line.
    public var detail: String

    public init(host: String, time: Date, origin: Origin, detail: String) {
        self.host = host
        self.time = time
        self.origin = origin
        self.detail = detail
    }
}

/// A rule that turns matching log lines into fault events.
public struct TriggerRule: Sendable {
    public var name: String
    public var pattern: String
    /// Lines at or above this severity match even without a pattern match; `nil` ignores severity.
    public var minimumSeverity: Severity?
    let regex: NSRegularExpression?
    /// Lower-case ASCII words of which every pattern match contains at least one; empty when unknown.
    let requiredWords: RequiredWords

    public init(name: String, pattern: String?, minimumSeverity: Severity? = nil) throws {
        try self.init(name: name, pattern: pattern, minimumSeverity: minimumSeverity, requiredWords: [])
    }

    /// Creates a rule whose regular expression runs only on messages that contain one of
    /// `requiredWords` (ignoring ASCII case) or that are not ASCII.
    ///
    /// The caller guarantees that every match of `pattern` in ASCII text contains one of the words.
    init(name: String, pattern: String?, minimumSeverity: Severity? = nil, requiredWords: [String]) throws {
        self.name = name
        self.pattern = pattern ?? ""
        self.minimumSeverity = minimumSeverity
        self.regex = try pattern.map { try NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }
        self.requiredWords = RequiredWords(requiredWords)
    }

    /// Returns true when the message matches the pattern or the severity reaches the threshold.
    public func matches(_ record: LogRecord) -> Bool {
        if let minimumSeverity, let severity = record.severity, severity >= minimumSeverity {
            return true
        }
        guard let regex else {
            return false
        }
        if requiredWords.excludes(record.message) {
            return false
        }
        let range = NSRange(record.message.startIndex..., in: record.message)
        return regex.firstMatch(in: record.message, range: range) != nil
    }

    /// Rules for faults that need diagnosis on servers and switches alike.
    public static let defaults: [TriggerRule] = [
        // `try!` is safe: the patterns are literals checked by the unit tests.
        // Each rule's required words appear in every alternative of its pattern, so the regular
        // expression only runs on lines that could match.
        try! TriggerRule(name: "uncorrectable-ecc", pattern: #"uncorrectable\s+ecc|\buce\b"#, requiredWords: ["uncorrectable", "uce"]),
        try! TriggerRule(
            name: "processor-caterr-ierr",
            pattern: #"(?<![a-z])(cat_?err|ierr)(?![a-z])|catastrophic|processor.*(machine check|internal error)"#,
            requiredWords: ["cat", "ierr", "processor"]
        ),
        try! TriggerRule(name: "interface-link-down", pattern: #"changed state to (administratively )?down|\blink (is )?down\b|IF_DOWN|LINK-3-UPDOWN.*down"#, requiredWords: ["down"]),
        try! TriggerRule(name: "critical-fault", pattern: #"FAULT_CRITICAL"#, requiredWords: ["fault_critical"]),
    ]
}

/// Settings for where fault events come from.
public struct FaultConfig: Sendable {
    /// `auto` runs trigger rules only when no ticket source is given; `on` and `off` force it.
    public var triggers = "auto"
    public var rules: [TriggerRule] = TriggerRule.defaults

    public init() {}

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys(["triggers", "rules"])
        triggers = object.choice("triggers", default: triggers, choices: ["auto", "on", "off"])
        guard let items = object.array("rules") else {
            return
        }

        var parsed: [TriggerRule] = []
        for item in items {
            let entry = object.reader.object(item.value, at: item.path)
            entry.rejectUnknownKeys(["name", "pattern", "minimumSeverity"])
            let name = entry.string("name", default: "rule-\(parsed.count + 1)")
            let pattern = entry.optionalString("pattern")
            var severity: Severity?
            if let severityName = entry.optionalString("minimumSeverity") {
                severity = Severity(name: severityName)
                if severity == nil {
                    object.reader.report("\(item.path).minimumSeverity", "unknown severity '\(severityName)'; use emerg, alert, crit, err, warning, notice, info or debug")
                }
            }
            if pattern == nil && severity == nil {
                object.reader.report(item.path, "a rule needs 'pattern', 'minimumSeverity' or both")
                continue
            }
            do {
                parsed.append(try TriggerRule(name: name, pattern: pattern, minimumSeverity: severity))
            } catch {
                object.reader.report("\(item.path).pattern", "invalid regular expression '\(pattern ?? "")': \(error.localizedDescription)")
            }
        }
        rules = parsed
    }
}
