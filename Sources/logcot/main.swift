import Foundation
import LogCoT

let usage = """
    logcot: diagnose server and switch faults from logs with TF-IDF filtering and a local LLM

    Usage: logcot <command> [options]

    Commands:
      replay        Run the pipeline over log files and fault tickets, writing one JSON report per window
      run           Follow the systemd journal as a daemon and write one JSON report per fault window
      check-config  Check a JSON5 config file and list every problem with its key path
      pool          Build the few-shot example pool: label windows with a large model, select k per class
      prefs         Build preference pairs for IPO tuning from candidate models scored by an evaluator
      eval          Measure diagnosis accuracy, F1 and cost on labelled windows or saved responses
      bench         Measure throughput, memory, prompt cost and latency on benchmark logs
      help          Show this text, or `logcot help <command>` for a command's options

    """

let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? "help"
let rest = Array(arguments.dropFirst())

let exitCode: Int32
switch command {
case "replay":
    exitCode = await ReplayCommand.main(rest)
case "check-config":
    exitCode = CheckConfigCommand.main(rest)
case "run":
    exitCode = await RunCommand.main(rest)
case "pool":
    exitCode = await PoolCommand.main(rest)
case "prefs":
    exitCode = await PrefsCommand.main(rest)
case "eval":
    exitCode = await EvalCommand.main(rest)
case "bench":
    exitCode = await BenchCommand.main(rest)
case "help", "--help", "-h":
    if let topic = rest.first, topic == "replay" {
        print(ReplayCommand.usage)
    } else if let topic = rest.first, topic == "check-config" {
        print(CheckConfigCommand.usage)
    } else if let topic = rest.first, topic == "run" {
        print(RunCommand.usage)
    } else if let topic = rest.first, topic == "pool" {
        print(PoolCommand.usage)
    } else if let topic = rest.first, topic == "prefs" {
        print(PrefsCommand.usage)
    } else if let topic = rest.first, topic == "eval" {
        print(EvalCommand.usage)
    } else if let topic = rest.first, topic == "bench" {
        print(BenchCommand.usage)
    } else {
        print(usage)
    }
    exitCode = 0
default:
    FileHandle.standardError.write(Data("logcot: unknown command '\(command)'\n\n\(usage)".utf8))
    exitCode = 2
}
exit(exitCode)
