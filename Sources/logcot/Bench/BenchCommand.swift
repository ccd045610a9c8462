import Foundation
import LogCoT

/// `logcot bench`: measures the pipeline on real and synthetic logs and prints a table, optionally JSON.
enum BenchCommand {
    static let usage = """
        Usage: logcot bench [--only ITEMS] [--data DIR] [--json OUT] [options]

        Measures LogCoT on the benchmark logs and prints one table row per figure, with its target.
        Build with `swift build -c release` first: a debug build is many times slower.

        Options:
          --only ITEMS          comma-separated items to run (default: all):
                                throughput  pipeline lines/s and MB/s on SEL, loghub and switch logs, and a storm
                                drain3      template mining speed and grouping accuracy against Drain3
                                memory      peak resident memory for 1 and many hosts with open windows
                                prompt      prompt tokens with the filter against the raw window, and
                                            whether the decisive line of labelled windows is kept
                                latency     window close to report written, p50 and p99, without an LLM
                                llm         LLM requests/s at 1, 2 and 4 in flight (needs --llm-url)
          --data DIR            folder with tianchi-sel/, loghub/, switch/ and logcot-d1/ (default ../shared/data)
          --json OUT            also write the figures, machine and tool versions as JSON to OUT
          --storm-lines N       lines of the synthetic SEL storm (default 10000000)
          --storm-hosts N       hosts the storm's lines are spread over (default 100)
          --hosts N             hosts with open windows for the memory item (default 100000)
          --lines-per-host N    lines fed to each host in the memory item (default 20)
          --min-seconds S       time each throughput figure for at least S seconds (default 2)
          --drain3-python PATH  Python with drain3 installed (default ~/.cache/logcot/bench-venv/bin/python,
                                which `make bench-tools` creates)
          --llm-url URL         OpenAI-compatible base URL for the llm item (default: LOGCOT_LLM_URL)
          --llm-requests N      requests sent at each concurrency level (default 8)
        """

    static func main(_ arguments: [String]) async -> Int32 {
        let options: BenchOptions
        do {
            options = try BenchOptions(arguments)
        } catch {
            printError("logcot bench: \(error)\n\n\(usage)")
            return 2
        }

        do {
            if let child = options.child {
                let result = try await BenchChild.run(child, options: options)
                let data = try JSONEncoder().encode(result)
                print(String(decoding: data, as: UTF8.self))
                return 0
            }
            try await runItems(options)
            return 0
        } catch let error as UsageError {
            printError("logcot bench: \(error)")
            return 2
        } catch {
            BenchSupport.logger.error("bench failed", ["error": String(describing: error)])
            return 1
        }
    }

    static func runItems(_ options: BenchOptions) async throws {
        let startedAt = Date()
        let loadAtStart = BenchSupport.loadAverage()
        var figures: [BenchFigure] = []
        var tools: [String: String] = [:]
        BenchSupport.logger.warning("bench started", ["items": options.items.joined(separator: ","), "load": loadAtStart.map { String($0) }.joined(separator: " ")])

        for item in options.items {
            let itemStarted = Date()
            switch item {
            case "throughput":
                figures += try await BenchThroughput(options: options).run()
                figures += try BenchMemory(options: options).runStorm()
            case "drain3":
                let (itemFigures, version) = try await BenchTemplates(options: options).run()
                figures += itemFigures
                tools["drain3"] = version
            case "memory":
                figures += try BenchMemory(options: options).run()
            case "prompt":
                figures += try await BenchPrompt(options: options).run()
            case "latency":
                figures += try await BenchLatency(options: options).run()
            case "llm":
                figures += try await BenchLLM(options: options).run()
            default:
                throw UsageError("invalid item '\(item)'")
            }
            BenchSupport.logger.warning("bench item finished", ["item": item, "seconds": String(format: "%.1f", Date().timeIntervalSince(itemStarted))])
        }

        let report = BenchReport(
            startedAt: RFC3339.format(startedAt),
            command: CommandLine.arguments,
            build: buildKind,
            machine: BenchMachine(cores: ProcessInfo.processInfo.activeProcessorCount, cpuModel: BenchSupport.cpuModel(), loadAtStart: loadAtStart, loadAtEnd: BenchSupport.loadAverage()),
            tools: tools,
            figures: figures
        )
        print("logcot bench: \(report.build) build, \(report.machine.cores) cores, \(report.machine.cpuModel), load \(loadAtStart) at start, \(report.machine.loadAtEnd) at end")
        print(report.table())
        if let path = options.jsonPath {
            try report.encoded().write(to: URL(fileURLWithPath: path))
            print("logcot bench: wrote \(path)")
        }
    }

    static var buildKind: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }
}
