import Foundation
import LogCoT

/// Pieces shared by `logcot pool` and `logcot prefs`.
enum OfflineCommandSupport {
    /// Loads `--config`, or the built-in defaults without it.
    static func loadConfig(_ path: String?) throws -> LogCoTConfig {
        guard let path else {
            return LogCoTConfig()
        }
        return try LogCoTConfig.load(from: URL(fileURLWithPath: path))
    }

    /// Parses an endpoint given as `URL` or `URL=MODEL`, such as `http://127.0.0.1:8000/v1=mistral`.
    static func endpoint(_ text: String, option: String) throws -> (url: URL, model: String?) {
        var urlText = text
        var model: String?
        if let equals = text.firstIndex(of: "=") {
            urlText = String(text[..<equals])
            model = String(text[text.index(after: equals)...])
            if model?.isEmpty == true {
                throw UsageError("invalid \(option) '\(text)': the model name after '=' is empty")
            }
        }
        guard let url = URL(string: urlText), let scheme = url.scheme, scheme == "http" || scheme == "https", url.host != nil else {
            throw UsageError("invalid \(option) '\(text)'; use the server's base URL, optionally with =MODEL, such as http://127.0.0.1:8000/v1=mistral")
        }
        return (url, model)
    }

    /// Parses a positive integer option, or returns `defaultValue` when it is absent.
    static func positiveInt(_ parsed: CommandLineArguments, _ name: String, default defaultValue: Int) throws -> Int {
        guard let text = parsed.value(name) else {
            return defaultValue
        }
        guard let value = Int(text), value > 0 else {
            throw UsageError("invalid --\(name) '\(text)'; use a whole number of 1 or more")
        }
        return value
    }

    /// Writes `text` to `path` through a temporary file and a rename, so readers never see half a file.
    static func writeAtomically(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw UsageError("cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    /// Encodes values as JSON lines with sorted keys.
    static func jsonLines<Value: Encodable>(_ values: [Value]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = ""
        for value in values {
            text += String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
        }
        return text
    }

    /// Returns a path beside `path`: `pool.jsonl` with suffix `selected` becomes `pool.selected.jsonl`.
    static func sibling(of path: String, suffix: String) -> String {
        let url = URL(fileURLWithPath: path)
        let base = url.pathExtension.isEmpty ? url : url.deletingPathExtension()
        return base.path + "." + suffix + ".jsonl"
    }
}
