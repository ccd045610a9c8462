import Foundation
import LogCoT

/// `logcot check-config FILE`: loads a config and lists every problem with its key path.
enum CheckConfigCommand {
    static let usage = """
        Usage: logcot check-config FILE

        Loads FILE as JSON5, substitutes ${ENV} variables, and checks every key and value.
        Prints `FILE: OK` and exits 0, or lists each problem as `key.path: message` and exits 2.
        """

    static func main(_ arguments: [String]) -> Int32 {
        guard arguments.count == 1, let path = arguments.first, !path.hasPrefix("--") else {
            printError(usage)
            return 2
        }
        do {
            _ = try LogCoTConfig.load(from: URL(fileURLWithPath: path))
            print("\(path): OK")
            return 0
        } catch {
            printError(String(describing: error))
            return 2
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
