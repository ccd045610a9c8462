import Foundation

/// The standard `process_*` metrics, read from Linux procfs at each scrape.
///
/// The names and meanings match the process collector of the Prometheus client libraries, so
/// dashboards written for other services work unchanged. Where /proc is missing (such as on macOS),
/// each metric exports no sample.
enum ProcessMetrics {
    static func register(in registry: MetricsRegistry) {
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        // The start time never changes, so read it once.
        let startTime = readStartTime(ticksPerSecond: ticksPerSecond)

        registry.callback("process_resident_memory_bytes", help: "Resident memory size in bytes.", type: .gauge) {
            readStatm().map { $0.residentPages * pageSize }
        }
        registry.callback("process_virtual_memory_bytes", help: "Virtual memory size in bytes.", type: .gauge) {
            readStatm().map { $0.totalPages * pageSize }
        }
        registry.callback("process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", type: .counter) {
            readStat().map { ($0.userTicks + $0.systemTicks) / ticksPerSecond }
        }
        registry.callback("process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.", type: .gauge) {
            startTime
        }
    }

    /// Reads the first two fields of /proc/self/statm: total program size and resident set, in pages.
    static func readStatm() -> (totalPages: Double, residentPages: Double)? {
        guard let text = readProcFile("/proc/self/statm") else {
            return nil
        }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let total = Double(fields[0]), let resident = Double(fields[1]) else {
            return nil
        }
        return (total, resident)
    }

    /// Reads utime, stime and starttime (fields 14, 15 and 22 of proc(5)) from /proc/self/stat, in clock ticks.
    static func readStat() -> (userTicks: Double, systemTicks: Double, startTicks: Double)? {
        guard let text = readProcFile("/proc/self/stat"), let commandEnd = text.lastIndex(of: ")") else {
            return nil
        }
        // The command name in field 2 may contain spaces, so count fields after its closing parenthesis,
        // where field 3 comes first.
        let fields = text[text.index(after: commandEnd)...].split(separator: " ")
        guard fields.count > 19, let user = Double(fields[11]), let system = Double(fields[12]), let start = Double(fields[19]) else {
            return nil
        }
        return (user, system, start)
    }

    /// Returns the boot time from the `btime` line of /proc/stat plus the process start offset.
    static func readStartTime(ticksPerSecond: Double) -> Double? {
        guard let stat = readStat(), let text = readProcFile("/proc/stat") else {
            return nil
        }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            guard let bootTime = Double(line.dropFirst("btime ".count).trimmingCharacters(in: .whitespaces)) else {
                return nil
            }
            return bootTime + stat.startTicks / ticksPerSecond
        }
        return nil
    }

    /// Reads a procfs file to its end. These files report a size of 0, so a read sized by fstat(2) would get nothing.
    static func readProcFile(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return nil
        }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else {
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }
}
