import Foundation

/// Facts about this build, exported as the constant `logcot_build_info` series.
public enum BuildInfo {
    // NOTE: set by hand, because nothing stamps the version from a git tag at build time yet.
    public static let version = "0.1.0-dev"

    /// The Swift compiler this binary was built with, as a major.minor string.
    public static var swiftVersion: String {
        #if compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    static func register(in registry: MetricsRegistry) {
        registry.gauge(
            "logcot_build_info",
            help: "A constant 1 whose labels name the logcot version and the Swift compiler that built it.",
            labelNames: ["version", "swift_version"]
        ).labels(version, swiftVersion).set(1)
    }
}
