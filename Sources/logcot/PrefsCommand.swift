import Foundation
import LogCoT

enum PrefsCommand {
    static let usage = "Usage: logcot prefs build"

    static func main(_ arguments: [String]) async -> Int32 {
        2
    }
}
