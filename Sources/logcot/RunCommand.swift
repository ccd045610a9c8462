import Foundation
import LogCoT

/// `logcot run --config FILE`: the daemon, as systemd runs it.
enum RunCommand {
    static let usage = """
        Usage: logcot run --config FILE [--metrics-address HOST:PORT]

        Follows the journal named in sources.journald and consumes the Kafka topics named in
        sources.kafka (either or both), diagnoses each fault window and delivers one JSON report per window to
        sinks.file.path, sinks.kafka.topic and standard output (sinks.stdout.enabled).
        Runs until SIGTERM or SIGINT, then saves the source position and the open windows to
        state.path and exits 0. SIGHUP reloads logLevel and faults; other changes need a restart.
        Notifies systemd (Type=notify) when NOTIFY_SOCKET is set. See docs/journald.md and
        docs/kafka.md.
        Serves /metrics, /healthz and /readyz on metrics.address (127.0.0.1:9464 by default) when
        metrics.enabled; --metrics-address overrides the address. See docs/operations.md.
        """

    static func main(_ arguments: [String]) async -> Int32 {
        let logger = Logger(label: "run")
        let configPath: String
        var metricsAddress: MetricsAddress?
        do {
            let parsed = try CommandLineArguments(arguments, flags: [], options: ["config", "metrics-address"])
            if let text = parsed.value("metrics-address") {
                do {
                    metricsAddress = try MetricsAddress(parsing: text)
                } catch {
                    throw UsageError("invalid --metrics-address '\(text)': \(error)")
                }
            }
            guard parsed.positional.isEmpty else {
                throw UsageError("unexpected argument '\(parsed.positional[0])'")
            }
            guard let path = parsed.value("config") else {
                throw UsageError("missing --config; name the JSON5 config file")
            }
            configPath = path
        } catch {
            printError("logcot run: \(error)\n\n\(usage)")
            return 2
        }

        let config: LogCoTConfig
        let hooks: TestHooks
        do {
            config = try LogCoTConfig.load(from: URL(fileURLWithPath: configPath))
            guard config.sources.journald != nil || config.sources.kafka != nil else {
                throw UsageError("\(configPath): no source is configured; `logcot run` needs sources.journald, such as sources: { journald: {} } for the local journal, or sources.kafka")
            }
            guard !config.sinks.isEmpty else {
                throw UsageError("\(configPath): no sink is configured; set sinks.file.path, sinks.kafka or sinks.stdout.enabled")
            }
            hooks = try TestHooks()
        } catch {
            printError(String(describing: error))
            return 2
        }
        logger.setMinimumLevel(config.logLevel)

        let signals = SignalMonitor(logger: logger)
        var metricsServer: MetricsServer?
        if config.metrics.enabled || metricsAddress != nil {
            do {
                ReadinessRegistry.shared.register(StateStoreWritableCheck(path: config.state.path))
                metricsServer = try MetricsServer(address: metricsAddress ?? config.metrics.address, logger: logger.child("metrics"))
            } catch {
                logger.error("cannot start the metrics server", ["error": String(describing: error)])
                return 1
            }
        }
        defer { metricsServer?.stop() }
        do {
            if let kafka = config.sources.kafka {
                let runner = KafkaDaemonRunner(configPath: configPath, config: config, sourceConfig: kafka, journaldConfig: config.sources.journald, logger: logger, signals: signals, hooks: hooks)
                try await runner.run()
            } else if let journald = config.sources.journald {
                let runner = DaemonRunner(configPath: configPath, config: config, sourceConfig: journald, logger: logger, signals: signals, hooks: hooks)
                try await runner.run()
            }
            return 0
        } catch {
            logger.error("logcot run failed", ["error": String(describing: error)])
            return 1
        }
    }
}
