import Foundation
import LogCoT

/// One replay: builds the pipeline from config and options, feeds tickets and files, prints the summary.
final class ReplayRun {
    let options: ReplayOptions
    let logger: Logger
    var config: LogCoTConfig
    let resolver: TimestampResolver
    let progress: ProgressReporter

    init(options: ReplayOptions, logger: Logger) throws {
        self.options = options
        self.logger = logger
        config = try options.configPath.map { try LogCoTConfig.load(from: URL(fileURLWithPath: $0)) } ?? LogCoTConfig()
        logger.setMinimumLevel(config.logLevel)

        if let lateness = options.allowedLateness {
            if lateness == "unbounded" {
                config.windowing.allowedLateness = nil
            } else if let seconds = DurationText.parse(lateness) {
                config.windowing.allowedLateness = seconds
            } else {
                throw UsageError("invalid --allowed-lateness '\(lateness)'; use a duration such as 5m, or unbounded")
            }
        }
        if let poolPath = options.poolPath {
            config.filtering.poolFile = poolPath
        }
        switch options.llm {
        case "none"?:
            config.llm.enabled = false
        case let url?:
            config.llm.enabled = true
            config.llm.client.baseURL = URL(string: url)
        case nil:
            break
        }
        if let promptLog = options.promptLog {
            config.llm.promptLog = promptLog
        }
        if let statePath = options.statePath {
            config.state.path = statePath
        }
        resolver = TimestampResolver(zone: config.timeZone, referenceTime: options.referenceTime ?? Date())
        progress = ProgressReporter(enabled: !options.quiet)
    }

    func execute() async throws {
        let started = Date()
        let metrics = try startMetricsServer()
        let windowsWriter = try options.emitWindows.map { try WindowFileWriter(path: $0, truncate: true) }
        let pipeline = try PipelineFactory(config: config, logger: logger).make(
            sink: try makeSink(windowsWriter: windowsWriter),
            rejects: RejectsWriter(path: options.rejectsPath),
            ticketsGiven: options.faultsPath != nil
        )
        logger.info("replay started", [
            "logs": String(options.logPaths.count),
            "faults": options.faultsPath ?? "(trigger rules)",
            "out": options.outputPath,
            "diagnoser": pipeline.diagnoser.name,
        ])

        if let faultsPath = options.faultsPath {
            let (tickets, rejects) = try TicketLoader(resolver: resolver).load(from: URL(fileURLWithPath: faultsPath))
            for (line, error) in rejects {
                try pipeline.reject(line, error)
            }
            for ticket in tickets {
                try await pipeline.addFault(ticket)
            }
            logger.info("tickets loaded", ["file": faultsPath, "tickets": String(tickets.count), "rejected": String(rejects.count)])
        }

        for path in options.logPaths {
            try await replayFile(path, into: pipeline)
        }
        try await pipeline.finish()
        pipeline.rejects?.close()
        windowsWriter?.close()

        printSummary(pipeline, seconds: Date().timeIntervalSince(started), windowsWriter: windowsWriter)
        try await finishMetrics(metrics)
    }

    private func makeSink(windowsWriter: WindowFileWriter?) throws -> any ReportSink {
        let reports = try JSONLinesReportSink(path: options.outputPath, truncate: true)
        guard let windowsWriter else {
            return reports
        }
        return WindowEmittingSink(next: reports, writer: windowsWriter, logger: logger)
    }

    private func replayFile(_ path: String, into pipeline: Pipeline) async throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw UsageError("cannot read log file '\(path)'; check the path and permissions")
        }
        let source = FileLineSource(url: URL(fileURLWithPath: path), maxLineBytes: config.parsing.maxLineBytes)
        let formatName = options.format ?? config.parsing.format
        let format = LogFormat(rawValue: formatName) ?? ParserFactory.detect(sampleLines: source.sampleLines(20))
        let parser = ParserFactory.make(format, resolver: resolver, jsonFields: config.parsing.jsonFields)
        logger.info("reading log file", ["file": path, "format": format.rawValue])

        let lines = try source.makeIterator()
        var sinceProgress = 0
        while let line = try lines.next() {
            try await pipeline.ingest(line, parser: parser)
            sinceProgress += 1
            if sinceProgress == 4_096 {
                sinceProgress = 0
                progress.update(pipeline)
            }
        }
    }

    private func printSummary(_ pipeline: Pipeline, seconds: Double, windowsWriter: WindowFileWriter?) {
        let statistics = pipeline.statistics
        let rate = seconds > 0 ? Double(statistics.linesRead) / seconds : 0
        var lines = [
            "replay summary:",
            "  lines read        \(statistics.linesRead) (\(statistics.records) records, \(statistics.ignored) ignored, \(statistics.rejected) rejected, \(statistics.truncated) truncated)",
            "  faults            \(statistics.faultsFromTickets) tickets, \(statistics.faultsFromTriggers) trigger matches (\(pipeline.windows.extendedByTrigger) extended an open window, \(pipeline.windows.duplicateFaults) duplicates ignored)",
            "  windows closed    \(statistics.windowsClosed)",
            "  reports written   \(statistics.reportsWritten) to \(options.outputPath)",
            "  label sources     \(statistics.reportsByLabelSource.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))",
            "  late lines        \(pipeline.windows.lateLines) (arrived after their window closed)",
            "  duplicate lines   \(pipeline.windows.duplicateLines) (exact repeats of a line in an open window, dropped)",
            String(format: "  elapsed           %.2f s, %.0f lines/s", seconds, rate),
        ]
        if !statistics.diagnosisSeconds.isEmpty {
            let mean = statistics.diagnosisSeconds.reduce(0, +) / Double(statistics.diagnosisSeconds.count)
            lines.append(String(format: "  diagnosis         %.3f s per window (mean)", mean))
        }
        if !statistics.llmTokens.isEmpty {
            let mean = Double(statistics.llmTokens.reduce(0, +)) / Double(statistics.llmTokens.count)
            lines.append(String(format: "  llm tokens        %.0f per window (mean)", mean))
        }
        if let windowsWriter {
            lines.append("  windows written   \(windowsWriter.count) to \(windowsWriter.path)")
        }
        if statistics.rejected > 0, let path = pipeline.rejects?.path {
            lines.append("  rejects file      \(path)")
        }
        printError(lines.joined(separator: "\n"))

        if pipeline.windows.lateLines > 0 {
            logger.warning("lines arrived after their window closed; the input is out of order, so raise --allowed-lateness or use --allowed-lateness unbounded", ["late_lines": String(pipeline.windows.lateLines)])
        }
    }
}

/// Prints a progress line on standard error at most every two seconds.
final class ProgressReporter {
    let enabled: Bool
    let started = Date()
    var lastPrinted = Date()
    var printedAny = false

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func update(_ pipeline: Pipeline) {
        let now = Date()
        guard enabled, now.timeIntervalSince(lastPrinted) >= 2 else {
            return
        }
        lastPrinted = now
        printedAny = true
        let statistics = pipeline.statistics
        let rate = Double(statistics.linesRead) / max(now.timeIntervalSince(started), 0.001)
        printError(String(format: "progress: %d lines, %d windows open, %d closed, %d reports, %.0f lines/s",
                          statistics.linesRead, pipeline.windows.openCount, statistics.windowsClosed, statistics.reportsWritten, rate))
    }
}
