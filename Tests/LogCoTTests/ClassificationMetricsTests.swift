import Foundation
import Testing
@testable import LogCoT

/// Metrics against values computed by hand on a small confusion table.
@Suite struct ClassificationMetricsTests {
    /// Rows are true labels a, b, c, d; d never occurs, so it stays out of the averages.
    ///
    ///         a  b  c  d  unparsed
    ///     a   3  1  0  0  1
    ///     b   1  2  0  0  0
    ///     c   0  1  1  0  0
    static let truth = ["a", "a", "a", "a", "a", "b", "b", "b", "c", "c"]
    static let predicted: [String?] = ["a", "a", "a", "b", nil, "b", "b", "a", "c", "b"]

    static func close(_ lhs: Double, _ rhs: Double) -> Bool {
        abs(lhs - rhs) < 1e-9
    }

    @Test func confusionCounts() {
        let matrix = ConfusionMatrix(labels: ["a", "b", "c", "d"], truth: Self.truth, predicted: Self.predicted)
        #expect(matrix.counts[0] == [3, 1, 0, 0])
        #expect(matrix.counts[1] == [1, 2, 0, 0])
        #expect(matrix.counts[2] == [0, 1, 1, 0])
        #expect(matrix.counts[3] == [0, 0, 0, 0])
        #expect(matrix.unparsed == [1, 0, 0, 0])
        #expect(matrix.total == 10)
        #expect(matrix.correct == 6)
    }

    @Test func handComputedScores() throws {
        let metrics = ClassificationMetrics(confusion: ConfusionMatrix(labels: ["a", "b", "c", "d"], truth: Self.truth, predicted: Self.predicted))
        #expect(Self.close(metrics.accuracy, 0.6))

        let a = try #require(metrics.perClass["a"])
        #expect(Self.close(a.precision, 3.0 / 4))
        #expect(Self.close(a.recall, 3.0 / 5))
        #expect(Self.close(a.f1, 2.0 / 3))
        #expect(a.support == 5)

        let b = try #require(metrics.perClass["b"])
        #expect(Self.close(b.precision, 2.0 / 4))
        #expect(Self.close(b.recall, 2.0 / 3))
        #expect(Self.close(b.f1, 4.0 / 7))

        let c = try #require(metrics.perClass["c"])
        #expect(Self.close(c.precision, 1))
        #expect(Self.close(c.recall, 0.5))
        #expect(Self.close(c.f1, 2.0 / 3))

        let d = try #require(metrics.perClass["d"])
        #expect(d.support == 0)
        #expect(d.f1 == 0)

        // (2/3 + 4/7 + 2/3) / 3 = 40/63, with d left out; (5 * 2/3 + 3 * 4/7 + 2 * 2/3) / 10 = 134/210.
        #expect(Self.close(metrics.macroF1, 40.0 / 63))
        #expect(Self.close(metrics.weightedF1, 134.0 / 210))
    }

    @Test func emptyInputScoresZero() {
        let metrics = ClassificationMetrics(confusion: ConfusionMatrix(labels: ["a"]))
        #expect(metrics.accuracy == 0)
        #expect(metrics.macroF1 == 0)
        #expect(metrics.weightedF1 == 0)
    }

    @Test func sampleSummaryNearestRank() {
        let twenty = SampleSummary((1...20).map(Double.init))
        #expect(twenty.mean == 10.5)
        #expect(twenty.p95 == 19)

        let three = SampleSummary([0.5, 0.1, 0.3])
        #expect(Self.close(three.mean, 0.3))
        #expect(three.p95 == 0.5)

        #expect(SampleSummary([]).count == 0)
        #expect(SampleSummary([]).p95 == 0)
    }

    @Test func summaryJSONKeys() throws {
        let cases = zip(Self.truth.prefix(8), Self.predicted.prefix(8)).enumerated().map { index, pair in
            EvaluatedCase(id: "c\(index)", truth: pair.0 == "a" ? "cpu" : "memory", predicted: pair.1.map { $0 == "a" ? "cpu" : "memory" }, baseline: "cpu", labelSource: .llm, seconds: Double(index), tokens: 100 + index)
        }
        let report = EvaluationReport(
            primary: EvaluationSummary(name: "llm", cases: cases, labels: .serverDefault),
            input: "fixture.jsonl",
            model: "test-model",
            split: nil,
            baseline: EvaluationSummary(baselineOf: cases, labels: .serverDefault)
        )
        let object = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        #expect(object["cases"] as? Int == 8)
        #expect(object["unparsed"] as? Int == 1)
        // Truth: 5 cpu, 3 memory. Predictions: cpu 3/5 right, memory 2/3 right, one unparsed.
        #expect(object["accuracy"] as? Double == 0.625)
        #expect(object["macro_f1"] != nil)
        #expect(object["weighted_f1"] != nil)
        #expect(object["per_class"] as? [String: Any] != nil)
        let confusion = try #require(object["confusion"] as? [String: Any])
        #expect(confusion["columns"] as? [String] == ["cpu", "memory", "other", "unparsed"])
        let latency = try #require(object["latency"] as? [String: Any])
        #expect(latency["mean"] as? Double == 3.5)
        let tokens = try #require(object["tokens"] as? [String: Any])
        #expect(tokens["mean"] as? Double == 103.5)
        let baseline = try #require(object["baseline"] as? [String: Any])
        #expect(baseline["accuracy"] as? Double == 0.625)
        let gain = try #require(object["gain"] as? [String: Double])
        #expect(gain["accuracy"] == 0)
    }
}
