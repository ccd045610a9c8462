import Testing
@testable import LogCoT

/// HMAC-SHA256 test cases 1, 2, 3, 4, 6 and 7 of RFC 4231, also checked with Python's hmac
/// module. Case 5 tests a truncated output, which `HMACSHA256` does not offer.
@Suite struct HMACTests {
    @Test func rfc4231Case1() {
        let mac = HMACSHA256.authenticationCode(
            for: Array("Hi There".utf8),
            key: [UInt8](repeating: 0x0b, count: 20)
        )
        #expect(hexString(mac) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    @Test func rfc4231Case2ShortKey() {
        let mac = HMACSHA256.authenticationCode(
            for: Array("what do ya want for nothing?".utf8),
            key: Array("Jefe".utf8)
        )
        #expect(hexString(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func rfc4231Case3() {
        let mac = HMACSHA256.authenticationCode(
            for: [UInt8](repeating: 0xdd, count: 50),
            key: [UInt8](repeating: 0xaa, count: 20)
        )
        #expect(hexString(mac) == "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")
    }

    @Test func rfc4231Case4() {
        let mac = HMACSHA256.authenticationCode(
            for: [UInt8](repeating: 0xcd, count: 50),
            key: bytes(fromHex: "0102030405060708090a0b0c0d0e0f10111213141516171819")
        )
        #expect(hexString(mac) == "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")
    }

    @Test func rfc4231Case6LongKey() {
        let mac = HMACSHA256.authenticationCode(
            for: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            key: [UInt8](repeating: 0xaa, count: 131)
        )
        #expect(hexString(mac) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func rfc4231Case7LongKeyAndData() {
        let message = "This is a test using a larger than block-size key and a larger than block-size data. "
            + "The key needs to be hashed before being used by the HMAC algorithm."
        let mac = HMACSHA256.authenticationCode(
            for: Array(message.utf8),
            key: [UInt8](repeating: 0xaa, count: 131)
        )
        #expect(hexString(mac) == "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }

    @Test func keyedCopyIsReusable() {
        let keyed = HMACSHA256(key: Array("Jefe".utf8))
        var first = keyed
        first.update(Array("what do ya want ".utf8))
        first.update(Array("for nothing?".utf8))
        var second = keyed
        second.update(Array("what do ya want for nothing?".utf8))

        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        #expect(hexString(first.finalize()) == expected)
        #expect(hexString(second.finalize()) == expected)
    }
}
