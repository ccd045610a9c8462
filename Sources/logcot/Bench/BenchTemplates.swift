import Foundation
import LogCoT

/// Template mining against Drain3 on the loghub files that have ground-truth templates.
///
/// Both miners read the `Content` column of `*_structured.csv`. LogCoT's template of a message is
/// the pipeline's: `TemplateMiner.template(of: masker.mask(content))`. Drain3 runs in Python with
/// its default settings through scripts/bench-drain3.py, and each of its passes starts a fresh miner.
struct BenchTemplates {
    let options: BenchOptions

    static let ratioTarget = BenchTarget(.atLeast, 20)
    static let accuracyTarget = BenchTarget(.atLeast, 0)

    /// Returns the figures and Drain3's version, or nil for the version when Drain3 could not run.
    func run() async throws -> (figures: [BenchFigure], drain3Version: String?) {
        let loghub = options.dataFile("loghub")
        let names = try FileManager.default.contentsOfDirectory(atPath: loghub.path)
            .filter { $0.hasSuffix("_structured.csv") }
            .sorted()
        guard !names.isEmpty else {
            throw UsageError("no *_structured.csv file in '\(loghub.path)'; pass --data with the folder that contains loghub/")
        }

        var figures: [BenchFigure] = []
        var version: String?
        for name in names {
            let structured = try LoghubStructured.load(from: loghub.appendingPathComponent(name))
            let dataset = name.replacingOccurrences(of: ".log_structured.csv", with: "").replacingOccurrences(of: "_structured.csv", with: "")
            let (logcotRate, logcotGroups) = try measureLogCoT(structured.contents)
            let logcotAccuracy = GroupingAccuracy.compute(predicted: logcotGroups, truth: structured.eventIDs)
            figures.append(BenchFigure(item: "drain3", name: "\(dataset) logcot mask+template", value: logcotRate, unit: "lines/cpu-s", note: "\(structured.contents.count) messages, \(Set(logcotGroups).count) templates"))
            figures.append(BenchFigure(item: "drain3", name: "\(dataset) logcot grouping accuracy", value: logcotAccuracy, unit: "share", note: "\(Set(structured.eventIDs).count) ground-truth templates"))

            do {
                let drain = try runDrain3(structured.contents)
                version = drain.version
                let drainRate = Double(drain.lines) / drain.cpuSeconds
                let drainAccuracy = GroupingAccuracy.compute(predicted: drain.clusterIDs.map(String.init), truth: structured.eventIDs)
                figures.append(BenchFigure(item: "drain3", name: "\(dataset) drain3", value: drainRate, unit: "lines/cpu-s", note: "drain3 \(drain.version), Python \(drain.python), default settings, \(drain.clusters) clusters"))
                figures.append(BenchFigure(item: "drain3", name: "\(dataset) drain3 grouping accuracy", value: drainAccuracy, unit: "share"))
                figures.append(BenchFigure(item: "drain3", name: "\(dataset) speed ratio logcot/drain3", value: logcotRate / drainRate, unit: "x", target: Self.ratioTarget))
                figures.append(BenchFigure(item: "drain3", name: "\(dataset) accuracy logcot-drain3", value: logcotAccuracy - drainAccuracy, unit: "share", target: Self.accuracyTarget))
            } catch {
                BenchSupport.logger.error("drain3 failed, so its figures are missing", ["dataset": dataset, "error": String(describing: error)])
                figures.append(BenchFigure(item: "drain3", name: "\(dataset) drain3", value: nil, unit: "lines/s", note: "not run: \(error); run `make bench-tools`"))
            }
        }
        return (figures, version)
    }

    /// Times masking plus templating over the messages; returns lines/s and each message's template.
    func measureLogCoT(_ contents: [String]) throws -> (Double, [String]) {
        let masker = try Masker(secret: "logcot-bench-key")
        let groups = contents.map { TemplateMiner.template(of: masker.mask($0, host: nil)) }
        let stopwatch = Stopwatch()
        var passes = 0
        var checksum = 0
        while passes < 3 || stopwatch.elapsed.wall < options.minSeconds / 2 {
            for content in contents {
                checksum &+= TemplateMiner.template(of: masker.mask(content, host: nil)).utf8.count
            }
            passes += 1
        }
        precondition(checksum > 0, "templates of non-empty messages are non-empty")
        return (Double(contents.count * passes) / stopwatch.elapsed.cpu, groups)
    }

    struct Drain3Result: Decodable {
        var version: String
        var python: String
        var lines: Int
        var seconds: Double
        var cpuSeconds: Double
        var clusters: Int
        var clusterIDs: [Int]

        enum CodingKeys: String, CodingKey {
            case version, python, lines, seconds, clusters, cpuSeconds = "cpu_seconds", clusterIDs = "cluster_ids"
        }
    }

    /// Runs scripts/bench-drain3.py over the messages in a child process.
    func runDrain3(_ contents: [String]) throws -> Drain3Result {
        guard FileManager.default.isExecutableFile(atPath: options.drain3Python) else {
            throw UsageError("no Python with drain3 at '\(options.drain3Python)'")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("logcot-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("content.txt")
        // A message with a line break would shift every later message, so breaks become spaces.
        try Data((contents.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n") + "\n").utf8).write(to: input)

        let output = try BenchProcess.run(options.drain3Python, [Self.scriptPath(), input.path, "--passes", "3"])
        let result = try JSONDecoder().decode(Drain3Result.self, from: Data(output.utf8))
        guard result.clusterIDs.count == contents.count else {
            throw UsageError("drain3 returned \(result.clusterIDs.count) cluster ids for \(contents.count) messages")
        }
        return result
    }

    /// scripts/bench-drain3.py beside the working directory, which `make bench` sets to the checkout.
    static func scriptPath() -> String {
        FileManager.default.currentDirectoryPath + "/scripts/bench-drain3.py"
    }
}

/// Runs a child process and returns its standard output.
enum BenchProcess {
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw UsageError("'\(executable) \(arguments.joined(separator: " "))' exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
