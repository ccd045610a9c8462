import Testing
@testable import LogCoT

/// Lines that together contain every kind of value the masker replaces.
let mixedFixtureLines = [
    "RP/0/RP0/CPU0:Sep  1 09:08:59.337 : bgp[1084]: %ROUTING-BGP-5-ADJCHANGE : neighbor 10.10.10.2 Down - BGP Notification sent",
    "RP/0/RP0/CPU0:Mar 14 22:43:10.450 : bgp[1052]: %ROUTING-BGP-5-ADJCHANGE : neighbor 2001:db8:0:12::2 Up",
    "ipv6_nd[300]: neighbor fe80::20c:29ff:fe4e:1a2b%eth0 lladdr 00:50:56:ab:cd:01 reachable",
    "arp: Duplicate IP address 192.0.2.40 from 0050.56ab.cd01 on GigabitEthernet0/0/0/2",
    "sshd[2231]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=218.1.2.3  user=alice",
    "sshd[2231]: Failed password for invalid user admin from 218.1.2.3 port 40522 ssh2",
    "sshd[2240]: Accepted password for root from 198.51.100.4 port 51234 ssh2",
    "postfix/smtp[811]: to=<jane.doe@example.com>, relay=mx1.mail.example.net[192.0.2.25]:25, status=sent",
    "Mar 14 22:41:07 edge-rtr01 lldp: neighbor core-sw02 via db01.prod.example.com",
    "inventory: PID: ASR-9006-AC-V2, VID: V02, SN: FOC1234X0AB, module FDO21450ABC",
    "route 10.1.2.0/24 via 10.1.2.1, IP6 fe80::1.546 > ff02::1:2.547",
]

@Suite struct MaskerIdempotenceTests {
    @Test func maskingTwiceChangesNothing() throws {
        let masker = try makeMasker(serialPatterns: [#"\bFDO[0-9A-Z]{8}\b"#], knownHosts: ["core-sw02"])
        for line in mixedFixtureLines {
            let once = masker.mask(line, host: "edge-rtr01")
            let twice = masker.mask(once, host: "edge-rtr01")
            #expect(once != line, "\(line)")
            #expect(twice == once, "\(line)")
        }
    }

    @Test func tokensAreNotRemasked() throws {
        let masker = try makeMasker(serialPatterns: [#"[0-9a-f]{8}"#, #"[a-z]+-[0-9a-f]+"#], knownHosts: ["ip"])
        let tokens = PseudonymKind.allCases.map { masker.pseudonym($0, "value") }
        let line = tokens.map { "user=\($0) SN: \($0) \($0).example.com" }.joined(separator: " ")
        #expect(masker.mask(line, host: "email") == line)
    }
}

/// SplitMix64, a small deterministic generator, so that random tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

@Suite struct MaskerRandomInputTests {
    /// Fragments that start or end candidates of every kind, so that random joins put
    /// values next to each other and next to tokens.
    static let fragments = [
        "1", "0", "255", "10", ".", ":", "::", "-", "a", "f", "ff", "ab:cd:", "0050.56ab.", "cd01",
        "2001:db8", "fe80", "1.2.3.4", "%eth0", "/24", "[", "]", ",", ";", " ", "\t", "_", "x",
        "user", "=", "user ", "user=", "SN:", "S/N ", "@", "example", "com", ".com", "mail.", "x@y.",
        "core-sw02", "db01", "\"", "'", "ip-", "user-", "sn-", "3f9a2c1b", "host", "é", "\u{FFFD}",
        "FOC12", "Accepted ", "Failed password for ", "invalid user ",
    ]

    @Test func randomLinesIdempotent() throws {
        let masker = try makeMasker(serialPatterns: [#"\bFOC\w+"#], knownHosts: ["core-sw02"])
        var generator = SplitMix64(state: 42)
        for _ in 0..<5_000 {
            let fragmentCount = Int.random(in: 1...30, using: &generator)
            let line = (0..<fragmentCount)
                .map { _ in Self.fragments.randomElement(using: &generator)! }
                .joined()
            let once = masker.mask(line, host: "db01")
            #expect(masker.mask(once, host: "db01") == once, "\(line.debugDescription)")
        }
    }
}

@Suite struct MaskerStabilityTests {
    @Test func sameSecretSameTokens() throws {
        let first = try makeMasker()
        let second = try makeMasker(cacheLimit: 0)
        for line in mixedFixtureLines {
            #expect(first.mask(line, host: nil) == second.mask(line, host: nil), "\(line)")
        }
        #expect(first.pseudonym(.ip, "10.10.10.2") == second.pseudonym(.ip, "10.10.10.2"))
    }

    @Test func differentSecretDifferentToken() throws {
        let first = try makeMasker(secret: "secret-one")
        let second = try makeMasker(secret: "secret-two")
        #expect(first.pseudonym(.ip, "10.10.10.2") != second.pseudonym(.ip, "10.10.10.2"))
        #expect(first.pseudonym(.user, "alice") != second.pseudonym(.user, "alice"))
    }

    @Test func tokenIsHMACPrefix() throws {
        let masker = try makeMasker()
        let mac = HMACSHA256.authenticationCode(for: Array("ip:10.10.10.2".utf8), key: Array(testSecret.utf8))
        #expect(masker.pseudonym(.ip, "10.10.10.2") == "ip-" + hexString(Array(mac.prefix(4))))
    }

    @Test func tokenFormatPerKind() throws {
        let masker = try makeMasker()
        let expectedPrefixes: [PseudonymKind: String] = [
            .ip: "ip", .mac: "mac", .host: "host", .user: "user", .email: "email", .serial: "sn",
        ]
        for kind in PseudonymKind.allCases {
            let token = masker.pseudonym(kind, "example")
            #expect(isToken(token, prefix: expectedPrefixes[kind]!), "\(token)")
        }
    }

    @Test func kindsSeparateEqualText() throws {
        let masker = try makeMasker()
        let asIP = masker.pseudonym(.ip, "10.0.0.1")
        let asHost = masker.pseudonym(.host, "10.0.0.1")
        #expect(asIP.dropFirst(3) != asHost.dropFirst(5))
        let asUser = masker.pseudonym(.user, "backup")
        let asHostName = masker.pseudonym(.host, "backup")
        #expect(asUser.dropFirst(5) != asHostName.dropFirst(5))
    }

    @Test func concurrentMaskingAgrees() async throws {
        let masker = try makeMasker(cacheLimit: 8)
        let expected = try makeMasker().mask(mixedFixtureLines.joined(separator: " | "), host: nil)
        let results = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask { masker.mask(mixedFixtureLines.joined(separator: " | "), host: nil) }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(results.count == 8)
        for result in results {
            #expect(result == expected)
        }
    }
}

@Suite struct MaskerKindsTests {
    @Test func onlyEnabledKinds() throws {
        let masker = try makeMasker(kinds: [.ip])
        let ip = masker.pseudonym(.ip, "218.1.2.3")
        let line = "Failed password for bob from 218.1.2.3 mail bob@example.com mac 00:50:56:ab:cd:01 SN: FOC1234X0AB on db01.prod.example.com"
        let expected = "Failed password for bob from \(ip) mail bob@example.com mac 00:50:56:ab:cd:01 SN: FOC1234X0AB on db01.prod.example.com"
        #expect(masker.mask(line, host: "db01") == expected)
    }

    @Test func disabledIPKeepsOtherKinds() throws {
        let masker = try makeMasker(kinds: [.user, .email])
        let user = masker.pseudonym(.user, "bob")
        let email = masker.pseudonym(.email, "bob@example.com")
        let line = "Failed password for bob from 218.1.2.3 mail bob@example.com"
        #expect(masker.mask(line, host: nil) == "Failed password for \(user) from 218.1.2.3 mail \(email)")
    }

    @Test func noKindsReturnsInput() throws {
        let masker = try makeMasker(kinds: [])
        for line in mixedFixtureLines {
            #expect(masker.mask(line, host: "edge-rtr01") == line)
        }
    }
}

@Suite struct MaskerInputTests {
    @Test func oddInputUnchanged() throws {
        let masker = try makeMasker()
        let lines = [
            "", " ", "...", ":::", "@", "-", "user=", "SN:", "----------", ".:.:.:", "\u{FFFD}\u{FFFD}",
            String(decoding: [0xff, 0xfe, 0x3a, 0x3a, 0xc3], as: UTF8.self), "\0\0\0",
        ]
        for line in lines {
            #expect(masker.mask(line, host: "") == line, "\(line.debugDescription)")
        }
    }

    @Test func replacementCharacterAroundValue() throws {
        let masker = try makeMasker()
        let ip = masker.pseudonym(.ip, "10.0.0.1")
        #expect(masker.mask("\u{FFFD}10.0.0.1\u{FFFD}", host: nil) == "\u{FFFD}\(ip)\u{FFFD}")
    }

    @Test func longLine() throws {
        let masker = try makeMasker()
        let unit = "10.0.0.1 user=alice fe80::1 ab:cd:ef:01:23:45 x@example.com SN: A1 db01.prod.example.com "
        let line = String(repeating: unit, count: 100 * 1024 / unit.utf8.count + 1)
        #expect(line.utf8.count >= 100 * 1024)

        let masked = masker.mask(line, host: "db01")
        #expect(!containsIPv4Literal(masked))
        #expect(!masked.contains("alice"))
        #expect(!masked.contains("example.com"))
        #expect(masker.mask(masked, host: "db01") == masked)
    }

    @Test func longLineWithoutCandidates() throws {
        let masker = try makeMasker()
        let line = String(repeating: "a.b:c-d_e ", count: 10_240) + String(repeating: "9", count: 10_000)
        #expect(masker.mask(line, host: "zz") == line)
    }

    @Test func pathologicalRepeats() throws {
        let masker = try makeMasker(knownHosts: ["a.a"])
        for unit in ["1.", "a.", ":", "1:", "@a.", "user ", "sn:", "a@", ".a"] {
            let line = String(repeating: unit, count: 20_000)
            let masked = masker.mask(line, host: "a")
            #expect(masker.mask(masked, host: "a") == masked, "\(unit)")
        }
    }
}

@Suite struct MaskerConfigurationTests {
    @Test func emptySecretThrows() {
        #expect(throws: MaskerError.emptySecret) {
            try makeMasker(secret: "")
        }
    }

    @Test func negativeCacheLimitThrows() {
        #expect(throws: MaskerError.invalidCacheLimit(-1)) {
            try makeMasker(cacheLimit: -1)
        }
    }

    @Test func invalidKnownHostThrows() {
        #expect(throws: MaskerError.invalidKnownHost("bad host")) {
            try makeMasker(knownHosts: ["bad host"])
        }
        #expect(throws: MaskerError.invalidKnownHost("a..b")) {
            try makeMasker(knownHosts: ["a..b"])
        }
    }

    @Test func errorMessagesNameValue() {
        let message = MaskerError.invalidSerialPattern(pattern: "FOC[", reason: "expected ']'").description
        #expect(message.contains("\"FOC[\""))
        #expect(message.contains("serialPatterns"))
    }
}

@Suite struct PseudonymCacheTests {
    @Test func wholesaleEviction() {
        var cache = PseudonymCache(limit: 2)
        cache.insert("ip-00000001", for: .init(kind: .ip, value: "a"))
        cache.insert("ip-00000002", for: .init(kind: .ip, value: "b"))
        #expect(cache.count == 2)

        cache.insert("ip-00000003", for: .init(kind: .ip, value: "c"))
        #expect(cache.count == 1)
        #expect(cache.token(for: .init(kind: .ip, value: "a")) == nil)
        #expect(cache.token(for: .init(kind: .ip, value: "c")) == "ip-00000003")
    }

    @Test func updateAtLimitKeepsEntries() {
        var cache = PseudonymCache(limit: 2)
        cache.insert("ip-00000001", for: .init(kind: .ip, value: "a"))
        cache.insert("ip-00000002", for: .init(kind: .ip, value: "b"))
        cache.insert("ip-00000009", for: .init(kind: .ip, value: "a"))
        #expect(cache.count == 2)
    }

    @Test func zeroLimitDisablesCache() {
        var cache = PseudonymCache(limit: 0)
        cache.insert("ip-00000001", for: .init(kind: .ip, value: "a"))
        #expect(cache.count == 0)
    }

    @Test func smallLimitGivesSameTokens() throws {
        let cached = try makeMasker(cacheLimit: 1)
        let uncached = try makeMasker(cacheLimit: 0)
        for value in ["10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.3", "10.0.0.2"] {
            #expect(cached.pseudonym(.ip, value) == uncached.pseudonym(.ip, value), "\(value)")
        }
    }
}
