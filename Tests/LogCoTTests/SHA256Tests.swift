import Testing
@testable import LogCoT

func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined()
}

func bytes(fromHex hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count, by: 2).map { index in
        UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16)!
    }
}

/// Known-answer tests: NIST's SHA-256 examples ("abc", the 448-bit message, one million
/// "a") and the empty string. The 55- and 56-byte digests were computed with Python's
/// hashlib.sha256.
@Suite struct SHA256Tests {
    @Test func abc() {
        let digest = SHA256.hash(Array("abc".utf8))
        #expect(hexString(digest) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func emptyMessage() {
        let digest = SHA256.hash([UInt8]())
        #expect(hexString(digest) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func twoBlockMessage() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(message.utf8.count * 8 == 448)
        let digest = SHA256.hash(Array(message.utf8))
        #expect(hexString(digest) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func millionA() {
        let digest = SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(hexString(digest) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalMatchesOneShot() {
        let message = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let expected = SHA256.hash(message)

        // Chunk sizes that cross block and padding boundaries (55, 56, 64 bytes) in different ways.
        for chunkSize in [1, 3, 55, 56, 63, 64, 65, 200] {
            var hasher = SHA256()
            var offset = 0
            while offset < message.count {
                let end = min(offset + chunkSize, message.count)
                hasher.update(message[offset..<end])
                offset = end
            }
            #expect(hasher.finalize() == expected, "chunk size \(chunkSize)")
        }
    }

    @Test func paddingBoundaryLengths() {
        // 55 bytes fit one padded block, 56 bytes need two.
        let digest55 = SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 55))
        let digest56 = SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 56))
        #expect(hexString(digest55) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(hexString(digest56) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    }
}
