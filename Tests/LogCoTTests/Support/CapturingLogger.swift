import Foundation
import LogCoT

/// A logger that stores every event for assertions.
final class CapturingLogger: DiagnosisLogger, @unchecked Sendable {
    struct Event: Sendable {
        var level: String
        var message: String
        var fields: [String: String]

        /// The event as one logfmt line, the form in which it would reach a log file.
        var line: String {
            StandardErrorDiagnosisLogger.formatLine(level: level, message: message, fields: fields)
        }
    }

    private let lock = NSLock()
    private var stored: [Event] = []

    var events: [Event] {
        lock.withLock { stored }
    }

    func log(_ level: String, _ message: String, _ fields: [String: String]) {
        lock.withLock {
            stored.append(Event(level: level, message: message, fields: fields))
        }
    }

    func events(withMessage message: String) -> [Event] {
        events.filter { $0.message == message }
    }
}
