import Testing
@testable import LogCoT

@Suite struct MaskerIPv4Tests {
    @Test func iosXRNeighborDown() throws {
        let masker = try makeMasker()
        let line = "RP/0/RSP1/CPU0:Mar 14 22:41:07.905 : bgp[1052]: %ROUTING-BGP-5-ADJCHANGE : "
            + "neighbor 192.0.2.17 Down - BGP Notification sent, hold time expired (VRF: default) (AS: 65010)"
        let ip = masker.pseudonym(.ip, "192.0.2.17")
        let expected = "RP/0/RSP1/CPU0:Mar 14 22:41:07.905 : bgp[1052]: %ROUTING-BGP-5-ADJCHANGE : "
            + "neighbor \(ip) Down - BGP Notification sent, hold time expired (VRF: default) (AS: 65010)"
        #expect(masker.mask(line, host: "asr9k-pe1") == expected)
    }

    @Test func iosXRInterfaceLineUnchanged() throws {
        let masker = try makeMasker()
        let line = "RP/0/RP0/CPU0:Mar 14 22:41:09.112 : ifmgr[233]: %PKT_INFRA-LINK-3-UPDOWN : "
            + "Interface GigabitEthernet0/0/0/8, changed state to Down"
        #expect(masker.mask(line, host: nil) == line)
    }

    @Test func prefixStaysOutsideToken() throws {
        let masker = try makeMasker()
        let network = masker.pseudonym(.ip, "10.1.2.0")
        let gateway = masker.pseudonym(.ip, "10.1.2.1")
        let masked = masker.mask("ipv4_rib[1190]: route 10.1.2.0/24 via 10.1.2.1 installed", host: nil)
        #expect(masked == "ipv4_rib[1190]: route \(network)/24 via \(gateway) installed")
    }

    @Test func portAndSentenceEnd() throws {
        let masker = try makeMasker()
        let ip = masker.pseudonym(.ip, "203.0.113.9")
        #expect(masker.mask("connect to 203.0.113.9:22 failed", host: nil) == "connect to \(ip):22 failed")
        #expect(masker.mask("blocked 203.0.113.9.", host: nil) == "blocked \(ip).")
        #expect(masker.mask("peer=203.0.113.9,", host: nil) == "peer=\(ip),")
    }

    @Test func oidAndVersionUnchanged() throws {
        let masker = try makeMasker()
        let line = "snmpd[812]: trap OID 1.3.6.1.4.1.9.9.41.2.0.1 from agent version 1.2.3.4.5"
        #expect(masker.mask(line, host: nil) == line)
    }

    @Test func invalidOctetsUnchanged() throws {
        let masker = try makeMasker()
        for line in ["value 300.1.2.3 out of range", "only 10.1.2 here", "counter 1234.1.2.3", "name x10.1.2.3"] {
            #expect(masker.mask(line, host: nil) == line, "\(line)")
        }
    }

    @Test func leadingZerosShareToken() throws {
        let masker = try makeMasker()
        let ip = masker.pseudonym(.ip, "10.1.2.3")
        #expect(masker.mask("src 010.001.002.003", host: nil) == "src \(ip)")
    }

    @Test func rangeOfAddresses() throws {
        let masker = try makeMasker()
        let first = masker.pseudonym(.ip, "10.0.0.1")
        let last = masker.pseudonym(.ip, "10.0.0.9")
        #expect(masker.mask("pool 10.0.0.1-10.0.0.9", host: nil) == "pool \(first)-\(last)")
    }

    @Test func noIPv4LiteralRemains() throws {
        let masker = try makeMasker()
        let lines = [
            "RP/0/RP0/CPU0:Mar 14 22:50:00.001 : bfd[1158]: %L2-BFD-6-SESSION_STATE_DOWN : BFD session to neighbor 172.16.8.2 on interface Bundle-Ether10 is down",
            "sshd[2231]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=218.1.2.3  user=alice",
            "kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.77 DST=192.0.2.10 LEN=60 TTL=52 PROTO=TCP SPT=51520 DPT=23",
            "dhcpd[501]: DHCPACK on 10.20.30.40 to aa:bb:cc:00:11:22 (laptop7) via 10.20.30.1",
            "ntpd[700]: peers 192.168.0.1,192.168.0.2;192.168.0.3 [10.0.0.254] (10.0.0.253)",
            "haproxy[9]: 0.0.0.0:443 <- 255.255.255.255:65535 and ::ffff:10.9.8.7",
        ]
        for line in lines {
            let masked = masker.mask(line, host: nil)
            #expect(!containsIPv4Literal(masked), "\(masked)")
        }
    }
}

@Suite struct MaskerIPv6Tests {
    @Test func compressedNeighbor() throws {
        let masker = try makeMasker()
        let ip = masker.pseudonym(.ip, "2001:db8:0:12::2")
        let line = "RP/0/RP0/CPU0:Mar 14 22:43:10.450 : bgp[1052]: %ROUTING-BGP-5-ADJCHANGE : neighbor 2001:db8:0:12::2 Up (VRF: default)"
        let expected = "RP/0/RP0/CPU0:Mar 14 22:43:10.450 : bgp[1052]: %ROUTING-BGP-5-ADJCHANGE : neighbor \(ip) Up (VRF: default)"
        #expect(masker.mask(line, host: nil) == expected)
    }

    @Test func fullFormSharesCanonicalToken() throws {
        let masker = try makeMasker()
        let ip = masker.pseudonym(.ip, "2001:db8:0:12::2")
        #expect(masker.mask("nbr 2001:0DB8:0000:0012:0000:0000:0000:0002 up", host: nil) == "nbr \(ip) up")
    }

    @Test func embeddedIPv4() throws {
        let masker = try makeMasker()
        let mapped = masker.pseudonym(.ip, "::ffff:192.0.2.33")
        let compatible = masker.pseudonym(.ip, "64:ff9b::c000:221")
        #expect(masker.mask("client ::ffff:192.0.2.33 connected", host: nil) == "client \(mapped) connected")
        #expect(masker.mask("nat64 64:ff9b::192.0.2.33 seen", host: nil) == "nat64 \(compatible) seen")
    }

    @Test func zoneStaysOutsideToken() throws {
        let masker = try makeMasker()
        let ip = masker.pseudonym(.ip, "fe80::20c:29ff:fe4e:1a2b")
        let line = "ipv6_nd[300]: neighbor fe80::20c:29ff:fe4e:1a2b%eth0 reachable"
        #expect(masker.mask(line, host: nil) == "ipv6_nd[300]: neighbor \(ip)%eth0 reachable")
    }

    @Test func prefixBracketsAndPort() throws {
        let masker = try makeMasker()
        let network = masker.pseudonym(.ip, "2001:db8:aa::")
        let server = masker.pseudonym(.ip, "2001:db8::7")
        #expect(masker.mask("route 2001:db8:aa::/48 added", host: nil) == "route \(network)/48 added")
        #expect(masker.mask("GET https://[2001:db8::7]:8443/health", host: nil) == "GET https://[\(server)]:8443/health")
    }

    @Test func trailingPunctuationAndPort() throws {
        let masker = try makeMasker()
        let server = masker.pseudonym(.ip, "2001:db8::7")
        let linkLocal = masker.pseudonym(.ip, "fe80::1")
        #expect(masker.mask("reset by 2001:db8::7: closing", host: nil) == "reset by \(server): closing")
        #expect(masker.mask("reached 2001:db8::7.", host: nil) == "reached \(server).")
        #expect(masker.mask("IP6 fe80::1.546 > ff02::1:2.547", host: nil) == "IP6 \(linkLocal).546 > \(masker.pseudonym(.ip, "ff02::1:2")).547")
    }

    @Test func gluedLabelIsDropped() throws {
        let masker = try makeMasker()
        let ip = masker.pseudonym(.ip, "fe80::1")
        #expect(masker.mask("inet6 addr:fe80::1/64 Scope:Link", host: nil) == "inet6 addr:\(ip)/64 Scope:Link")
    }

    @Test func timeStampsAndColonsUnchanged() throws {
        let masker = try makeMasker()
        let lines = [
            "RP/0/RP0/CPU0:Sep  1 09:08:59.337 : bgp[1084]: %ROUTING-BGP-5-MAXPFX : No. of prefixes reached",
            "error: unexpected token '::' in std::vector<int>",
            "uptime 12:30:45, duration 1:02:03:04",
            "sshd[1]: Received disconnect from port 22:11: Bye Bye [preauth]",
            "Interface GigabitEthernet0/0/0/8 changed state",
        ]
        for line in lines {
            #expect(masker.mask(line, host: nil) == line, "\(line)")
        }
    }
}

@Suite struct MaskerMACTests {
    @Test func threeFormsShareToken() throws {
        let masker = try makeMasker()
        let mac = masker.pseudonym(.mac, "00:50:56:ab:cd:01")
        #expect(masker.mask("lladdr 00:50:56:ab:cd:01 STALE", host: nil) == "lladdr \(mac) STALE")
        #expect(masker.mask("Physical Address 00-50-56-AB-CD-01", host: nil) == "Physical Address \(mac)")
        #expect(masker.mask("mac 0050.56ab.cd01 vlan 10", host: nil) == "mac \(mac) vlan 10")
    }

    @Test func iosXRDuplicateAddress() throws {
        let masker = try makeMasker()
        let ip = masker.pseudonym(.ip, "192.0.2.40")
        let mac = masker.pseudonym(.mac, "00:50:56:ab:cd:01")
        let line = "RP/0/RP0/CPU0:Mar 14 22:45:01.220 : arp[1143]: %IP-ARP-4-DUPADDR : "
            + "Duplicate IP address 192.0.2.40 from 0050.56ab.cd01 on GigabitEthernet0/0/0/2"
        let expected = "RP/0/RP0/CPU0:Mar 14 22:45:01.220 : arp[1143]: %IP-ARP-4-DUPADDR : "
            + "Duplicate IP address \(ip) from \(mac) on GigabitEthernet0/0/0/2"
        #expect(masker.mask(line, host: nil) == expected)
    }

    @Test func longerChainUnchanged() throws {
        let masker = try makeMasker()
        let lines = ["id 00:11:22:33:44:55:66 seen", "mixed 00:11:22-33:44:55 seen", "oid 0011.2233.4455.6677 seen"]
        for line in lines {
            #expect(masker.mask(line, host: nil) == line, "\(line)")
        }
    }
}
