import Foundation

/// The daemon's whole configuration, with every default built in so that no file is required.
public struct LogCoTConfig: Sendable {
    public var timeZone: TimeZone = .gmt
    public var logLevel: Logger.Level = .info
    public var parsing = ParsingConfig()
    public var faults = FaultConfig()
    public var windowing = WindowingConfig()
    public var masking = MaskingConfig()
    public var filtering = FilteringConfig()
    public var labels: LabelSet = .serverDefault
    public var state = StateConfig()
    public var llm = LLMConfig()
    public var sources = SourcesConfig()
    public var sinks = SinksConfig()
    public var metrics = MetricsConfig()

    public init() {}

    static let topLevelKeys = ["timeZone", "logLevel", "parsing", "faults", "windowing", "masking", "filtering", "labels", "state", "llm", "sources", "sinks", "metrics"]

    /// Loads a JSON5 file, substituting `${ENV}` in strings, and throws every problem found at once.
    public static func load(from url: URL, environment: EnvironmentSubstitution = EnvironmentSubstitution()) throws -> LogCoTConfig {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ConfigError(source: url.path, issues: [ConfigIssue(path: "(file)", message: "cannot read the file: \(error.localizedDescription)")])
        }
        return try parse(data, source: url.path, environment: environment)
    }

    public static func parse(_ data: Data, source: String, environment: EnvironmentSubstitution = EnvironmentSubstitution()) throws -> LogCoTConfig {
        let document: JSONValue
        do {
            document = try JSONValue.parseJSON5(data)
        } catch {
            throw ConfigError(source: source, issues: [ConfigIssue(path: "(file)", message: "not valid JSON5: \(describeDecodingError(error))")])
        }

        let reader = ConfigReader(environment: environment)
        let config = LogCoTConfig(reading: reader.object(document, at: ""))
        guard reader.issues.isEmpty else {
            throw ConfigError(source: source, issues: reader.issues)
        }
        return config
    }

    init(reading root: ConfigObject) {
        root.rejectUnknownKeys(LogCoTConfig.topLevelKeys)

        if let zoneName = root.optionalString("timeZone") {
            if let zone = TimeZone(identifier: zoneName) {
                timeZone = zone
            } else {
                root.reader.report("timeZone", "unknown time zone '\(zoneName)'; use an IANA name such as UTC or Europe/Berlin")
            }
        }
        let levelName = root.choice("logLevel", default: "info", choices: ["debug", "info", "warning", "error"])
        logLevel = Logger.Level(name: levelName) ?? .info

        parsing = ParsingConfig(reading: root.object("parsing"))
        faults = FaultConfig(reading: root.object("faults"))
        windowing = WindowingConfig(reading: root.object("windowing"))
        masking = MaskingConfig(reading: root.object("masking"))
        filtering = FilteringConfig(reading: root.object("filtering"))
        labels = LabelConfigReader.read(root.object("labels"))
        state = StateConfig(reading: root.object("state"))
        llm = LLMConfig(reading: root.object("llm"))
        sources = SourcesConfig(reading: root.object("sources"))
        sinks = SinksConfig(reading: root.object("sinks"))
        metrics = MetricsConfig(reading: root.object("metrics"))
    }
}

/// Turns a Foundation decoding error into one line that names the position.
func describeDecodingError(_ error: Error) -> String {
    if case DecodingError.dataCorrupted(let context) = error {
        let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
        return underlying ?? context.debugDescription
    }
    return String(describing: error)
}

/// Settings for reading and parsing input lines.
public struct ParsingConfig: Sendable {
    /// Lines longer than this many bytes are cut and marked `truncated`.
    public var maxLineBytes = 65_536
    /// `auto` or one of the names in `LogFormat`.
    public var format = "auto"
    /// Field names for JSON-lines input.
    public var jsonFields = JSONFieldMapping()

    public init() {}

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys(["maxLineBytes", "format", "jsonFields"])
        maxLineBytes = object.int("maxLineBytes", default: maxLineBytes, range: 256...(64 << 20))
        format = object.choice("format", default: format, choices: ["auto"] + LogFormat.allCases.map(\.rawValue))

        let fields = object.object("jsonFields")
        fields.rejectUnknownKeys(["host", "timestamp", "message", "severity"])
        jsonFields = JSONFieldMapping(
            host: fields.string("host", default: jsonFields.host),
            timestamp: fields.string("timestamp", default: jsonFields.timestamp),
            message: fields.string("message", default: jsonFields.message),
            severity: fields.string("severity", default: jsonFields.severity)
        )
    }
}

/// Settings for the per-host time windows.
public struct WindowingConfig: Sendable {
    /// How far before the fault time a window reaches.
    public var before: TimeInterval = 24 * 3_600
    /// How far after the fault time a window reaches.
    public var after: TimeInterval = 10 * 60
    /// The lag of a host's watermark behind its latest timestamp. `nil` keeps windows open until end of input.
    public var allowedLateness: TimeInterval? = 5 * 60
    /// After this long without input, windows whose end lies before the wall clock close.
    public var idleTimeout: TimeInterval = 30
    /// Lines a window keeps verbatim; past this it keeps only per-template counts.
    public var maxLinesPerWindow = 10_000
    /// Recent lines kept per host for fault events that arrive after their lines.
    public var historyMaxLinesPerHost = 10_000
    public var historyMaxBytesPerHost = 4 << 20
    /// Closed windows remembered per host so that lines arriving for them count as late.
    public var closedWindowsRemembered = 16

    public init() {}

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys(["before", "after", "allowedLateness", "idleTimeout", "maxLinesPerWindow", "history", "closedWindowsRemembered"])
        before = object.duration("before", default: before)
        after = object.duration("after", default: after)
        if case .string(let text)? = object.fields["allowedLateness"], text == "unbounded" {
            allowedLateness = nil
        } else {
            allowedLateness = object.duration("allowedLateness", default: allowedLateness ?? 300)
        }
        idleTimeout = object.duration("idleTimeout", default: idleTimeout)
        maxLinesPerWindow = object.int("maxLinesPerWindow", default: maxLinesPerWindow, range: 1...10_000_000)
        closedWindowsRemembered = object.int("closedWindowsRemembered", default: closedWindowsRemembered, range: 0...10_000)

        let history = object.object("history")
        history.rejectUnknownKeys(["maxLinesPerHost", "maxBytesPerHost"])
        historyMaxLinesPerHost = history.int("maxLinesPerHost", default: historyMaxLinesPerHost, range: 0...10_000_000)
        historyMaxBytesPerHost = history.int("maxBytesPerHost", default: historyMaxBytesPerHost, range: 0...(1 << 34))
    }
}

/// Settings for the pseudonymisation of sensitive values.
public struct MaskingConfig: Sendable {
    /// The HMAC key. When unset, a built-in key is used and a warning is logged.
    public var secret: String?
    public var kinds: Set<PseudonymKind> = Set(PseudonymKind.allCases)
    public var serialPatterns: [String] = []
    /// Whether reports carry the original host id in `routing_host` for alert routing.
    public var routingHost = true

    public init() {}

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys(["secret", "kinds", "serialPatterns", "routingHost"])
        secret = object.optionalString("secret").flatMap { $0.isEmpty ? nil : $0 }
        if let names = object.stringArray("kinds") {
            var parsed: Set<PseudonymKind> = []
            for name in names {
                if let kind = PseudonymKind(rawValue: name) {
                    parsed.insert(kind)
                } else {
                    object.reader.report("\(object.keyPath("kinds"))", "unknown kind '\(name)'; use any of \(PseudonymKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            kinds = parsed
        }
        serialPatterns = object.stringArray("serialPatterns") ?? []
        for (index, pattern) in serialPatterns.enumerated() where (try? NSRegularExpression(pattern: pattern)) == nil {
            object.reader.report("\(object.keyPath("serialPatterns"))[\(index)]", "invalid regular expression '\(pattern)'")
        }
        routingHost = object.bool("routingHost", default: routingHost)
    }
}

/// Settings for template scoring and the prompt budget.
public struct FilteringConfig: Sendable {
    /// The estimated token budget for a window's kept lines.
    public var promptBudgetTokens = 1_024
    /// How many key terms a report lists.
    public var keyTerms = 10
    /// A pool file (JSON lines, or the authors' JSON array) whose examples train the class weights.
    public var poolFile: String?

    public init() {}

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys(["promptBudgetTokens", "keyTerms", "poolFile"])
        promptBudgetTokens = object.int("promptBudgetTokens", default: promptBudgetTokens, range: 16...1_000_000)
        keyTerms = object.int("keyTerms", default: keyTerms, range: 0...1_000)
        poolFile = object.optionalString("poolFile")
    }
}

/// Settings for the SQLite state store.
public struct StateConfig: Sendable {
    /// The SQLite file, or `:memory:` for state that ends with the process.
    public var path = ":memory:"
    /// `logcot run` commits a checkpoint at least this often while input arrives.
    public var checkpointInterval: TimeInterval = 5
    /// `logcot run` also commits after this many records, to bound the work a crash repeats.
    public var checkpointRecords = 1_000

    public init() {}

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys(["path", "checkpointInterval", "checkpointRecords"])
        path = object.string("path", default: path)
        checkpointInterval = object.duration("checkpointInterval", default: checkpointInterval)
        checkpointRecords = object.int("checkpointRecords", default: checkpointRecords, range: 1...1_000_000)
    }
}

enum LabelConfigReader {
    static func read(_ object: ConfigObject) -> LabelSet {
        object.rejectUnknownKeys(["set", "fallback"])
        guard let items = object.array("set") else {
            return .serverDefault
        }

        var labels: [FaultLabel] = []
        for item in items {
            let entry = object.reader.object(item.value, at: item.path)
            entry.rejectUnknownKeys(["id", "code", "description"])
            guard let id = entry.optionalString("id"), !id.isEmpty else {
                object.reader.report(item.path, "missing 'id'; give each label a short id such as \"memory\"")
                continue
            }
            let code = entry.int("code", default: labels.count + 1, range: 0...1_000_000)
            let description = entry.string("description", default: id)
            labels.append(FaultLabel(id: id, code: code, description: description))
        }

        do {
            return try LabelSet(labels: labels, fallbackID: object.optionalString("fallback"))
        } catch {
            object.reader.report(object.keyPath("set"), error.description)
            return .serverDefault
        }
    }
}
