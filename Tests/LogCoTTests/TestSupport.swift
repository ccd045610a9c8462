import Foundation
import Testing

@testable import LogCoT

/// Paths and helpers shared by the tests.
enum TestSupport {
    /// The package root, found from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The public log data beside the checkout, read in place and never copied.
    static let sharedData = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

    static let fixtures = packageRoot.appendingPathComponent("Tests/LogCoTTests/Fixtures")

    static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// True when the shared data exists, or when running in CI, where a missing file must fail the test.
    static var sharedDataAvailable: Bool {
        isCI || FileManager.default.fileExists(atPath: sharedData.path)
    }

    static func sharedFile(_ relativePath: String) throws -> URL {
        let url = sharedData.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TestFailure("missing shared data file \(url.path); tests read it from ../shared/data beside the checkout")
        }
        return url
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("logcot-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func utc(_ text: String) -> Date {
        TimestampResolver(zone: .gmt).parseISOLike(Substring(text))!
    }

    /// The built `logcot` executable: `LOGCOT_BIN`, else the debug build folder.
    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["LOGCOT_BIN"] {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent(".build/debug/logcot")
    }

    /// Runs `logcot` with arguments and returns its exit status, standard output and standard error.
    static func runLogcot(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        process.environment = merged
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()

        let stdout = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        return (process.terminationStatus, stdout, stderr)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
