import Foundation

/// Parses syslog lines in the forms that servers and network devices write, detected per line:
///
/// - RFC 5424: `<34>1 2024-05-01T12:00:00.000Z host app 123 ID47 [sd] message`
/// - RFC 3164 with or without `<PRI>`: `Jun 14 15:16:01 combo sshd[19939]: message` (no year)
/// - RFC 3339 stamp then host, as rsyslog's default file format writes it
/// - Cisco IOS-XR: `RP/0/RP0/CPU0:Sep  1 09:08:59.337 : resmon[236]: %HA-HA_WD-4-MEMORY_ALARM : message`
/// - Cisco NX-OS: `2017 Sep  1 09:08:59 leaf1 %ETHPORT-5-IF_DOWN_LINK_FAILURE: message`
/// - Cisco IOS: `*Mar  1 18:46:11.123 UTC: %LINK-3-UPDOWN: message`
///
/// Year-less times go through `TimestampResolver.resolveYearless`. A Cisco `%FACILITY-N-MNEMONIC`
/// code sets the severity to N. The host is the one in the line, else the source's host hint
/// (for switch logs, the file name).
public struct SyslogParser: LineParser {
    public let resolver: TimestampResolver

    public init(resolver: TimestampResolver) {
        self.resolver = resolver
    }

    public func parse(_ line: RawLine) -> ParseResult {
        var rest = Substring(line.text)
        trimLeadingSpaces(&rest)
        if rest.isEmpty {
            return .ignored
        }

        var fields: [String: String] = [:]
        var severity: Severity?
        if let pri = readPriority(&rest) {
            severity = Severity(rawValue: pri % 8)
            fields["facility"] = String(pri / 8)
        }

        let parsed: ParsedLine?
        if rest.hasPrefix("1 ") {
            parsed = parseRFC5424(rest.dropFirst(2), fields: &fields)
        } else if let first = rest.first, first.isNumber {
            parsed = parseNXOS(rest, fields: &fields) ?? parseISOPrefixed(rest, fields: &fields) ?? parseIOSXR(rest, fields: &fields)
        } else {
            parsed = parseIOSXR(rest, fields: &fields) ?? parseBSD(rest, fields: &fields)
        }

        guard let parsed else {
            if isShowClockHeader(rest) {
                return .rejected(ParseError("IOS-XR 'show clock' output, not a log message"))
            }
            return .rejected(ParseError("no syslog timestamp found; expected RFC 5424, RFC 3164 or a Cisco IOS, IOS-XR or NX-OS line"))
        }

        guard let host = parsed.host ?? line.hostHint, !host.isEmpty else {
            return .rejected(ParseError("the line names no host and the source gives none; name the file after the host or set one for the source"))
        }
        if let ciscoSeverity = Self.ciscoSeverity(in: parsed.message, fields: &fields) {
            severity = ciscoSeverity
        }

        return .record(LogRecord(
            host: host,
            timestamp: parsed.timestamp,
            timestampText: parsed.timestampText,
            severity: severity,
            message: String(parsed.message),
            fields: fields,
            truncated: line.truncated
        ))
    }

    struct ParsedLine {
        var timestamp: Date
        var timestampText: String
        var host: String?
        var message: Substring
    }

    // MARK: - Forms

    private func parseRFC5424(_ text: Substring, fields: inout [String: String]) -> ParsedLine? {
        var rest = text
        guard let stamp = nextToken(&rest) else {
            return nil
        }
        let timestamp: Date
        if stamp == "-" {
            // RFC 5424 allows a nil timestamp, so the reference time (arrival) replaces it.
            timestamp = resolver.referenceTime
        } else {
            guard let parsed = resolver.parseISOLike(stamp) else {
                return nil
            }
            timestamp = parsed
        }
        let host = nextToken(&rest).flatMap { $0 == "-" ? nil : String($0) }
        if let app = nextToken(&rest), app != "-" { fields["app_name"] = String(app) }
        if let proc = nextToken(&rest), proc != "-" { fields["procid"] = String(proc) }
        if let msgid = nextToken(&rest), msgid != "-" { fields["msgid"] = String(msgid) }
        skipStructuredData(&rest)
        trimLeadingSpaces(&rest)
        if rest.hasPrefix("\u{FEFF}") {
            rest = rest.dropFirst()
        }
        return ParsedLine(timestamp: timestamp, timestampText: String(stamp), host: host, message: rest)
    }

    /// `2024-05-01T12:00:00+02:00 host tag: message`, as rsyslog writes files by default.
    private func parseISOPrefixed(_ text: Substring, fields: inout [String: String]) -> ParsedLine? {
        var rest = text
        guard let stamp = nextToken(&rest), stamp.count >= 19, let timestamp = resolver.parseISOLike(stamp) else {
            return nil
        }
        let host = nextToken(&rest).map(String.init)
        trimLeadingSpaces(&rest)
        readTag(&rest, fields: &fields)
        return ParsedLine(timestamp: timestamp, timestampText: String(stamp), host: host, message: rest)
    }

    /// `Mmm dd hh:mm:ss host tag[pid]: message`; a year after the day is accepted.
    private func parseBSD(_ text: Substring, fields: inout [String: String]) -> ParsedLine? {
        var rest = text
        guard let (timestamp, stampText) = readMonthDayTime(&rest) else {
            return nil
        }
        trimLeadingSpaces(&rest)
        if rest.hasPrefix("%") || rest.hasPrefix(": %") {
            // Cisco IOS writes no host: `Mar  1 18:46:11.123 UTC: %LINK-3-UPDOWN: ...`.
            if rest.hasPrefix(": ") { rest = rest.dropFirst(2) }
            return ParsedLine(timestamp: timestamp, timestampText: stampText, host: nil, message: rest)
        }
        let host = nextToken(&rest).map(String.init)
        trimLeadingSpaces(&rest)
        readTag(&rest, fields: &fields)
        return ParsedLine(timestamp: timestamp, timestampText: stampText, host: host, message: rest)
    }

    /// `[host ]RP/0/RP0/CPU0:Sep  1 09:08:59.337 [ZONE]: process[pid]: %FAC-SUB-N-MNEMONIC : message`
    private func parseIOSXR(_ text: Substring, fields: inout [String: String]) -> ParsedLine? {
        var rest = text
        var host: String?

        // A relay may prefix a sequence number (`123: `) and the device name.
        if let colon = rest.firstIndex(of: ":"), rest[..<colon].allSatisfy(\.isNumber), !rest[..<colon].isEmpty {
            rest = rest[rest.index(after: colon)...]
            trimLeadingSpaces(&rest)
        }
        guard let nodeEnd = rest.firstIndex(of: ":") else {
            return nil
        }
        var node = rest[..<nodeEnd]
        if let space = node.lastIndex(of: " ") {
            host = String(node[..<space]).trimmingCharacters(in: .whitespaces)
            node = node[node.index(after: space)...]
        }
        guard node.contains("/"), node.uppercased().contains("CPU") || node.contains("/RP") else {
            return nil
        }
        rest = rest[rest.index(after: nodeEnd)...]
        guard let (timestamp, stampText) = readMonthDayTime(&rest) else {
            return nil
        }
        fields["node"] = String(node)

        trimLeadingSpaces(&rest)
        if rest.hasPrefix(":") {
            rest = rest.dropFirst()
        }
        trimLeadingSpaces(&rest)
        readTag(&rest, fields: &fields)
        return ParsedLine(timestamp: timestamp, timestampText: stampText, host: host?.isEmpty == true ? nil : host, message: rest)
    }

    /// `2017 Sep  1 09:08:59[.123] [ZONE[:]] [host] %FAC-N-MNEMONIC: message`
    private func parseNXOS(_ text: Substring, fields: inout [String: String]) -> ParsedLine? {
        var rest = text
        guard let yearToken = nextToken(&rest), yearToken.count == 4, let year = Int(yearToken) else {
            return nil
        }
        guard let monthToken = nextToken(&rest), let month = CivilTime.month(named: monthToken),
              let dayToken = nextToken(&rest), let day = Int(dayToken),
              let timeToken = nextToken(&rest) else {
            return nil
        }
        var scanner = DigitScanner(timeToken)
        guard let hour = scanner.number(digits: 2), scanner.skip(":"), let minute = scanner.number(digits: 2), scanner.skip(":"),
              let second = scanner.seconds(), scanner.atEnd,
              let local = CivilTime.epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else {
            return nil
        }

        var zone = resolver.zone
        var stampText = "\(yearToken) \(monthToken) \(dayToken) \(timeToken)"
        var probe = rest
        if let zoneToken = nextToken(&probe) {
            let name = zoneToken.hasSuffix(":") ? zoneToken.dropLast() : zoneToken
            if name.count >= 3, name.count <= 5, name.allSatisfy(\.isUppercase), let explicit = TimestampResolver.zone(abbreviation: name) {
                zone = explicit
                stampText += " \(name)"
                rest = probe
            }
        }

        trimLeadingSpaces(&rest)
        if rest.hasPrefix(":") {
            rest = rest.dropFirst()
            trimLeadingSpaces(&rest)
        }
        var host: String?
        if !rest.hasPrefix("%") {
            host = nextToken(&rest).map(String.init)
            trimLeadingSpaces(&rest)
        }
        let timestamp = CivilTime.instant(localEpochSeconds: local, zone: zone)
        return ParsedLine(timestamp: timestamp, timestampText: stampText, host: host, message: rest)
    }

    // MARK: - Pieces

    /// Reads `Mmm dd [YYYY] hh:mm:ss[.fff] [ZONE]`, with an optional leading `*` or `.` that Cisco IOS
    /// uses to flag an unsynchronised clock.
    private func readMonthDayTime(_ rest: inout Substring) -> (Date, String)? {
        var probe = rest
        if probe.hasPrefix("*") || probe.hasPrefix(".") {
            probe = probe.dropFirst()
        }
        let start = probe.startIndex
        guard let monthToken = nextToken(&probe), let month = CivilTime.month(named: monthToken),
              let dayToken = nextToken(&probe), let day = Int(dayToken) else {
            return nil
        }

        var year: Int?
        var timeToken = nextToken(&probe)
        if let token = timeToken, token.count == 4, let explicitYear = Int(token) {
            year = explicitYear
            timeToken = nextToken(&probe)
        }
        guard var timeToken else {
            return nil
        }
        if timeToken.hasSuffix(":") {
            timeToken = timeToken.dropLast()
        }
        var scanner = DigitScanner(timeToken)
        guard let hour = scanner.number(digits: 2), scanner.skip(":"), let minute = scanner.number(digits: 2), scanner.skip(":"),
              let second = scanner.seconds(), scanner.atEnd else {
            return nil
        }
        var stampEnd = timeToken.endIndex

        var zone: TimeZone?
        var zoneProbe = probe
        trimLeadingSpaces(&zoneProbe)
        if let zoneToken = nextToken(&zoneProbe) {
            let name = zoneToken.hasSuffix(":") ? zoneToken.dropLast() : zoneToken
            if name.count >= 3, name.count <= 5, name.allSatisfy(\.isUppercase), !name.hasPrefix("%"),
               let explicit = TimestampResolver.zone(abbreviation: name) {
                zone = explicit
                stampEnd = name.endIndex
                // Leave a trailing colon in place, so that `UTC: %LINK-...` still reads as a Cisco IOS line.
                probe = zoneToken.hasSuffix(":") ? rest.base[zoneToken.index(before: zoneToken.endIndex)..<zoneProbe.endIndex] : zoneProbe
            }
        }

        let date: Date?
        if let year {
            date = CivilTime.epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
                .map { CivilTime.instant(localEpochSeconds: $0, zone: zone ?? resolver.zone) }
        } else {
            date = resolver.resolveYearless(month: month, day: day, hour: hour, minute: minute, second: second, zone: zone)
        }
        guard let date else {
            return nil
        }
        rest = probe
        return (date, String(probe.base[start..<stampEnd]))
    }

    /// Reads `tag[pid]:` or `tag:` into `app_name` and `procid`, leaving the message.
    private func readTag(_ rest: inout Substring, fields: inout [String: String]) {
        guard let colon = rest.firstIndex(of: ":") else {
            return
        }
        let tag = rest[..<colon]
        guard !tag.isEmpty, !tag.contains(" "), !tag.hasPrefix("%") else {
            return
        }
        if let open = tag.firstIndex(of: "["), tag.hasSuffix("]") {
            fields["app_name"] = String(tag[..<open])
            fields["procid"] = String(tag[tag.index(after: open)..<tag.index(before: tag.endIndex)])
        } else {
            fields["app_name"] = String(tag)
        }
        rest = rest[rest.index(after: colon)...]
        trimLeadingSpaces(&rest)
    }

    private func readPriority(_ rest: inout Substring) -> Int? {
        guard rest.hasPrefix("<"), let close = rest.firstIndex(of: ">") else {
            return nil
        }
        let digits = rest[rest.index(after: rest.startIndex)..<close]
        guard (1...3).contains(digits.count), let value = Int(digits), value <= 191 else {
            return nil
        }
        rest = rest[rest.index(after: close)...]
        return value
    }

    private func skipStructuredData(_ rest: inout Substring) {
        trimLeadingSpaces(&rest)
        if rest.hasPrefix("-") {
            rest = rest.dropFirst()
            return
        }
        // SD-ELEMENTs: `[id k="v" ...]` repeated, where `\]` escapes a bracket inside a value.
        while rest.hasPrefix("[") {
            var escaped = false
            var inQuotes = false
            var index = rest.index(after: rest.startIndex)
            while index < rest.endIndex {
                let character = rest[index]
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inQuotes.toggle()
                } else if character == "]" && !inQuotes {
                    break
                }
                index = rest.index(after: index)
            }
            rest = index < rest.endIndex ? rest[rest.index(after: index)...] : rest[rest.endIndex...]
        }
    }

    private func isShowClockHeader(_ text: Substring) -> Bool {
        let tokens = text.split(separator: " ")
        return tokens.count == 5 && ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(String(tokens[0])) && CivilTime.month(named: tokens[1]) != nil
    }

    private func nextToken(_ rest: inout Substring) -> Substring? {
        trimLeadingSpaces(&rest)
        guard !rest.isEmpty else {
            return nil
        }
        let end = rest.firstIndex(of: " ") ?? rest.endIndex
        let token = rest[..<end]
        rest = rest[end...]
        return token
    }

    private func trimLeadingSpaces(_ rest: inout Substring) {
        while let first = rest.first, first == " " || first == "\t" {
            rest = rest.dropFirst()
        }
    }

    /// Reads the severity digit of a Cisco `%FACILITY[-SUBFACILITY]-N-MNEMONIC` code in the message.
    static func ciscoSeverity(in message: Substring, fields: inout [String: String]) -> Severity? {
        guard let percent = message.firstIndex(of: "%") else {
            return nil
        }
        let code = message[message.index(after: percent)...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        let parts = code.split(separator: "-")
        guard parts.count >= 3 else {
            return nil
        }
        for part in parts.dropFirst().dropLast() where part.count == 1 {
            if let digit = Int(part), let severity = Severity(rawValue: digit) {
                fields["mnemonic"] = String(code)
                return severity
            }
        }
        return nil
    }
}
