import Foundation

/// Scores precomputed model responses, JSON lines of `{id, label, response}`, with the daemon's `LabelParser`.
///
/// `label` is the ground truth (an id or code); `response` is the model's answer text. Blank lines and
/// lines starting with `//` are skipped.
public struct ResponseScorer: Sendable {
    public let labels: LabelSet
    private let parser: LabelParser

    public init(labels: LabelSet) {
        self.labels = labels
        parser = LabelParser(labels: labels)
    }

    struct ResponseLine: Decodable {
        var id: String
        var label: String
        var response: String

        enum CodingKeys: String, CodingKey {
            case id, label, response
        }

        // Ground-truth labels are often stored as numbers, so `"label": 2` is accepted beside `"label": "2"`.
        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            if let number = try? container.decode(Int.self, forKey: .label) {
                label = String(number)
            } else {
                label = try container.decode(String.self, forKey: .label)
            }
            response = try container.decode(String.self, forKey: .response)
        }
    }

    /// Reads a responses file and parses each response; errors name the file and line.
    public func score(fileAt url: URL) throws -> [EvaluatedCase] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw WindowFileError(path: url.path, line: nil, message: "cannot read the responses file: \(error.localizedDescription); check the path and permissions")
        }

        var cases: [EvaluatedCase] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("//") {
                continue
            }
            let entry: ResponseLine
            do {
                entry = try JSONDecoder().decode(ResponseLine.self, from: Data(content.utf8))
            } catch {
                throw WindowFileError(path: url.path, line: index + 1, message: "expected a JSON object {id, label, response}: \(describeDecodingError(error))")
            }
            guard let truth = try WindowFile.resolveLabel(entry.label, labels: labels, path: url.path, line: index + 1) else {
                throw WindowFileError(path: url.path, line: index + 1, message: "response '\(entry.id)' has an empty label; set the ground-truth label id or code")
            }
            cases.append(score(id: entry.id, truth: truth, response: entry.response))
        }
        return cases
    }

    /// Parses one response against its ground-truth label id.
    public func score(id: String, truth: String, response: String) -> EvaluatedCase {
        let predicted: String?
        switch parser.parse(response) {
        case .label(let label):
            predicted = label.id
        case .unparsed:
            predicted = nil
        }
        return EvaluatedCase(id: id, truth: truth, predicted: predicted)
    }
}
