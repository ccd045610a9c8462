import Foundation

#if LOGCOT_LIBFUZZER
/// Runs one libFuzzer input through the target that `LOGCOT_FUZZ_TARGET` names, because libFuzzer owns the arguments.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.target.run(bytes.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main`, so this symbol hands control to
/// libFuzzer's driver instead of libFuzzer's own `main`.
@_cdecl("logcot_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { bytes, size in
        fuzzerTestOneInput(bytes, size)
    }
}

enum FuzzEntry {
    static let target: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["LOGCOT_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("invalid LOGCOT_FUZZ_TARGET '\(name)'; set it to one of: \(names)\n".utf8))
            exit(2)
        }
        return target
    }()
}
#else
/// Without libFuzzer, `logcot-fuzz TARGET FILE...` runs files (such as a corpus) through a target,
/// which is how the crash inputs found so far are replayed as regression checks.
@main
enum FuzzEntry {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("usage: logcot-fuzz TARGET FILE...; TARGET is one of: \(names)\n".utf8))
            exit(2)
        }
        for path in arguments.dropFirst() {
            target.run(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        print("\(target.rawValue): \(arguments.count - 1) inputs passed")
    }
}
#endif
