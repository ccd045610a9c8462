import Foundation

/// Replaces `${NAME}` and `${NAME:-default}` in config strings with environment variables.
///
/// A `$$` writes a literal `$`. A variable that is unset and has no default is reported as missing.
public struct EnvironmentSubstitution: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Returns the substituted text and the names of unset variables that had no default.
    public func substitute(_ text: String) -> (text: String, missing: [String]) {
        guard text.contains("$") else {
            return (text, [])
        }

        var output = ""
        var missing: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            guard character == "$", next < text.endIndex else {
                output.append(character)
                index = next
                continue
            }
            if text[next] == "$" {
                output.append("$")
                index = text.index(after: next)
                continue
            }
            guard text[next] == "{", let close = text[next...].firstIndex(of: "}") else {
                output.append(character)
                index = next
                continue
            }

            let body = String(text[text.index(after: next)..<close])
            let parts = body.components(separatedBy: ":-")
            let name = parts[0]
            if let value = environment[name], !value.isEmpty {
                output += value
            } else if parts.count > 1 {
                output += parts.dropFirst().joined(separator: ":-")
            } else {
                missing.append(name)
            }
            index = text.index(after: close)
        }
        return (output, missing)
    }
}
