import Foundation

/// Settings for the LLM diagnosis step.
public struct LLMConfig: Sendable {
    /// When false, windows are labelled by the TF-IDF model alone.
    public var enabled = true
    public var client = LLMClientConfig(model: "logcot-mistral-7b")
    /// The structured-output constraint that restricts round 2 to the label set.
    public var labelConstraint: LabelConstraint = .jsonSchema
    /// Few-shot examples per class.
    public var examplesPerClass = 3
    /// The estimated token budget of one example's log lines in the prompt.
    public var maxExampleTokens = 256
    /// A prompt template file; unset uses the built-in template.
    public var promptTemplate: String?
    /// A JSON-lines file that receives every prompt sent, for audits; unset writes none.
    public var promptLog: String?
    /// The maximum number of closed windows waiting for or in an LLM diagnosis in `logcot run`.
    /// When it is reached, the next window is labelled by TF-IDF at once. `logcot replay` ignores
    /// it, because it keeps `maxConcurrentRequests` windows in flight and lets the file wait.
    public var maxQueuedWindows = 8
    /// When true, a window labelled by TF-IDF because the LLM failed or its queue was full is
    /// diagnosed again when the LLM answers, and the result is written as a follow-up report.
    public var rediagnose = false
    /// How long a checkpoint of `logcot run` waits for running LLM diagnoses. A window still
    /// running after that gets a `tfidf-fallback` report in the checkpoint. The watchdog is not
    /// pinged meanwhile, so it must stay well below the unit's `WatchdogSec`.
    public var maxCheckpointWait: TimeInterval = 30

    public init() {}

    static let constraintNames: [String: LabelConstraint] = ["json-schema": .jsonSchema, "grammar": .grammar, "none": .none]

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys([
            "enabled", "baseURL", "model", "apiKey", "requestTimeout", "maxConcurrentRequests", "maxRetries",
            "initialBackoff", "maxBackoff", "temperature", "seed", "maxReasoningTokens", "maxAnswerTokens",
            "labelConstraint", "examplesPerClass", "maxExampleTokens", "promptTemplate", "promptLog",
            "maxQueuedWindows", "rediagnose", "maxCheckpointWait",
        ])
        enabled = object.bool("enabled", default: enabled)

        if let text = object.optionalString("baseURL"), !text.isEmpty {
            if let url = URL(string: text), url.scheme == "http" || url.scheme == "https" {
                client.baseURL = url
            } else {
                object.reader.report(object.keyPath("baseURL"), "invalid URL '\(text)'; use http://host:port/v1")
            }
        }
        client.model = object.string("model", default: client.model)
        client.apiKey = object.optionalString("apiKey").flatMap { $0.isEmpty ? nil : $0 }
        client.requestTimeout = .milliseconds(Int64(object.duration("requestTimeout", default: 120) * 1000))
        client.maxConcurrentRequests = object.int("maxConcurrentRequests", default: client.maxConcurrentRequests, range: 1...256)
        client.maxRetries = object.int("maxRetries", default: client.maxRetries, range: 0...100)
        client.initialBackoff = .milliseconds(Int64(object.duration("initialBackoff", default: 0.5) * 1000))
        client.maxBackoff = .milliseconds(Int64(object.duration("maxBackoff", default: 30) * 1000))
        client.temperature = object.double("temperature", default: client.temperature, range: 0...2)
        if object.has("seed") {
            client.seed = object.int("seed", default: 0, range: 0...Int(Int32.max))
        }
        client.maxReasoningTokens = object.int("maxReasoningTokens", default: client.maxReasoningTokens, range: 1...32_768)
        client.maxAnswerTokens = object.int("maxAnswerTokens", default: client.maxAnswerTokens, range: 1...4_096)

        let constraintName = object.choice("labelConstraint", default: "json-schema", choices: ["json-schema", "grammar", "none"])
        labelConstraint = Self.constraintNames[constraintName] ?? .jsonSchema
        examplesPerClass = object.int("examplesPerClass", default: examplesPerClass, range: 0...50)
        maxExampleTokens = object.int("maxExampleTokens", default: maxExampleTokens, range: 16...100_000)
        promptTemplate = object.optionalString("promptTemplate")
        promptLog = object.optionalString("promptLog")
        maxQueuedWindows = object.int("maxQueuedWindows", default: maxQueuedWindows, range: 1...10_000)
        rediagnose = object.bool("rediagnose", default: rediagnose)
        maxCheckpointWait = object.duration("maxCheckpointWait", default: maxCheckpointWait)
        if maxCheckpointWait > 300 {
            object.reader.report(object.keyPath("maxCheckpointWait"), "\(DurationText.format(maxCheckpointWait)) is longer than 5m, so the daemon could stop reading and pinging the watchdog that long; use at most 5m")
            maxCheckpointWait = 300
        }
        if maxQueuedWindows < client.maxConcurrentRequests {
            object.reader.report(object.keyPath("maxQueuedWindows"), "\(maxQueuedWindows) is below maxConcurrentRequests (\(client.maxConcurrentRequests)), so some request slots could never be used; raise it to at least \(client.maxConcurrentRequests)")
        }
    }
}
