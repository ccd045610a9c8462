import Foundation
import Testing
@testable import LogCoT

/// Windows files: the JSON-lines format, the authors' two JSON-array formats and their errors.
@Suite struct WindowFileTests {
    static let instruction = """
        You are a computer operation and maintenance expert
        The hidden error codes and error categories in these logs are as follows: 1. CPU-related errors, 2. Memory and storage-related errors, 3. Other types of errors.
        Please identify the main error in these logs. logs:
        Processor CPU0_Status | IERR | Asserted
         System Boot Initiated BIOS_Boot_Up | Initiated by warm reset | Asserted
        """

    static func write(_ text: String, name: String) throws -> URL {
        let url = try TestSupport.temporaryDirectory().appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func jsonLinesRoundTrip() throws {
        let records = [
            WindowRecord(id: "w-1", host: "h1", faultTime: "2026-01-02T03:04:05Z", lines: ["Memory DIMM0 | Uncorrectable ECC | Asserted", "line with \"quotes\" and / slash"], label: "memory", reasoning: "The DIMM fails."),
            WindowRecord(id: "w-2", lines: ["Processor CPU1_Status | IERR | Asserted"]),
        ]
        let url = try TestSupport.temporaryDirectory().appendingPathComponent("windows.jsonl")
        try WindowFile.append(Array(records.prefix(1)), to: url)
        try WindowFile.append(Array(records.suffix(1)), to: url)

        let loaded = try WindowFile.load(from: url, labels: .serverDefault)
        #expect(loaded == records)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains(#""fault_time":"2026-01-02T03:04:05Z""#))
        #expect(text.split(separator: "\n").count == 2)
    }

    @Test func jsonLinesSkipsBlankAndComments() throws {
        let url = try Self.write("""
            // windows exported by hand

            {"id": "a", "lines": ["x"], "label": "2"}
              // indented comment
            {"id": "b", "lines": ["y"], "label": "CPU", "host": "h9"}
            """, name: "w.jsonl")
        let loaded = try WindowFile.load(from: url, labels: .serverDefault)
        #expect(loaded.map(\.id) == ["a", "b"])
        #expect(loaded.map(\.label) == ["memory", "cpu"])
        #expect(loaded[1].host == "h9")
    }

    @Test func jsonLinesErrorNamesLine() throws {
        let url = try Self.write("""
            {"id": "a", "lines": ["x"]}
            {"id": "b"}
            """, name: "bad.jsonl")
        let error = try #require(throws: WindowFileError.self) {
            try WindowFile.load(from: url, labels: .serverDefault)
        }
        #expect(error.line == 2)
        #expect(error.description.contains(url.path))
        #expect(error.description.contains("lines"))
    }

    @Test func unknownLabelNamesFix() throws {
        let url = try Self.write(#"{"id": "a", "lines": ["x"], "label": "disk"}"#, name: "label.jsonl")
        let error = try #require(throws: WindowFileError.self) {
            try WindowFile.load(from: url, labels: .serverDefault)
        }
        #expect(error.line == 1)
        #expect(error.message.contains("'disk'"))
        #expect(error.message.contains("cpu (1)"))
    }

    @Test func duplicateIDRejected() throws {
        let url = try Self.write("""
            {"id": "a", "lines": ["x"]}
            {"id": "a", "lines": ["y"]}
            """, name: "dup.jsonl")
        let error = try #require(throws: WindowFileError.self) {
            try WindowFile.load(from: url, labels: .serverDefault)
        }
        #expect(error.line == 2)
        #expect(error.message.contains("line 1"))
    }

    @Test func authorsTrainingFormat() throws {
        let entries: [[String: String]] = [
            ["instruction": Self.instruction, "input": "", "output": "The error category code is:1.\nThe reasons are as follows: the CPU reports IERR."],
            ["instruction": Self.instruction.replacingOccurrences(of: "IERR", with: "Thermal Trip"), "output": "The error category code is:3. Power events."],
        ]
        let url = try Self.write(String(decoding: try JSONEncoder().encode(entries), as: UTF8.self), name: "train_fixture.json")
        let loaded = try WindowFile.load(from: url, labels: .serverDefault)

        #expect(loaded.count == 2)
        #expect(loaded[0].id == "train_fixture-0")
        #expect(loaded[0].lines == ["Processor CPU0_Status | IERR | Asserted", "System Boot Initiated BIOS_Boot_Up | Initiated by warm reset | Asserted"])
        #expect(loaded[0].label == "cpu")
        #expect(loaded[0].reasoning == "the CPU reports IERR.")
        #expect(loaded[1].label == "other")
    }

    @Test func authorsPreferenceFormat() throws {
        func dialogue(_ reasoning: String, _ code: String) -> [String: Any] {
            ["conversations": [
                ["from": "human", "value": Self.instruction + "\nPlease give your answer:"],
                ["from": "gpt", "value": reasoning],
                ["from": "human", "value": "The error category code for the main error is:"],
                ["from": "gpt", "value": code],
            ]]
        }
        let entries: [[String: Any]] = [
            ["label": "1", "chosen": dialogue("The processor fails first.", "1"), "rejected": dialogue("Memory fails.", "2")],
            ["label": "2", "chosen": dialogue("ECC errors dominate.", "2"), "rejected": dialogue("CPU.", "1")],
        ]
        let data = try JSONSerialization.data(withJSONObject: entries)
        let url = try Self.write(String(decoding: data, as: UTF8.self), name: "prefs_fixture.json")
        let loaded = try WindowFile.load(from: url, labels: .serverDefault)

        #expect(loaded.map(\.id) == ["prefs_fixture-0", "prefs_fixture-1"])
        #expect(loaded.map(\.label) == ["cpu", "memory"])
        #expect(loaded[0].lines.count == 2)
        #expect(loaded[0].lines.last == "System Boot Initiated BIOS_Boot_Up | Initiated by warm reset | Asserted")
        #expect(loaded[0].reasoning == "The processor fails first.")
    }

    @Test func authorsFormatErrorNamesEntry() throws {
        let entries = [["instruction": Self.instruction, "output": "No code here."]]
        let url = try Self.write(String(decoding: try JSONEncoder().encode(entries), as: UTF8.self), name: "bad.json")
        let error = try #require(throws: WindowFileError.self) {
            try WindowFile.load(from: url, labels: .serverDefault)
        }
        #expect(error.message.contains("entry 0"))
        #expect(error.message.contains("The error category code is:N."))
    }

    @Test func recordPoolExample() {
        #expect(WindowRecord(id: "a", lines: ["x"]).poolExample == nil)
        let example = WindowRecord(id: "a", lines: ["x"], label: "cpu").poolExample
        #expect(example == PoolExample(id: "a", lines: ["x"], reasoning: "", label: "cpu"))
    }
}
