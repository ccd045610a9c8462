// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "logcot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "logcot", targets: ["logcot"]),
        .library(name: "LogCoT", targets: ["LogCoT"]),
    ],
    targets: [
        // C libraries come from Debian's -dev packages; each wrapper target stays thin.
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CSystemd",
            path: "Sources/CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            path: "Sources/CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .systemLibrary(
            name: "CRdKafka",
            path: "Sources/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "LogCoT",
            dependencies: ["CSQLite", "CSystemd", "CMicroHTTPD", "CRdKafka", "CCurl"],
            path: "Sources/LogCoT"
        ),
        .executableTarget(
            name: "logcot",
            dependencies: ["LogCoT"],
            path: "Sources/logcot"
        ),
        // Fuzz targets for the parsers and the config loader; `make fuzz` builds them with libFuzzer.
        .executableTarget(
            name: "logcot-fuzz",
            dependencies: ["LogCoT"],
            path: "Fuzz",
            exclude: ["corpus"]
        ),
        .testTarget(
            name: "LogCoTTests",
            dependencies: ["LogCoT"],
            path: "Tests/LogCoTTests"
        ),
    ]
)
