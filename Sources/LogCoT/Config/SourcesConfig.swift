import Foundation

/// Settings for the inputs that `logcot run` follows.
public struct SourcesConfig: Sendable {
    /// The journald source; nil when the config has no `sources.journald` section.
    public var journald: JournaldSourceConfig?
    /// The Kafka source; nil when the config has no `sources.kafka` section.
    public var kafka: KafkaSourceConfig?

    public init() {}

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys(["journald", "kafka"])
        if object.has("journald") {
            journald = JournaldSourceConfig(reading: object.object("journald"))
        }
        if object.has("kafka") {
            kafka = KafkaSourceConfig(reading: object.object("kafka"))
        }
    }
}

/// Settings for reading the systemd journal.
public struct JournaldSourceConfig: Sendable {
    /// The journal to read: the local journal unless `directory` or `files` is set.
    public var location: JournalLocation = .local
    /// `FIELD=value` matches and `+` separators, applied as `journalctl` applies them.
    public var matches: [String] = []
    /// Priority levels to keep, such as `0...3` for `err` and more severe; nil keeps every level.
    public var priority: ClosedRange<Int>?
    /// The start position when the state store has no saved cursor: `head` (oldest entry) or `tail` (new entries only).
    public var startAt = "tail"
    /// The maximum time one `sd_journal_wait` call blocks, so that idle closing and checkpoints run.
    public var waitTimeout: TimeInterval = 1

    public init() {}

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys(["directory", "files", "matches", "priority", "startAt", "waitTimeout"])
        let directory = object.optionalString("directory")
        let files = object.stringArray("files") ?? []
        switch (directory, files.isEmpty) {
        case (let directory?, true):
            location = .directory(directory)
        case (nil, false):
            location = .files(files)
        case (_?, false):
            object.reader.report(object.keyPath("files"), "set either directory or files, not both")
        case (nil, true):
            location = .local
        }

        matches = object.stringArray("matches") ?? []
        for (index, match) in matches.enumerated() {
            if let problem = JournalMatchExpression.problem(in: match) {
                object.reader.report("\(object.keyPath("matches"))[\(index)]", problem)
            }
        }
        if let text = object.optionalString("priority") {
            priority = JournalMatchExpression.priorityRange(text)
            if priority == nil {
                object.reader.report(object.keyPath("priority"), "invalid priority '\(text)'; use a level such as err, or a range such as warning..crit (names or numbers 0-7)")
            }
        }
        startAt = object.choice("startAt", default: startAt, choices: ["head", "tail"])
        waitTimeout = object.duration("waitTimeout", default: waitTimeout)
        if waitTimeout <= 0 || waitTimeout > 60 {
            object.reader.report(object.keyPath("waitTimeout"), "\(DurationText.format(waitTimeout)) is out of range; use a duration from 1ms to 60s")
            waitTimeout = 1
        }
    }

    /// The match calls for this config.
    public var matchTerms: [JournalMatchTerm] {
        JournalMatchExpression.terms(matches: matches, priority: priority)
    }
}
