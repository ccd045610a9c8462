import Foundation
import Testing

@testable import LogCoT

@Suite struct TemplateMinerTests {
    @Test func collapsesNumbersHexAndIDs() {
        #expect(TemplateMiner.template(of: "Memory CPU0F0_DIMM_Stat | Correctable ECC") == "Memory CPU<*>F<*>_DIMM_Stat | Correctable ECC")
        #expect(TemplateMiner.template(of: "Memory CPU1F0_DIMM_Stat | Correctable ECC") == "Memory CPU<*>F<*>_DIMM_Stat | Correctable ECC")
        #expect(TemplateMiner.template(of: "System ACPI Power State #0x7d | S0") == "System ACPI Power State #<hex> | S<*>")
        #expect(TemplateMiner.template(of: "neighbor ip-3f9a2c1b Down") == "neighbor <ip> Down")
        #expect(TemplateMiner.template(of: "block 3f9a2c1bdeadbeef  freed") == "block <hex> freed")
        #expect(TemplateMiner.template(of: "") == "")
    }

    @Test func keepsWordsThatLookHexless() {
        #expect(TemplateMiner.template(of: "deadbeef cafe added") == "deadbeef cafe added")
    }
}

@Suite struct TermExtractorTests {
    @Test func wordsAndPairs() {
        let terms = TermExtractor.terms(of: "Memory CPU<*>_Status | Uncorrectable ECC")
        #expect(terms == ["memory", "cpu_status", "uncorrectable", "ecc", "memory cpu_status", "cpu_status uncorrectable", "uncorrectable ecc"])
    }
}

@Suite struct TFIDFModelTests {
    private func counts(_ text: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for term in TermExtractor.terms(of: TemplateMiner.template(of: text)) {
            result[term, default: 0] += 1
        }
        return result
    }

    @Test func idfFollowsSmoothedFormula() {
        let model = TFIDFModel()
        model.addDocument(["a": 1, "b": 2])
        model.addDocument(["a": 1])
        #expect(abs(model.inverseDocumentFrequency("a") - (log(3.0 / 3.0) + 1)) < 1e-12)
        #expect(abs(model.inverseDocumentFrequency("b") - (log(3.0 / 2.0) + 1)) < 1e-12)
        #expect(abs(model.inverseDocumentFrequency("unseen") - (log(3.0) + 1)) < 1e-12)
        #expect(model.revision == 2)
    }

    @Test func classifiesByNearestCentroid() {
        let model = TFIDFModel()
        model.addExample(label: "memory", termCounts: counts("Memory DIMM Uncorrectable ECC Asserted"))
        model.addExample(label: "cpu", termCounts: counts("Processor CPU CATERR IERR Asserted"))
        let scores = model.classScores(model.vector(counts("Uncorrectable ECC on DIMM")))
        #expect((scores["memory"] ?? 0) > (scores["cpu"] ?? 0))
        #expect(model.discriminativeWeight("ecc").label == "memory")
        #expect(model.discriminativeWeight("asserted").weight == 0)
    }

    @Test func examplesUpdateIncrementally() {
        let model = TFIDFModel()
        model.addExample(label: "other", termCounts: counts("fan speed low"))
        #expect(model.classScores(model.vector(counts("power supply lost")))["other"] == 0)
        model.addExample(label: "other", termCounts: counts("power supply lost"))
        #expect((model.classScores(model.vector(counts("power supply lost")))["other"] ?? 0) > 0)
    }

    @Test func persistsAndReloads() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        let store = try ModelStore(database: database)
        let model = TFIDFModel()
        model.addExample(label: "cpu", termCounts: counts("Processor CATERR"))
        model.addDocument(counts("Processor CATERR asserted"))
        try store.save(model)
        model.addDocument(counts("fan low"))
        try store.save(model)

        let loaded = try #require(try store.load())
        #expect(loaded.documentCount == 2)
        #expect(loaded.revision == model.revision)
        #expect(loaded.documentFrequency == model.documentFrequency)
        #expect(loaded.classes == model.classes)
    }
}

@Suite struct WindowAnalyzerTests {
    @Test func keepsFaultLinesWithinBudget() {
        let model = TFIDFModel()
        let factoryLines = ["Memory DIMM Uncorrectable ECC Asserted", "Processor CPU CATERR Asserted", "Fan speed low Asserted"]
        for (label, text) in zip(["memory", "cpu", "other"], factoryLines) {
            var counts: [String: Int] = [:]
            for term in TermExtractor.terms(of: text) { counts[term, default: 0] += 1 }
            model.addExample(label: label, termCounts: counts)
        }

        var window = FaultWindow(host: "h", fault: FaultEvent(host: "h", time: Date(timeIntervalSince1970: 1_000), origin: .ticket, detail: ""), before: 1_000, after: 10, maxLines: 100)
        let texts = ["System Boot Initiated", "Memory DIMM3 Uncorrectable ECC Asserted", "Button pressed"] + (0..<40).map { "noise event number \($0) seen" }
        for (index, text) in texts.enumerated() {
            window.add(WindowLine(timestamp: Date(timeIntervalSince1970: Double(100 + index)), text: text, template: TemplateMiner.template(of: text)))
        }

        let analyzer = WindowAnalyzer(labels: .serverDefault, promptBudgetTokens: 30, keyTermCount: 3)
        let termCounts = WindowAnalyzer.termCounts(of: window)
        let analysis = analyzer.analyze(window, termCounts: termCounts, model: model)

        #expect(analysis.label.id == "memory")
        #expect(analysis.keyLines.contains { $0.text.contains("Uncorrectable ECC") })
        #expect(analysis.keptTokens <= 30)
        #expect(analysis.keptTokens < analysis.rawTokens)
        #expect(analysis.keyLines.map(\.first) == analysis.keyLines.map(\.first).sorted())
        #expect(analysis.keyTerms.count == 3)
        #expect(window.templates["noise event number <*> seen"]?.count == 40)
    }

    @Test func emptyWindowGetsFallbackLabel() {
        let model = TFIDFModel()
        let window = FaultWindow(host: "h", fault: FaultEvent(host: "h", time: Date(), origin: .ticket, detail: ""), before: 10, after: 10, maxLines: 10)
        let analysis = WindowAnalyzer(labels: .serverDefault, promptBudgetTokens: 100, keyTermCount: 5).analyze(window, termCounts: [:], model: model)
        #expect(analysis.label.id == "other")
        #expect(analysis.keyLines.isEmpty)
        #expect(analysis.rawTokens == 0)
    }
}
