import Foundation

/// One labelled window: few-shot example for the LLM and training example for the class weights.
public struct PoolExample: Sendable, Codable, Equatable {
    public var id: String
    /// The window's masked log lines, oldest first.
    public var lines: [String]
    public var reasoning: String
    /// The label id, resolved against the configured label set on load.
    public var label: String

    public init(id: String, lines: [String], reasoning: String, label: String) {
        self.id = id
        self.lines = lines
        self.reasoning = reasoning
        self.label = label
    }
}

/// A loaded example pool with a version string that reports record.
public struct ExamplePool: Sendable {
    public var examples: [PoolExample]
    /// `name@sha256-prefix` of the pool's content, so a changed pool shows in reports.
    public var version: String

    public init(examples: [PoolExample], version: String) {
        self.examples = examples
        self.version = version
    }

    /// Loads JSON lines of `{id, lines, reasoning, label}`, or the LogCoT authors' JSON array of
    /// `{instruction, output}` whose log lines follow `logs:` and whose output starts with
    /// `The error category code is:N.`. Labels may be ids or codes.
    public static func load(from url: URL, labels: LabelSet) throws -> ExamplePool {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PoolError(path: url.path, message: "cannot read the file: \(error.localizedDescription)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let trimmed = text.drop { $0.isWhitespace }
        let examples = trimmed.hasPrefix("[")
            ? try parseAuthorsFormat(data, path: url.path, labels: labels)
            : try parseJSONLines(text, path: url.path, labels: labels)
        return ExamplePool(examples: examples, version: version(name: url.deletingPathExtension().lastPathComponent, data: data))
    }

    static func version(name: String, data: Data) -> String {
        let digest = SHA256.hash(Array(data))
        return "\(name)@" + digest.prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    static func parseJSONLines(_ text: String, path: String, labels: LabelSet) throws -> [PoolExample] {
        var examples: [PoolExample] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("//") {
                continue
            }
            let decoded: PoolExample
            do {
                decoded = try JSONDecoder().decode(PoolExample.self, from: Data(content.utf8))
            } catch {
                throw PoolError(path: path, message: "line \(index + 1): expected {id, lines, reasoning, label}: \(describeDecodingError(error))")
            }
            guard let label = labels.resolve(decoded.label) else {
                throw PoolError(path: path, message: "line \(index + 1): label '\(decoded.label)' is not in the label set (\(labels.ids.joined(separator: ", ")))")
            }
            examples.append(PoolExample(id: decoded.id, lines: decoded.lines, reasoning: decoded.reasoning, label: label.id))
        }
        return examples
    }

    struct AuthorsRecord: Decodable {
        var instruction: String
        var input: String?
        var output: String
    }

    static func parseAuthorsFormat(_ data: Data, path: String, labels: LabelSet) throws -> [PoolExample] {
        let records: [AuthorsRecord]
        do {
            records = try JSONDecoder().decode([AuthorsRecord].self, from: data)
        } catch {
            throw PoolError(path: path, message: "expected a JSON array of {instruction, output}: \(describeDecodingError(error))")
        }

        var examples: [PoolExample] = []
        for (index, record) in records.enumerated() {
            guard let (label, reasoning) = splitAuthorsOutput(record.output, labels: labels) else {
                throw PoolError(path: path, message: "entry \(index): output does not start with 'The error category code is:N.' for a code in the label set")
            }
            examples.append(PoolExample(id: "\(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)-\(index)", lines: logLines(in: record.instruction), reasoning: reasoning, label: label.id))
        }
        return examples
    }

    /// The lines after `logs:` up to the closing `Please give your answer:` cue.
    static func logLines(in instruction: String) -> [String] {
        guard let start = instruction.range(of: "logs:") else {
            return []
        }
        var body = instruction[start.upperBound...]
        if let end = body.range(of: "Please give your answer", options: .backwards) {
            body = body[..<end.lowerBound]
        }
        return body.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func splitAuthorsOutput(_ output: String, labels: LabelSet) -> (FaultLabel, String)? {
        let prefix = "The error category code is:"
        guard let range = output.range(of: prefix) else {
            return nil
        }
        let rest = output[range.upperBound...].drop { $0 == " " }
        let codeText = rest.prefix { $0.isNumber }
        guard let label = labels.resolve(String(codeText)) else {
            return nil
        }
        var reasoning = String(rest.dropFirst(codeText.count)).trimmingCharacters(in: .whitespacesAndNewlines)
        if reasoning.hasPrefix(".") {
            reasoning = String(reasoning.dropFirst()).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let cue = reasoning.range(of: "The reasons are as follows:"), cue.lowerBound == reasoning.startIndex {
            reasoning = String(reasoning[cue.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return (label, reasoning)
    }
}

/// A problem in an example pool file.
public struct PoolError: Error, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String {
        "invalid example pool \(path): \(message)"
    }
}
