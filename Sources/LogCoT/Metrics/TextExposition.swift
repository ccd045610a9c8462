import Foundation

/// Renders metric families in the Prometheus text exposition format, version 0.0.4.
///
/// Each family gets one `# HELP` and one `# TYPE` line, even when it has no series yet, so a scraper
/// finds every metric the process can export. Label pairs are written sorted by label name, as the
/// Go client library does, with `le` last on histogram buckets, and series are sorted by their label
/// values, so the output is the same for the same values.
public enum TextExposition {
    /// The `Content-Type` of a response that carries this format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ families: [MetricFamilySnapshot]) -> String {
        var output = ""
        for family in families {
            render(family, into: &output)
        }
        return output
    }

    static func render(_ family: MetricFamilySnapshot, into output: inout String) {
        output += "# HELP \(family.name) \(escapeHelp(family.help))\n"
        output += "# TYPE \(family.name) \(family.type.rawValue)\n"

        let order = family.labelNames.indices.sorted { family.labelNames[$0] < family.labelNames[$1] }
        let sortedNames = order.map { family.labelNames[$0] }
        let series = family.series.sorted { left, right in
            order.map { left.labelValues[$0] }.lexicographicallyPrecedes(order.map { right.labelValues[$0] })
        }

        for item in series {
            let pairs = zip(sortedNames, order.map { item.labelValues[$0] }).map { ($0, $1) }
            switch item.value {
            case .number(let value):
                output += "\(family.name)\(labelBlock(pairs)) \(formatNumber(value))\n"
            case .histogram(let histogram):
                for bucket in histogram.buckets {
                    let bucketPairs = pairs + [("le", formatNumber(bucket.upperBound))]
                    output += "\(family.name)_bucket\(labelBlock(bucketPairs)) \(bucket.cumulativeCount)\n"
                }
                output += "\(family.name)_sum\(labelBlock(pairs)) \(formatNumber(histogram.sum))\n"
                output += "\(family.name)_count\(labelBlock(pairs)) \(histogram.count)\n"
            }
        }
    }

    static func labelBlock(_ pairs: [(String, String)]) -> String {
        guard !pairs.isEmpty else {
            return ""
        }
        return "{" + pairs.map { "\($0.0)=\"\(escapeLabelValue($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// Escapes a label value: backslash, double quote and line feed.
    public static func escapeLabelValue(_ value: String) -> String {
        // Scalars, not Characters, because "\r\n" is one Character and would hide its line feed.
        var escaped = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": escaped.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": escaped.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": escaped.append(contentsOf: "\\n".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    /// Escapes HELP text: backslash and line feed. Double quotes stay as they are.
    public static func escapeHelp(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": escaped.append(contentsOf: "\\n".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    /// Formats a sample value or bucket bound: whole numbers without a fraction, `+Inf`, `-Inf`,
    /// `NaN`, and other values in Swift's shortest form that reads back exactly, such as `0.005`.
    public static func formatNumber(_ value: Double) -> String {
        if value.isNaN {
            return "NaN"
        }
        if value.isInfinite {
            return value > 0 ? "+Inf" : "-Inf"
        }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return "\(value)"
    }
}
