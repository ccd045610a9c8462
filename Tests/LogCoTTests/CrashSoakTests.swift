import Foundation
import Testing

@testable import LogCoT

/// The crash-safety soak: Tianchi SEL test A (3,011 tickets) through `logcot run`, killed with
/// SIGKILL at seeded random points and restarted each time. After the last restart every ticket
/// must have exactly one report on the report topic, read back with kcat.
///
/// Runs only with `LOGCOT_SOAK=1` (`make soak`), because it takes minutes.
@Suite(.serialized, .enabled(if: SoakSettings.runnable))
struct CrashSoakTests {
    /// Log lines from the `logs` topic and tickets from `fault-events`.
    @Test(.timeLimit(.minutes(6))) func kafkaSoakReportsEachTicketOnce() async throws {
        let input = try TianchiTestA()
        let directory = try TestSupport.temporaryDirectory()
        let cluster = try KafkaMockCluster(topics: KafkaRunConfig.topics, directory: directory)
        defer { cluster.stop() }
        let lines = try input.kafkaRecords()
        let config = try Self.writeConfig(in: directory, bootstrap: cluster.bootstrapServers, journald: nil)

        try await Self.soak(name: "kafka", config: config, directory: directory, cluster: cluster, input: input) { part, parts in
            try await Kcat.produce(Self.slice(lines, part, of: parts), topic: "logs", bootstrap: cluster.bootstrapServers)
            try await Kcat.produce(Self.slice(input.tickets, part, of: parts), topic: "fault-events", bootstrap: cluster.bootstrapServers)
        }
    }

    /// Log lines from a journal file written by systemd-journal-remote, tickets from `fault-events`.
    @Test(.enabled(if: JournalFixture.journalRemoteAvailable), .timeLimit(.minutes(6)))
    func journaldSoakReportsEachTicketOnce() async throws {
        let input = try TianchiTestA()
        let directory = try TestSupport.temporaryDirectory()
        let journal = directory.appendingPathComponent("journal/tianchi.journal")
        let entries = input.journalEntries()
        let cluster = try KafkaMockCluster(topics: KafkaRunConfig.topics, directory: directory)
        defer { cluster.stop() }
        let journald = "files: [\"\(journal.path)\"], startAt: \"head\""
        let config = try Self.writeConfig(in: directory, bootstrap: cluster.bootstrapServers, journald: journald)

        try await Self.soak(name: "journald", config: config, directory: directory, cluster: cluster, input: input) { part, parts in
            try JournalFixture.append(Self.slice(entries, part, of: parts), to: journal)
            try await Kcat.produce(Self.slice(input.tickets, part, of: parts), topic: "fault-events", bootstrap: cluster.bootstrapServers)
        }
    }

    /// Returns part `part` (0-based) of `parts` nearly equal consecutive parts of `items`.
    static func slice<T>(_ items: [T], _ part: Int, of parts: Int) -> [T] {
        Array(items[(items.count * part / parts)..<(items.count * (part + 1) / parts)])
    }

    /// Writes a config close to `config/kafka.json5`, with TF-IDF labels instead of an LLM so that the
    /// soak measures the checkpoint protocol and not the model.
    static func writeConfig(in directory: URL, bootstrap: String, journald: String?) throws -> URL {
        let url = try KafkaRunConfig.write(
            in: directory, bootstrap: bootstrap, state: "checkpointRecords: 200, checkpointInterval: \"1s\"",
            journald: journald, idleTimeout: "2s")
        // A restarted daemon waits until the broker expires the killed one's session, so a shorter
        // session makes each of the kills cheaper.
        let text = try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: #""session.timeout.ms": "6000""#, with: #""session.timeout.ms": "3000""#)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Kills the daemon `SoakSettings.kills` times, restarts it once more and checks the reports.
    ///
    /// The input arrives in `kills + 1` parts, one before each start, as a live stream would, so
    /// each kill falls while the daemon works through its part and not on a daemon that is done.
    static func soak(name: String, config: URL, directory: URL, cluster: KafkaMockCluster, input: TianchiTestA, feed: (Int, Int) async throws -> Void) async throws {
        let started = Date()
        let kills = max(SoakSettings.kills, 0)
        let parts = kills + 1
        let tickets = input.tickets.count
        var generator = SeededGenerator(seed: SoakSettings.seed)
        var hooksReached = 0
        var fallbackKills = 0
        let topic = SoakTopic()
        print("soak \(name): seed \(SoakSettings.seed), \(kills) kills, \(tickets) tickets in \(parts) parts")

        for kill in 0..<kills {
            try await feed(kill, parts)
            let point = SoakKillPoint.random(
                records: (input.lines.count + tickets) / parts, reports: tickets / parts, using: &generator)
            let outcome = try await killOnce(point, config: config, directory: directory)
            switch outcome {
            case .hookReached: hooksReached += 1
            case .fallback: fallbackKills += 1
            case .signalled: break
            }
            try await topic.read(from: cluster)
            print("soak \(name): kill \(kill + 1)/\(kills) at \(point): \(outcome); \(topic.records.count) records, \(topic.reportIDs) report ids on the topic after \(Int(Date().timeIntervalSince(started))) s")
        }
        try await feed(kills, parts)

        let final = try await KafkaRunTests.startJoined(config, in: directory)
        let delivered = await DaemonProcess.waitUntil(timeout: 180) {
            (try? await topic.read(from: cluster)) != nil && topic.reportIDs >= tickets
        }
        // Time for a repeated report to show up, had the restart produced one.
        try await Task.sleep(for: .seconds(4))
        final.terminate()
        #expect(await final.waitForExit(seconds: 30))
        #expect(final.process.terminationStatus == 0, "stderr tail: \(final.stderr.suffix(2_000))")
        #expect(delivered, "fewer than \(tickets) report ids within 180 s of the last restart")

        try await topic.read(from: cluster)
        let faultEvents = try await Kcat.consume(topic: "fault-events", bootstrap: cluster.bootstrapServers)
        #expect(faultEvents.count == tickets, "fault-events holds \(faultEvents.count) records, expected \(tickets)")
        let tally = try SoakTally(records: Array(topic.records.values), tickets: faultEvents.map { "\($0.partition)@\($0.offset)" })
        print("soak \(name): \(kills) kills (\(hooksReached) at a protocol step, \(fallbackKills) fallback signals), \(tally.summary), \(Int(Date().timeIntervalSince(started))) s")
        if topic.lowestOffsetOnLastRead > 0 {
            print("soak \(name): the broker no longer returns offsets below \(topic.lowestOffsetOnLastRead); earlier reads kept them")
        }
        #expect(tally.missing.count == 0, "tickets without a report (fault-events partition@offset): \(tally.missing.prefix(20))")
        #expect(tally.repeated.count == 0, "tickets with more than one report (partition@offset: count): \(tally.repeated.sorted { $0.key < $1.key }.prefix(20))")
        #expect(tally.duplicates == 0, "report ids produced more than once: \(tally.duplicates)")
        #expect(tally.unexpected == 0)
        #expect(tally.distinctKeys == tickets)
    }

    enum KillOutcome: CustomStringConvertible {
        case signalled
        case hookReached
        /// The hook's step did not come within the wait, so the test sent SIGKILL itself.
        case fallback

        var description: String {
            switch self {
            case .signalled: "killed by the test"
            case .hookReached: "killed itself at the step"
            case .fallback: "step not reached, killed by the test"
            }
        }
    }

    /// Starts the daemon, kills it at `point` and waits until it is gone.
    static func killOnce(_ point: SoakKillPoint, config: URL, directory: URL) async throws -> KillOutcome {
        switch point {
        case .signal(let milliseconds):
            let daemon = try DaemonProcess(config: config, directory: directory)
            // Polls every 5 ms, because the delays are tens of milliseconds.
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline, daemon.process.isRunning, !daemon.stderr.contains("kafka partitions assigned") {
                try await Task.sleep(for: .milliseconds(5))
            }
            try await Task.sleep(for: .milliseconds(milliseconds))
            kill(daemon.process.processIdentifier, SIGKILL)
            _ = await daemon.waitForExit(seconds: 10)
            return .signalled
        case .hook(let value):
            let daemon = try DaemonProcess(config: config, environment: ["LOGCOT_TEST_KILL_AT": value], directory: directory)
            // Joining the group takes seconds; after that the whole input takes well under 5 s.
            _ = await DaemonProcess.waitUntil(timeout: 30) { daemon.stderr.contains("kafka partitions assigned") || !daemon.process.isRunning }
            if await daemon.waitForExit(seconds: 5) {
                #expect(daemon.process.terminationReason == .uncaughtSignal, "exit without SIGKILL; stderr tail: \(daemon.stderr.suffix(2_000))")
                return .hookReached
            }
            return .fallback
        }
    }
}
