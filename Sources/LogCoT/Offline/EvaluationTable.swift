import Foundation

/// Renders an evaluation report as the plain-text table that `logcot eval` prints.
public enum EvaluationTable {
    public static func render(_ report: EvaluationReport) -> String {
        var out: [String] = []
        out.append("evaluation of \(report.input): \(report.primary.cases) cases")
        if let split = report.split {
            var line = "split seed \(split.seed): pool \(split.pool), preference \(split.preference), test \(split.test)"
            if !split.addedForCoverage.isEmpty {
                line += " (pool includes one window each of \(split.addedForCoverage.joined(separator: ", ")) so that every class has an example)"
            }
            out.append(line)
        }
        if let model = report.model {
            out.append("model \(model)")
        }
        out.append("")
        out += summaryRows(report)
        out.append("")
        out += perClassRows(report.primary)
        out.append("")
        out += confusionRows(report.primary)
        // With `--llm none` the evaluated labeller is the baseline, so its details would print twice.
        if let baseline = report.baseline, baseline.name != report.primary.name {
            out.append("")
            out += perClassRows(baseline)
            out.append("")
            out += confusionRows(baseline)
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func summaryRows(_ report: EvaluationReport) -> [String] {
        let primary = report.primary
        var header = pad("metric", 18) + pad(primary.name, 12, right: true)
        let baseline = report.baseline
        if let baseline {
            header += pad(baseline.name, 12, right: true) + pad("gain", 10, right: true)
        }
        var rows = [header]

        func scoreRow(_ name: String, _ value: (EvaluationSummary) -> Double) {
            var row = pad(name, 18) + pad(format(value(primary)), 12, right: true)
            if let baseline {
                row += pad(format(value(baseline)), 12, right: true) + pad(signed(value(primary) - value(baseline)), 10, right: true)
            }
            rows.append(row)
        }
        func countRow(_ name: String, _ value: (EvaluationSummary) -> String) {
            var row = pad(name, 18) + pad(value(primary), 12, right: true)
            if let baseline {
                row += pad(value(baseline), 12, right: true)
            }
            rows.append(row)
        }

        countRow("cases") { String($0.cases) }
        scoreRow("accuracy") { $0.metrics.accuracy }
        scoreRow("macro-F1") { $0.metrics.macroF1 }
        scoreRow("weighted-F1") { $0.metrics.weightedF1 }
        countRow("unparsed") { String($0.unparsed) }
        countRow("tfidf fallbacks") { String($0.fallbacks) }
        countRow("seconds/case mean") { $0.latency.map { String(format: "%.3f", $0.mean) } ?? "-" }
        countRow("seconds/case p95") { $0.latency.map { String(format: "%.3f", $0.p95) } ?? "-" }
        countRow("tokens/case mean") { $0.tokens.map { String(format: "%.0f", $0.mean) } ?? "-" }
        return rows
    }

    static func perClassRows(_ summary: EvaluationSummary) -> [String] {
        var rows = ["per class (\(summary.name))"]
        rows.append(pad("class", 12) + pad("precision", 11, right: true) + pad("recall", 9, right: true) + pad("F1", 9, right: true) + pad("support", 9, right: true))
        for label in summary.metrics.confusion.labels {
            guard let scores = summary.metrics.perClass[label] else {
                continue
            }
            rows.append(
                pad(label, 12) + pad(format(scores.precision), 11, right: true) + pad(format(scores.recall), 9, right: true)
                    + pad(format(scores.f1), 9, right: true) + pad(String(scores.support), 9, right: true)
            )
        }
        return rows
    }

    static func confusionRows(_ summary: EvaluationSummary) -> [String] {
        let matrix = summary.metrics.confusion
        let width = max(10, (matrix.labels.map(\.count).max() ?? 0) + 2)
        var rows = ["confusion (\(summary.name); rows are true labels, columns predictions)"]
        rows.append(pad("", 12) + (matrix.labels + ["unparsed"]).map { pad($0, width, right: true) }.joined())
        for (index, label) in matrix.labels.enumerated() {
            let cells = (matrix.counts[index] + [matrix.unparsed[index]]).map { pad(String($0), width, right: true) }
            rows.append(pad(label, 12) + cells.joined())
        }
        return rows
    }

    static func format(_ value: Double) -> String {
        String(format: "%.4f", value)
    }

    static func signed(_ value: Double) -> String {
        String(format: "%+.4f", value)
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        guard text.count < width else {
            return right ? " " + text : text + " "
        }
        let padding = String(repeating: " ", count: width - text.count)
        return right ? padding + text : text + padding
    }
}
