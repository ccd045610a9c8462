/// Grouping accuracy of a log parser, as the loghub benchmark defines it.
///
/// A message counts as correctly grouped when the group that the parser put it in contains exactly
/// the same set of messages as its ground-truth template group. The accuracy is the share of such
/// messages (Zhu et al., "Tools and Benchmarks for Automated Log Parsing", ICSE-SEIP 2019).
public enum GroupingAccuracy {
    /// Returns the share of messages whose predicted group equals their ground-truth group.
    ///
    /// `predicted[i]` and `truth[i]` are the group ids of message `i`. Returns 0 for no messages.
    /// - Precondition: both arrays have the same length.
    public static func compute(predicted: [String], truth: [String]) -> Double {
        precondition(predicted.count == truth.count, "predicted and truth label one message each")
        guard !predicted.isEmpty else {
            return 0
        }

        let predictedGroups = members(of: predicted)
        let truthGroups = members(of: truth)
        var correct = 0
        for indices in predictedGroups.values {
            // The sets are equal when every member shares one truth group and that group is no larger.
            let truthID = truth[indices[0]]
            if truthGroups[truthID]?.count == indices.count, indices.allSatisfy({ truth[$0] == truthID }) {
                correct += indices.count
            }
        }
        return Double(correct) / Double(predicted.count)
    }

    private static func members(of labels: [String]) -> [String: [Int]] {
        var groups: [String: [Int]] = [:]
        for (index, label) in labels.enumerated() {
            groups[label, default: []].append(index)
        }
        return groups
    }
}
