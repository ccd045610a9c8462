import Foundation

/// Picks few-shot examples for a window: the `perClass` pool examples of each class whose TF-IDF
/// vectors are nearest the window's by cosine similarity.
///
/// Example term counts are computed once; their vectors use the model's current document
/// frequencies at selection time, so selection follows the model as it learns. Ties go to the
/// earlier example in the pool, so the same model state always selects the same examples.
public struct ExampleSelector: Sendable {
    public let pool: ExamplePool
    public let perClass: Int
    /// The estimated token budget of one example's log lines; lines past it are left out of the prompt.
    public let maxExampleTokens: Int
    private let termCounts: [[String: Int]]

    public init(pool: ExamplePool, perClass: Int, maxExampleTokens: Int = 256, masker: Masker) {
        self.pool = pool
        self.perClass = perClass
        self.maxExampleTokens = maxExampleTokens
        self.termCounts = pool.examples.map { example in
            var counts: [String: Int] = [:]
            for line in example.lines {
                for term in TermExtractor.terms(of: TemplateMiner.template(of: masker.mask(line, host: nil))) {
                    counts[term, default: 0] += 1
                }
            }
            return counts
        }
    }

    /// Returns the chosen examples grouped in label-set order, nearest first within a class.
    public func select(for windowVector: [String: Double], labels: LabelSet, model: TFIDFModel) -> [PoolExample] {
        guard perClass > 0 else {
            return []
        }
        var scored: [String: [(index: Int, similarity: Double)]] = [:]
        for (index, example) in pool.examples.enumerated() {
            let vector = model.vector(termCounts[index])
            var dot = 0.0
            for (term, weight) in windowVector {
                dot += weight * (vector[term] ?? 0)
            }
            scored[example.label, default: []].append((index, dot))
        }

        var chosen: [PoolExample] = []
        for label in labels.labels {
            let candidates = (scored[label.id] ?? []).sorted { ($0.similarity, -$0.index) > ($1.similarity, -$1.index) }
            chosen += candidates.prefix(perClass).map { trimmed(pool.examples[$0.index]) }
        }
        return chosen
    }

    /// Keeps an example's first lines within `maxExampleTokens`, so that long pool windows cannot push
    /// the prompt past the server's context size.
    func trimmed(_ example: PoolExample) -> PoolExample {
        var budget = maxExampleTokens
        var lines: [String] = []
        for line in example.lines {
            let cost = WindowAnalyzer.estimatedTokens(line) + 1
            guard cost <= budget else {
                break
            }
            lines.append(line)
            budget -= cost
        }
        var copy = example
        copy.lines = lines
        return copy
    }
}
