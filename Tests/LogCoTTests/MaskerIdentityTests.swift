import Testing
@testable import LogCoT

@Suite struct MaskerUserTests {
    @Test func pamAuthenticationFailure() throws {
        let masker = try makeMasker()
        let ip = masker.pseudonym(.ip, "218.1.2.3")
        let user = masker.pseudonym(.user, "alice")
        let line = "sshd[2231]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=218.1.2.3  user=alice"
        let expected = "sshd[2231]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=\(ip)  user=\(user)"
        #expect(masker.mask(line, host: nil) == expected)
    }

    @Test func pamFilledKeys() throws {
        let masker = try makeMasker()
        let bob = masker.pseudonym(.user, "bob")
        let carol = masker.pseudonym(.user, "carol")
        let line = "su: pam_unix(su:auth): authentication failure; logname=bob uid=1001 euid=0 tty=pts/1 ruser=carol rhost=  user=root"
        let root = masker.pseudonym(.user, "root")
        let expected = "su: pam_unix(su:auth): authentication failure; logname=\(bob) uid=1001 euid=0 tty=pts/1 ruser=\(carol) rhost=  user=\(root)"
        #expect(masker.mask(line, host: nil) == expected)
    }

    @Test func failedPasswordInvalidUser() throws {
        let masker = try makeMasker()
        let ip = masker.pseudonym(.ip, "218.1.2.3")
        let user = masker.pseudonym(.user, "admin")
        let line = "sshd[2231]: Failed password for invalid user admin from 218.1.2.3 port 40522 ssh2"
        #expect(masker.mask(line, host: nil) == "sshd[2231]: Failed password for invalid user \(user) from \(ip) port 40522 ssh2")
    }

    @Test func acceptedPasswordRoot() throws {
        let masker = try makeMasker()
        let ip = masker.pseudonym(.ip, "198.51.100.4")
        let root = masker.pseudonym(.user, "root")
        let line = "sshd[2240]: Accepted password for root from 198.51.100.4 port 51234 ssh2"
        #expect(masker.mask(line, host: nil) == "sshd[2240]: Accepted password for \(root) from \(ip) port 51234 ssh2")
    }

    @Test func acceptedPublicKeyAndFailedPassword() throws {
        let masker = try makeMasker()
        let deploy = masker.pseudonym(.user, "deploy")
        let erin = masker.pseudonym(.user, "erin")
        #expect(masker.mask("Accepted publickey for deploy from ::1 port 1", host: nil).hasPrefix("Accepted publickey for \(deploy) from ip-"))
        #expect(masker.mask("Failed password for erin", host: nil) == "Failed password for \(erin)")
    }

    @Test func invalidUserAndSessionOpened() throws {
        let masker = try makeMasker()
        let oracle = masker.pseudonym(.user, "oracle")
        let bob = masker.pseudonym(.user, "bob")
        #expect(masker.mask("sshd[77]: Invalid user oracle from", host: nil) == "sshd[77]: Invalid user \(oracle) from")
        let opened = "sshd[2240]: pam_unix(sshd:session): session opened for user bob(uid=1001) by (uid=0)"
        #expect(masker.mask(opened, host: nil) == "sshd[2240]: pam_unix(sshd:session): session opened for user \(bob)(uid=1001) by (uid=0)")
    }

    @Test func statusWordAndEmptyNameUnchanged() throws {
        let masker = try makeMasker()
        let lines = [
            "sshd[9]: pam_unix(sshd:auth): check pass; user unknown",
            "sshd[9]: Invalid user  from port 22",
            "sshd[9]: input_userauth_request: bad packet",
        ]
        for line in lines {
            #expect(masker.mask(line, host: nil) == line, "\(line)")
        }
    }

    @Test func quotedAuditAccount() throws {
        let masker = try makeMasker()
        let carol = masker.pseudonym(.user, "carol")
        let ip = masker.pseudonym(.ip, "203.0.113.9")
        let line = "type=USER_AUTH msg=audit(1710456000.123:881): pid=2231 uid=0 msg='op=PAM:authentication acct=\"carol\" exe=\"/usr/sbin/sshd\" hostname=? addr=203.0.113.9 terminal=ssh res=failed'"
        let expected = "type=USER_AUTH msg=audit(1710456000.123:881): pid=2231 uid=0 msg='op=PAM:authentication acct=\"\(carol)\" exe=\"/usr/sbin/sshd\" hostname=? addr=\(ip) terminal=ssh res=failed'"
        #expect(masker.mask(line, host: nil) == expected)
    }

    @Test func quotedNameWithSpace() throws {
        let masker = try makeMasker()
        let user = masker.pseudonym(.user, "bob smith")
        let line = "time=2024-03-14T22:41:07Z level=info msg=\"login\" user=\"bob smith\" result=ok"
        #expect(masker.mask(line, host: nil) == "time=2024-03-14T22:41:07Z level=info msg=\"login\" user=\"\(user)\" result=ok")
    }

    @Test func sudoUppercaseKey() throws {
        let masker = try makeMasker()
        let root = masker.pseudonym(.user, "root")
        let line = "sudo: dave : TTY=pts/0 ; PWD=/tmp ; USER=root ; COMMAND=/usr/bin/id"
        #expect(masker.mask(line, host: nil) == "sudo: dave : TTY=pts/0 ; PWD=/tmp ; USER=\(root) ; COMMAND=/usr/bin/id")
    }

    @Test func nonASCIIName() throws {
        let masker = try makeMasker()
        let user = masker.pseudonym(.user, "jörg")
        #expect(masker.mask("login user=jörg – ok", host: nil) == "login user=\(user) – ok")
    }
}

@Suite struct MaskerEmailTests {
    @Test func postfixDelivery() throws {
        let masker = try makeMasker()
        let email = masker.pseudonym(.email, "jane.doe@example.com")
        let relay = masker.pseudonym(.host, "mx1.mail.example.net")
        let ip = masker.pseudonym(.ip, "192.0.2.25")
        let line = "postfix/smtp[811]: 4F2A31C0: to=<Jane.Doe@Example.COM>, relay=mx1.mail.example.net[192.0.2.25]:25, status=sent"
        let expected = "postfix/smtp[811]: 4F2A31C0: to=<\(email)>, relay=\(relay)[\(ip)]:25, status=sent"
        #expect(masker.mask(line, host: nil) == expected)
    }

    @Test func plusAddressAndSentenceEnd() throws {
        let masker = try makeMasker()
        let email = masker.pseudonym(.email, "ops+alerts@corp.example.org")
        #expect(masker.mask("notify ops+alerts@corp.example.org.", host: nil) == "notify \(email).")
    }

    @Test func notAnAddressUnchanged() throws {
        let masker = try makeMasker()
        for line in ["systemd[1]: Started user@1000.service", "git@github", "a @ b.com", "x@y.1"] {
            #expect(masker.mask(line, host: nil) == line, "\(line)")
        }
    }
}

@Suite struct MaskerHostTests {
    @Test func recordHostAsWholeWord() throws {
        let masker = try makeMasker()
        let host = masker.pseudonym(.host, "edge-rtr01")
        let line = "Mar 14 22:41:07 EDGE-RTR01 sshd[1]: config from edge-rtr01-mgmt and edge-rtr01."
        let expected = "Mar 14 22:41:07 \(host) sshd[1]: config from edge-rtr01-mgmt and \(host)."
        #expect(masker.mask(line, host: "edge-rtr01") == expected)
    }

    @Test func knownHosts() throws {
        let masker = try makeMasker(knownHosts: ["core-sw02", "Backup.Lab"])
        let switchToken = masker.pseudonym(.host, "core-sw02")
        let backup = masker.pseudonym(.host, "backup.lab")
        let line = "lldp: neighbor core-sw02 port Gi0/1, backup.lab reachable, core-sw02.log rotated"
        let expected = "lldp: neighbor \(switchToken) port Gi0/1, \(backup) reachable, \(switchToken).log rotated"
        #expect(masker.mask(line, host: nil) == expected)
    }

    @Test func fullyQualifiedNames() throws {
        let masker = try makeMasker()
        let database = masker.pseudonym(.host, "db01.prod.example.com")
        #expect(masker.mask("resolved DB01.prod.example.com.", host: nil) == "resolved \(database).")
        #expect(masker.mask("url=https://db01.prod.example.com:5432/app", host: nil) == "url=https://\(database):5432/app")
    }

    @Test func notHostNamesUnchanged() throws {
        let masker = try makeMasker()
        let lines = [
            "java.lang.NullPointerException at com.example.Worker",
            "rotated /var/log/messages.1.gz",
            "installed openssl-3.0.7-1.el9.noarch",
            "contact example.com",
            "value e.g. U.S.A",
        ]
        for line in lines {
            #expect(masker.mask(line, host: nil) == line, "\(line)")
        }
    }
}

@Suite struct MaskerSerialTests {
    @Test func inventoryLine() throws {
        let masker = try makeMasker()
        let serial = masker.pseudonym(.serial, "FOX1234G0AB")
        let line = "NAME: \"Rack 0\", DESCR: \"ASR-9006 AC Chassis\" PID: ASR-9006-AC-V2, VID: V02, SN: FOX1234G0AB"
        let expected = "NAME: \"Rack 0\", DESCR: \"ASR-9006 AC Chassis\" PID: ASR-9006-AC-V2, VID: V02, SN: \(serial)"
        #expect(masker.mask(line, host: nil) == expected)
        #expect(serial.hasPrefix("sn-"))
    }

    @Test func labelSpellings() throws {
        let masker = try makeMasker()
        let cases: [(line: String, prefix: String, serial: String, suffix: String)] = [
            ("PSU S/N FOC2222A1B2 ok", "PSU S/N ", "FOC2222A1B2", " ok"),
            ("Serial Number: JAE12345678", "Serial Number: ", "JAE12345678", ""),
            ("disk serial number WD-WX11A2345678, ok", "disk serial number ", "WD-WX11A2345678", ", ok"),
            ("SerialNo=ABC123456;", "SerialNo=", "ABC123456", ";"),
            ("serial_number=\"XYZ-0042\"", "serial_number=\"", "XYZ-0042", "\""),
            ("sn:FOC1234X0AB", "sn:", "FOC1234X0AB", ""),
            ("SN#FOC1234X0AB", "SN#", "FOC1234X0AB", ""),
            ("Serial No. 123456 found", "Serial No. ", "123456", " found"),
        ]
        for entry in cases {
            let token = masker.pseudonym(.serial, entry.serial)
            #expect(masker.mask(entry.line, host: nil) == entry.prefix + token + entry.suffix, "\(entry.line)")
        }
    }

    @Test func nonSerialsUnchanged() throws {
        let masker = try makeMasker()
        let lines = ["serial number mismatch detected", "SN: N/A", "S/N: none", "ISN: 12345", "sn 12345", "serial port ttyS0"]
        for line in lines {
            #expect(masker.mask(line, host: nil) == line, "\(line)")
        }
    }

    @Test func configuredPatterns() throws {
        let masker = try makeMasker(serialPatterns: [#"\bFDO[0-9A-Z]{8}\b"#, #"chassis-id (\w+)"#])
        let module = masker.pseudonym(.serial, "FDO21450ABC")
        let chassis = masker.pseudonym(.serial, "C9300X48")
        #expect(masker.mask("module FDO21450ABC inserted", host: nil) == "module \(module) inserted")
        #expect(masker.mask("lldp chassis-id C9300X48 seen", host: nil) == "lldp chassis-id \(chassis) seen")
    }

    @Test func invalidPatternThrows() {
        #expect(throws: MaskerError.self) {
            try makeMasker(serialPatterns: ["FOC[0-9", "ok"])
        }
        do {
            _ = try makeMasker(serialPatterns: ["ok", "FOC[0-9"])
            Issue.record("init accepted an invalid pattern")
        } catch let error as MaskerError {
            guard case .invalidSerialPattern(let pattern, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(pattern == "FOC[0-9")
            #expect(error.description.contains("\"FOC[0-9\""))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
