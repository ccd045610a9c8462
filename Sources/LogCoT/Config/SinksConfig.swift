import Foundation

/// Settings for where `logcot run` writes reports.
public struct SinksConfig: Sendable {
    /// The JSON-lines file that reports are appended to, once each; nil writes no file.
    public var filePath: String?
    /// Whether reports also go to standard output, where a crash can repeat one (see docs/journald.md).
    public var stdout = false
    /// The Kafka topic that reports are produced to; nil produces none.
    public var kafka: KafkaSinkConfig?
    /// Reports of closed windows that may be unwritten at once (being diagnosed, waiting for a
    /// checkpoint or for delivery) before `logcot run` stops reading its source until sinks catch up.
    public var maxPendingReports = 1_000

    public init() {}

    /// True when at least one sink is configured.
    public var isEmpty: Bool {
        filePath == nil && !stdout && kafka == nil
    }

    init(reading object: ConfigObject) {
        object.rejectUnknownKeys(["file", "stdout", "kafka", "maxPendingReports"])
        maxPendingReports = object.int("maxPendingReports", default: maxPendingReports, range: 1...1_000_000)
        let file = object.object("file")
        file.rejectUnknownKeys(["path"])
        if object.has("file") {
            filePath = file.optionalString("path")
            if filePath?.isEmpty ?? true {
                object.reader.report(file.keyPath("path"), "missing path; name the JSON-lines file that reports are appended to")
                filePath = nil
            }
        }
        let standardOutput = object.object("stdout")
        standardOutput.rejectUnknownKeys(["enabled"])
        stdout = standardOutput.bool("enabled", default: stdout)
        if object.has("kafka") {
            kafka = KafkaSinkConfig(reading: object.object("kafka"))
        }
    }
}
