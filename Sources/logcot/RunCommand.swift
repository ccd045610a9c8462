import Foundation
import LogCoT

/// `logcot run --config FILE`: the daemon, as systemd runs it.
enum RunCommand {
    static let usage = """
        Usage: logcot run --config FILE [--metrics-address HOST:PORT]

        Follows the journal named in sources.journald, diagnoses each fault window and appends one
        JSON report per window to sinks.file.path (and standard output when sinks.stdout.enabled).
        Runs until SIGTERM or SIGINT, then saves the journal cursor and the open windows to
        state.path and exits 0. SIGHUP reloads logLevel and faults; other changes need a restart.
        Notifies systemd (Type=notify) when NOTIFY_SOCKET is set. See docs/journald.md.
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
        let sourceConfig: JournaldSourceConfig
        let hooks: TestHooks
        do {
            config = try LogCoTConfig.load(from: URL(fileURLWithPath: configPath))
            guard let journald = config.sources.journald else {
                throw UsageError("\(configPath): sources.journald is missing; `logcot run` needs a journald source, such as sources: { journald: {} } for the local journal")
            }
            guard !config.sinks.isEmpty else {
                throw UsageError("\(configPath): no sink is configured; set sinks.file.path or sinks.stdout.enabled")
            }
            sourceConfig = journald
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
            let runner = DaemonRunner(configPath: configPath, config: config, sourceConfig: sourceConfig, logger: logger, signals: signals, hooks: hooks)
            try await runner.run()
            return 0
        } catch {
            logger.error("logcot run failed", ["error": String(describing: error)])
            return 1
        }
    }
}
