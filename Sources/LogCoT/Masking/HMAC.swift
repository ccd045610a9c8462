/// Incremental HMAC-SHA256 as specified in RFC 2104, with SHA-256 from FIPS 180-4.
///
/// `init(key:)` absorbs the padded key into the inner and outer hash states once. Copying a
/// keyed value and then calling `update` and `finalize` costs no further key processing and
/// no allocation until `finalize` returns its array.
public struct HMACSHA256: Sendable {
    public static let macByteCount = SHA256.digestByteCount

    /// Hash state after absorbing the key XOR ipad, then the message.
    private var inner = SHA256()
    /// Hash state after absorbing the key XOR opad.
    private var outer = SHA256()

    /// Creates an HMAC keyed with `key`. Keys longer than the 64-byte block are hashed first,
    /// as RFC 2104 requires.
    public init(key: some Sequence<UInt8>) {
        var keyBytes = Array(key)
        if keyBytes.count > SHA256.blockByteCount {
            keyBytes = SHA256.hash(keyBytes)
        }

        var keyBlock = SIMD64<UInt8>()
        for (index, byte) in keyBytes.enumerated() {
            keyBlock[index] = byte
        }
        let innerPad = keyBlock ^ SIMD64(repeating: 0x36)
        let outerPad = keyBlock ^ SIMD64(repeating: 0x5c)
        withUnsafeBytes(of: innerPad) { inner.update($0) }
        withUnsafeBytes(of: outerPad) { outer.update($0) }
    }

    /// Returns the HMAC-SHA256 (32 bytes) of `message` under `key`.
    public static func authenticationCode(for message: some Sequence<UInt8>, key: some Sequence<UInt8>) -> [UInt8] {
        var mac = HMACSHA256(key: key)
        mac.update(message)
        return mac.finalize()
    }

    /// Appends `bytes` to the message.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        inner.update(bytes)
    }

    /// Appends `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        inner.update(bytes)
    }

    /// Returns the authentication code (32 bytes) of the message appended so far.
    public consuming func finalize() -> [UInt8] {
        let innerDigest = inner.finalizeWords()
        var outerHash = outer
        withUnsafeTemporaryAllocation(byteCount: SHA256.digestByteCount, alignment: 4) { buffer in
            SHA256.storeBigEndian(innerDigest, into: buffer)
            outerHash.update(UnsafeRawBufferPointer(buffer))
        }
        return outerHash.finalize()
    }
}
