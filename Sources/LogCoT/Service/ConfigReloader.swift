import Foundation

/// Applies the parts of a changed config file that `logcot run` can change while running (SIGHUP).
///
/// `logLevel` and `faults` (trigger mode and rules) take effect for the next record. Every other
/// section needs a restart, because the open journal, the state store, the open windows and the
/// TF-IDF model were built from it. A warning names each such section that changed, and the
/// running daemon keeps its old values.
public struct ConfigReloader {
    public static let reloadableKeys: Set<String> = ["logLevel", "faults"]

    public let path: String
    private var document: [String: JSONValue]
    private let environment: EnvironmentSubstitution

    public init(path: String, environment: EnvironmentSubstitution = EnvironmentSubstitution()) throws {
        self.path = path
        self.environment = environment
        self.document = try Self.readDocument(path)
    }

    private static func readDocument(_ path: String) throws -> [String: JSONValue] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard case .object(let fields) = try JSONValue.parseJSON5(data) else {
            return [:]
        }
        return fields
    }

    /// Reloads the file and applies what can change; an invalid file changes nothing.
    public mutating func reload(into pipeline: Pipeline, logger: Logger) {
        let config: LogCoTConfig
        let newDocument: [String: JSONValue]
        do {
            config = try LogCoTConfig.load(from: URL(fileURLWithPath: path), environment: environment)
            newDocument = try Self.readDocument(path)
        } catch {
            logger.error("config reload failed; the running config stays in effect", ["file": path, "error": String(describing: error)])
            return
        }

        let changed = Set(document.keys).union(newDocument.keys).filter { document[$0] != newDocument[$0] }
        logger.setMinimumLevel(config.logLevel)
        pipeline.applyFaultConfig(config.faults, triggersEnabled: config.faults.triggers != "off")

        let needRestart = changed.subtracting(Self.reloadableKeys).sorted()
        logger.info("config reloaded", [
            "file": path,
            "log_level": config.logLevel.description,
            "trigger_rules": String(config.faults.rules.count),
            "triggers": config.faults.triggers,
        ])
        if !needRestart.isEmpty {
            logger.warning("config sections changed that only a restart applies; they keep their old values", [
                "sections": needRestart.joined(separator: ","),
            ])
        }
        // Later reloads compare against what runs: the applied sections change, the others do not.
        for key in Self.reloadableKeys {
            document[key] = newDocument[key]
        }
    }
}

extension Pipeline {
    /// Replaces the trigger rules and mode for the records that follow.
    public func applyFaultConfig(_ faults: FaultConfig, triggersEnabled: Bool) {
        config.faults = faults
        self.triggersEnabled = triggersEnabled
    }
}
