import Foundation

/// An incrementally updated TF-IDF model with per-class centroids learnt from labelled examples.
///
/// Document frequencies grow by one document each time a window closes. Each class keeps the sum of
/// its examples' length-normalised term-frequency vectors, so adding an example is cheap and the
/// centroid always uses the current inverse document frequencies. Not thread-safe: the pipeline
/// owns one instance and uses it from one task.
public final class TFIDFModel {
    /// Per-class training statistics.
    public struct ClassStatistics: Sendable, Equatable {
        public var exampleCount: Int = 0
        /// Sums of the examples' normalised term frequencies.
        public var termSums: [String: Double] = [:]
    }

    public private(set) var documentCount: Int = 0
    public private(set) var documentFrequency: [String: Int] = [:]
    public private(set) var classes: [String: ClassStatistics] = [:]
    /// Increases with every document or example added; reports record it.
    public private(set) var revision: Int = 0

    /// Terms whose document frequency changed since the last `takeDirtyTerms()`, for incremental saving.
    private var dirtyTerms: Set<String> = []
    private var dirtyClasses: Set<String> = []
    private var centroidNormCache: [String: Double] = [:]
    private var centroidCacheRevision = -1

    public init() {}

    init(documentCount: Int, documentFrequency: [String: Int], classes: [String: ClassStatistics], revision: Int) {
        self.documentCount = documentCount
        self.documentFrequency = documentFrequency
        self.classes = classes
        self.revision = revision
    }

    /// Smoothed inverse document frequency, `ln((1 + N) / (1 + df)) + 1`, as scikit-learn computes it.
    public func inverseDocumentFrequency(_ term: String) -> Double {
        let frequency = documentFrequency[term] ?? 0
        return log(Double(1 + documentCount) / Double(1 + frequency)) + 1
    }

    /// Counts a closed window's distinct terms into the document frequencies.
    public func addDocument(_ termCounts: [String: Int]) {
        documentCount += 1
        for term in termCounts.keys {
            documentFrequency[term, default: 0] += 1
            dirtyTerms.insert(term)
        }
        revision += 1
    }

    /// Adds one labelled example to its class centroid.
    public func addExample(label: String, termCounts: [String: Int]) {
        let frequencies = Self.normalisedTermFrequencies(termCounts)
        var statistics = classes[label] ?? ClassStatistics()
        statistics.exampleCount += 1
        for (term, value) in frequencies {
            statistics.termSums[term, default: 0] += value
        }
        classes[label] = statistics
        dirtyClasses.insert(label)
        revision += 1
    }

    /// Returns the window's TF-IDF vector, with sublinear term frequency and L2 normalisation.
    public func vector(_ termCounts: [String: Int]) -> [String: Double] {
        var weights: [String: Double] = [:]
        weights.reserveCapacity(termCounts.count)
        var squares = 0.0
        for (term, count) in termCounts where count > 0 {
            let weight = (1 + log(Double(count))) * inverseDocumentFrequency(term)
            weights[term] = weight
            squares += weight * weight
        }
        guard squares > 0 else {
            return weights
        }
        let norm = squares.squareRoot()
        for (term, weight) in weights {
            weights[term] = weight / norm
        }
        return weights
    }

    /// Cosine similarity of a window vector to each class centroid; classes without examples score 0.
    public func classScores(_ vector: [String: Double]) -> [String: Double] {
        var scores: [String: Double] = [:]
        for (label, statistics) in classes {
            let norm = centroidNorm(of: label)
            guard norm > 0 else {
                scores[label] = 0
                continue
            }
            var dot = 0.0
            for (term, weight) in vector {
                dot += weight * (centroidWeight(statistics, term, idf: nil) ?? 0)
            }
            scores[label] = dot / norm
        }
        return scores
    }

    /// Returns the largest margin by which one class's centroid weight for a term exceeds every other
    /// class's, with that class, or 0 and nil when no class leads with the term.
    public func discriminativeWeight(_ term: String) -> (weight: Double, label: String?) {
        var best = (weight: 0.0, label: String?.none)
        let idf = inverseDocumentFrequency(term)
        let weights = classes.map { ($0.key, centroidWeight($0.value, term, idf: idf) ?? 0) }
        for (index, (label, weight)) in weights.enumerated() {
            var strongestOther: Double?
            for (otherIndex, other) in weights.enumerated() where otherIndex != index {
                strongestOther = max(strongestOther ?? other.1, other.1)
            }
            let margin = weight - (strongestOther ?? 0)
            if margin > best.weight {
                best = (margin, label)
            }
        }
        return best
    }

    /// Returns the terms changed since the previous call and clears the set.
    func takeDirtyTerms() -> (terms: Set<String>, classes: Set<String>) {
        defer {
            dirtyTerms.removeAll()
            dirtyClasses.removeAll()
        }
        return (dirtyTerms, dirtyClasses)
    }

    /// Returns the L2 norm of a class centroid, computed once per model revision.
    ///
    /// Only the norm is cached: rebuilding every centroid's weight table after each closed window
    /// cost more than the scoring itself, and `centroidWeight` gives any one weight directly.
    private func centroidNorm(of label: String) -> Double {
        if centroidCacheRevision != revision {
            centroidNormCache.removeAll(keepingCapacity: true)
            centroidCacheRevision = revision
        }
        if let cached = centroidNormCache[label] {
            return cached
        }

        guard let statistics = classes[label], statistics.exampleCount > 0 else {
            return 0
        }
        var squares = 0.0
        for (term, sum) in statistics.termSums {
            let weight = sum / Double(statistics.exampleCount) * inverseDocumentFrequency(term)
            squares += weight * weight
        }
        let norm = squares.squareRoot()
        centroidNormCache[label] = norm
        return norm
    }

    /// Returns a term's weight in a class centroid, the class's mean normalised frequency times the
    /// term's idf, or nil when no example of the class has the term. `idf` may pass the term's
    /// precomputed inverse document frequency.
    private func centroidWeight(_ statistics: ClassStatistics, _ term: String, idf: Double?) -> Double? {
        guard statistics.exampleCount > 0, let sum = statistics.termSums[term] else {
            return nil
        }
        return sum / Double(statistics.exampleCount) * (idf ?? inverseDocumentFrequency(term))
    }

    static func normalisedTermFrequencies(_ termCounts: [String: Int]) -> [String: Double] {
        var frequencies: [String: Double] = [:]
        var squares = 0.0
        for (term, count) in termCounts where count > 0 {
            let value = 1 + log(Double(count))
            frequencies[term] = value
            squares += value * value
        }
        guard squares > 0 else {
            return frequencies
        }
        let norm = squares.squareRoot()
        return frequencies.mapValues { $0 / norm }
    }
}
