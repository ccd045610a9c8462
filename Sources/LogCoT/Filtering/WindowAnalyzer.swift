import Foundation

/// A template chosen for the prompt and the report.
public struct KeyLine: Sendable, Equatable {
    /// The first masked line with this template.
    public var text: String
    public var template: String
    public var count: Int
    public var first: Date
    public var last: Date
    public var score: Double
}

/// A term that weighs in the window's classification.
public struct KeyTerm: Sendable, Equatable {
    public var term: String
    public var weight: Double
    /// The class the term points to, when it points to one.
    public var label: String?
}

/// The TF-IDF stage's result for one window.
public struct WindowAnalysis: Sendable {
    public var keyLines: [KeyLine]
    public var keyTerms: [KeyTerm]
    /// Cosine similarity of the window to each class centroid.
    public var scores: [String: Double]
    /// The best-scoring class, or the label set's fallback when no class scores above 0.
    public var label: FaultLabel
    /// The window's TF-IDF vector, for example selection.
    public var vector: [String: Double]
    /// Estimated tokens of the kept lines, and of all the window's lines sent raw.
    public var keptTokens: Int
    public var rawTokens: Int
    public var modelRevision: Int
    public var modelDocuments: Int
    public var modelExamples: Int
    /// Few-shot examples chosen for the window, when the diagnosis uses an LLM.
    public var examples: [PoolExample] = []
}

/// Scores a window's templates with the TF-IDF model, keeps the best within the prompt budget and
/// labels the window by the nearest class centroid.
public struct WindowAnalyzer {
    public let labels: LabelSet
    public let promptBudgetTokens: Int
    public let keyTermCount: Int

    public init(labels: LabelSet, promptBudgetTokens: Int, keyTermCount: Int) {
        self.labels = labels
        self.promptBudgetTokens = promptBudgetTokens
        self.keyTermCount = keyTermCount
    }

    /// Counts of each term over the window's lines.
    public static func termCounts(of window: FaultWindow) -> [String: Int] {
        var counts: [String: Int] = [:]
        for statistics in window.templates.values {
            for term in TermExtractor.terms(of: statistics.template) {
                counts[term, default: 0] += statistics.count
            }
        }
        return counts
    }

    /// Estimates tokens for budget checks at about four bytes of English or log text per token.
    public static func estimatedTokens(_ text: String) -> Int {
        text.utf8.count / 4 + 1
    }

    public func analyze(_ window: FaultWindow, termCounts: [String: Int], model: TFIDFModel) -> WindowAnalysis {
        let vector = model.vector(termCounts)
        let scores = model.classScores(vector)
        let label = bestLabel(scores)

        var weights: [String: (weight: Double, label: String?)] = [:]
        for term in termCounts.keys {
            weights[term] = model.discriminativeWeight(term)
        }

        let keyLines = selectKeyLines(window, model: model, weights: weights)
        let keyTerms = rankTerms(vector: vector, weights: weights)
        let rawTokens = window.counts.seen == 0 ? 0 : window.templates.values.reduce(0) {
            $0 + Self.estimatedTokens($1.example) * $1.count
        }

        return WindowAnalysis(
            keyLines: keyLines,
            keyTerms: keyTerms,
            scores: scores,
            label: label,
            vector: vector,
            keptTokens: keyLines.reduce(0) { $0 + Self.estimatedTokens($1.text) + 2 },
            rawTokens: rawTokens,
            modelRevision: model.revision,
            modelDocuments: model.documentCount,
            modelExamples: model.classes.values.reduce(0) { $0 + $1.exampleCount }
        )
    }

    func bestLabel(_ scores: [String: Double]) -> FaultLabel {
        var best: (label: FaultLabel, score: Double)?
        for label in labels.labels {
            let score = scores[label.id] ?? 0
            if score > 0, score > (best?.score ?? 0) {
                best = (label, score)
            }
        }
        return best?.label ?? labels.fallback
    }

    /// Keeps the highest-scoring templates within the token budget and returns them in time order.
    ///
    /// A template scores the sum over its terms of `idf × class margin`, plus a tenth of its mean idf so
    /// that rare lines still rank above common ones when no class weight applies.
    func selectKeyLines(_ window: FaultWindow, model: TFIDFModel, weights: [String: (weight: Double, label: String?)]) -> [KeyLine] {
        var candidates: [KeyLine] = []
        candidates.reserveCapacity(window.templates.count)
        for statistics in window.templates.values {
            let terms = TermExtractor.terms(of: statistics.template)
            var classWeight = 0.0
            var idfSum = 0.0
            for term in terms {
                let idf = model.inverseDocumentFrequency(term)
                idfSum += idf
                classWeight += idf * (weights[term]?.weight ?? 0)
            }
            let rarity = terms.isEmpty ? 0 : idfSum / Double(terms.count) / 10
            candidates.append(KeyLine(
                text: statistics.example,
                template: statistics.template,
                count: statistics.count,
                first: statistics.first,
                last: statistics.last,
                score: classWeight + rarity
            ))
        }

        candidates.sort { ($0.score, $1.first, $1.template) > ($1.score, $0.first, $0.template) }
        var kept: [KeyLine] = []
        var budget = promptBudgetTokens
        for candidate in candidates {
            let cost = Self.estimatedTokens(candidate.text) + 2
            if cost <= budget {
                kept.append(candidate)
                budget -= cost
            }
        }
        return kept.sorted { ($0.first, $0.template) < ($1.first, $1.template) }
    }

    func rankTerms(vector: [String: Double], weights: [String: (weight: Double, label: String?)]) -> [KeyTerm] {
        let ranked = vector.map { term, value in
            let classWeight = weights[term] ?? (0, nil)
            return KeyTerm(term: term, weight: value * (1 + classWeight.weight), label: classWeight.label)
        }
        return Array(ranked.sorted { ($0.weight, $1.term) > ($1.weight, $0.term) }.prefix(keyTermCount))
    }
}
