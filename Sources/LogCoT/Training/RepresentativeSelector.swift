import Foundation

/// Chooses k representative pool records per class: the records nearest their class centroid in TF-IDF
/// space, skipping any record whose cosine similarity to one already chosen in its class reaches
/// `duplicateThreshold`.
///
/// Terms come from each line's template, as in the daemon's example selection, and the document
/// frequencies from all records. Ties go to the earlier record, so the same pool always gives the same
/// selection.
public struct RepresentativeSelector: Sendable {
    public let perClass: Int
    /// Cosine similarity at or above which two records count as near-duplicates.
    public let duplicateThreshold: Double

    public init(perClass: Int, duplicateThreshold: Double = 0.95) {
        self.perClass = perClass
        self.duplicateThreshold = duplicateThreshold
    }

    /// Returns the chosen records in label-set order, nearest the centroid first within a class.
    public func select(_ records: [PoolRecord], labels: LabelSet) -> [PoolRecord] {
        let vectors = Self.vectors(for: records)

        var chosen: [PoolRecord] = []
        for label in labels.labels {
            let members = records.indices.filter { records[$0].label == label.id }
            let centroid = Self.normalised(Self.sum(members.map { vectors[$0] }))
            let ranked = members
                .map { (index: $0, similarity: Self.cosine(vectors[$0], centroid)) }
                // Dictionary order varies per process, so equal windows can differ in the last bits of
                // their similarity. Rounding to 1e-9 lets the file order break such ties every time.
                .sorted { (($0.similarity * 1e9).rounded(), -$0.index) > (($1.similarity * 1e9).rounded(), -$1.index) }

            var picked: [Int] = []
            for candidate in ranked where picked.count < perClass {
                let isDuplicate = picked.contains { Self.cosine(vectors[$0], vectors[candidate.index]) >= duplicateThreshold }
                if !isDuplicate {
                    picked.append(candidate.index)
                }
            }
            chosen += picked.map { records[$0] }
        }
        return chosen
    }

    /// Returns each record's L2-normalised TF-IDF vector.
    static func vectors(for records: [PoolRecord]) -> [[String: Double]] {
        let model = TFIDFModel()
        let counts = records.map { record in
            var counts: [String: Int] = [:]
            for line in record.lines {
                for term in TermExtractor.terms(of: TemplateMiner.template(of: line)) {
                    counts[term, default: 0] += 1
                }
            }
            return counts
        }
        for termCounts in counts {
            model.addDocument(termCounts)
        }
        return counts.map { model.vector($0) }
    }

    static func sum(_ vectors: [[String: Double]]) -> [String: Double] {
        var total: [String: Double] = [:]
        for vector in vectors {
            for (term, weight) in vector {
                total[term, default: 0] += weight
            }
        }
        return total
    }

    static func normalised(_ vector: [String: Double]) -> [String: Double] {
        let norm = vector.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else {
            return vector
        }
        return vector.mapValues { $0 / norm }
    }

    /// Returns the dot product, which is the cosine similarity of normalised vectors.
    static func cosine(_ left: [String: Double], _ right: [String: Double]) -> Double {
        let (small, large) = left.count <= right.count ? (left, right) : (right, left)
        var dot = 0.0
        for (term, weight) in small {
            dot += weight * (large[term] ?? 0)
        }
        return dot
    }
}
