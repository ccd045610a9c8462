import Foundation

/// A confusion matrix over a fixed list of labels, with a column for predictions that named no label.
public struct ConfusionMatrix: Sendable, Equatable {
    public let labels: [String]
    /// `counts[truth][prediction]` over `labels`.
    public private(set) var counts: [[Int]]
    /// Cases per true label whose prediction named no label.
    public private(set) var unparsed: [Int]

    public init(labels: [String]) {
        self.labels = labels
        counts = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
        unparsed = Array(repeating: 0, count: labels.count)
    }

    /// Builds the matrix from pairs, where a nil prediction counts as unparsed.
    ///
    /// A truth or prediction outside `labels` is a caller error, so it traps.
    public init(labels: [String], truth: [String], predicted: [String?]) {
        precondition(truth.count == predicted.count, "truth and predictions differ in length")
        self.init(labels: labels)
        for (actual, guess) in zip(truth, predicted) {
            add(truth: actual, predicted: guess)
        }
    }

    public mutating func add(truth: String, predicted: String?) {
        guard let row = labels.firstIndex(of: truth) else {
            preconditionFailure("truth label '\(truth)' is not in \(labels)")
        }
        guard let predicted else {
            unparsed[row] += 1
            return
        }
        guard let column = labels.firstIndex(of: predicted) else {
            preconditionFailure("predicted label '\(predicted)' is not in \(labels)")
        }
        counts[row][column] += 1
    }

    public var total: Int {
        counts.joined().reduce(0, +) + unparsed.reduce(0, +)
    }

    public var correct: Int {
        labels.indices.reduce(0) { $0 + counts[$1][$1] }
    }
}

/// Precision, recall and F1 of one class.
public struct ClassScores: Sendable, Equatable, Codable {
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// Cases whose true label is this class.
    public var support: Int
    /// Cases predicted as this class.
    public var predicted: Int
}

/// Accuracy, macro-F1, weighted-F1 and per-class scores of one confusion matrix.
///
/// Unparsed predictions count as wrong: they lower accuracy and the recall of their true class, and no
/// class's precision. A class with neither support nor predictions is left out of the averages, as
/// scikit-learn does when `labels` is not given. A ratio with a zero denominator is 0.
public struct ClassificationMetrics: Sendable, Equatable {
    public let confusion: ConfusionMatrix
    public let perClass: [String: ClassScores]
    public let accuracy: Double
    /// The unweighted mean F1 over the classes that appear in truth or predictions.
    public let macroF1: Double
    /// The mean F1 weighted by each class's support.
    public let weightedF1: Double

    public init(confusion: ConfusionMatrix) {
        self.confusion = confusion
        let total = confusion.total
        accuracy = total == 0 ? 0 : Double(confusion.correct) / Double(total)

        var scores: [String: ClassScores] = [:]
        var present: [ClassScores] = []
        for (index, label) in confusion.labels.enumerated() {
            let truePositives = confusion.counts[index][index]
            let support = confusion.counts[index].reduce(0, +) + confusion.unparsed[index]
            let predicted = confusion.counts.reduce(0) { $0 + $1[index] }
            let precision = Self.ratio(truePositives, predicted)
            let recall = Self.ratio(truePositives, support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            let score = ClassScores(precision: precision, recall: recall, f1: f1, support: support, predicted: predicted)
            scores[label] = score
            if support > 0 || predicted > 0 {
                present.append(score)
            }
        }
        perClass = scores
        macroF1 = present.isEmpty ? 0 : present.reduce(0) { $0 + $1.f1 } / Double(present.count)
        weightedF1 = total == 0 ? 0 : present.reduce(0) { $0 + $1.f1 * Double($1.support) } / Double(total)
    }

    static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }
}

/// The mean and 95th percentile of a list of values, such as seconds per case.
public struct SampleSummary: Sendable, Equatable, Codable {
    public var count: Int
    public var mean: Double
    /// The nearest-rank 95th percentile: the smallest value with at least 95% of the values at or below it.
    public var p95: Double

    public init(_ values: [Double]) {
        count = values.count
        guard !values.isEmpty else {
            mean = 0
            p95 = 0
            return
        }
        mean = values.reduce(0, +) / Double(values.count)
        let sorted = values.sorted()
        let rank = Int((0.95 * Double(sorted.count)).rounded(.up))
        p95 = sorted[max(rank, 1) - 1]
    }
}
