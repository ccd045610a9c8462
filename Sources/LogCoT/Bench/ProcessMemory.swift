import Foundation

/// Resident-memory figures of the current process, from Linux's `/proc/self/status`.
public enum ProcessMemory {
    /// Peak resident set size (`VmHWM`) in bytes, or nil where `/proc` is missing.
    public static func peakResidentBytes() -> Int? {
        statusValue("VmHWM")
    }

    /// Current resident set size (`VmRSS`) in bytes, or nil where `/proc` is missing.
    public static func residentBytes() -> Int? {
        statusValue("VmRSS")
    }

    /// Reads a `NAME:   1234 kB` line of `/proc/self/status`.
    static func statusValue(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
            return nil
        }
        return parseStatus(text, name: name)
    }

    /// Returns the value of field `name` in `/proc/PID/status` text, in bytes.
    public static func parseStatus(_ text: String, name: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let kibibytes = Int(parts[1]) else {
                return nil
            }
            return kibibytes * 1024
        }
        return nil
    }
}
