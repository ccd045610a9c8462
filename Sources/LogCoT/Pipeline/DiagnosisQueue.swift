import Foundation
import Synchronization

/// How many closed windows may wait for a diagnosis, and what a pipeline does when that many wait.
public struct DiagnosisQueuePolicy: Sendable, Equatable {
    /// The action for a closed window that finds the queue full.
    public enum WhenFull: String, Sendable {
        /// Write the oldest report first, so the source waits; for `logcot replay`, whose files can wait.
        case wait
        /// Label the window by TF-IDF at once (`tfidf-fallback`). `logcot run` uses it, so that a
        /// slow or failing LLM does not hold back the reading of live logs.
        case fallback
    }

    /// The maximum number of windows whose diagnosis is running or whose report waits to be written.
    public var capacity: Int
    public var whenFull: WhenFull
    /// Diagnoses fallback windows again when the LLM answers, as follow-up reports.
    public var rediagnose: Bool
    /// How long `writeReportsForCheckpoint()` waits for running first diagnoses.
    public var maxCheckpointWait: TimeInterval

    public init(capacity: Int, whenFull: WhenFull, rediagnose: Bool = false, maxCheckpointWait: TimeInterval = 30) {
        self.capacity = max(1, capacity)
        self.whenFull = whenFull
        self.rediagnose = rediagnose
        self.maxCheckpointWait = maxCheckpointWait
    }
}

/// One closed window with everything needed to diagnose it and build its report.
struct DiagnosisJob: Sendable {
    let window: FaultWindow
    let reason: WindowCloseReason
    let analysis: WindowAnalysis
    let builder: ReportBuilder
    /// The id of the fallback report that this job's report replaces; nil for a first diagnosis.
    var supersedes: String?
    /// Failed second diagnoses of this window so far.
    var failedAttempts = 0

    /// Diagnoses the window and returns its report with the seconds the diagnosis took.
    func run(_ diagnoser: any Diagnoser, clock: @Sendable () -> Date) async -> (DiagnosisReport, Double) {
        let started = clock()
        let diagnosis = await diagnoser.diagnose(window, analysis: analysis)
        let seconds = clock().timeIntervalSince(started)
        return (report(diagnosis), seconds)
    }

    /// Builds the report, with the follow-up id and `supersedes` for a second diagnosis.
    func report(_ diagnosis: Diagnosis) -> DiagnosisReport {
        var report = builder.build(window: window, reason: reason, analysis: analysis, diagnosis: diagnosis)
        if let supersedes {
            report.reportId = Self.followUpID(of: supersedes)
            report.supersedes = supersedes
        }
        return report
    }

    /// Derives the follow-up report id of the report `id`: hex of the first 16 bytes of SHA-256
    /// over `<id>|rediagnosis`, so that a replay yields the same follow-up id.
    static func followUpID(of id: String) -> String {
        let digest = SHA256.hash(Array("\(id)|rediagnosis".utf8))
        return digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}

/// A started diagnosis whose report is not written yet.
final class PendingDiagnosis: Sendable {
    let job: DiagnosisJob
    let task: Task<(DiagnosisReport, Double), Never>
    private let finished: FinishedFlag

    /// Starts diagnosing `job` on a new task.
    init(job: DiagnosisJob, diagnoser: any Diagnoser, clock: @escaping @Sendable () -> Date) {
        let flag = FinishedFlag()
        self.job = job
        self.finished = flag
        self.task = Task {
            let result = await job.run(diagnoser, clock: clock)
            flag.set()
            return result
        }
    }

    /// True once the diagnosis has finished, so that writing its report does not wait.
    var isFinished: Bool {
        finished.value
    }

    var isFollowUp: Bool {
        job.supersedes != nil
    }

    /// Returns an entry for the same running task whose report becomes the follow-up of the
    /// window's fallback report, for a diagnosis that a checkpoint did not wait for.
    func continuedAsFollowUp() -> PendingDiagnosis {
        var followUp = job
        followUp.supersedes = job.window.id
        return PendingDiagnosis(job: followUp, task: task, finished: finished)
    }

    private init(job: DiagnosisJob, task: Task<(DiagnosisReport, Double), Never>, finished: FinishedFlag) {
        self.job = job
        self.task = task
        self.finished = finished
    }
}

/// A flag that a diagnosis task sets when it ends.
final class FinishedFlag: Sendable {
    private let flag = Mutex(false)

    func set() {
        flag.withLock { $0 = true }
    }

    var value: Bool {
        flag.withLock { $0 }
    }
}

/// The windows a pipeline is diagnosing, in the order they closed, and the fallback windows that
/// wait for a second diagnosis.
///
/// A second diagnosis starts only while the queue has room and the LLM looks healthy: its last
/// answer was a success, or `probeInterval` has passed since its last failure, in which case one
/// window goes as a probe.
final class DiagnosisQueue {
    /// Failed second diagnoses after which a window keeps its fallback report for good.
    static let maxRediagnosisAttempts = 3
    /// The wait between probes of an LLM that failed.
    static let probeInterval: TimeInterval = 30
    /// Fallback windows that may wait for a second diagnosis, per place in the queue. Each keeps its
    /// window lines (up to `windowing.maxLinesPerWindow`), so the list must stay bounded.
    static let rediagnosisWindowsPerPlace = 16

    let policy: DiagnosisQueuePolicy
    private(set) var entries: [PendingDiagnosis] = []
    private(set) var candidates: [DiagnosisJob] = []
    /// The largest number of entries at once, for tests and the run summary.
    private(set) var highWater = 0
    private var llmHealthy = true
    private var nextProbe = Date.distantPast

    init(policy: DiagnosisQueuePolicy) {
        self.policy = policy
    }

    var isFull: Bool {
        entries.count >= policy.capacity
    }

    var isEmpty: Bool {
        entries.isEmpty
    }

    /// True when a first diagnosis is still running, so a checkpoint now would wait for it.
    var hasRunningDiagnoses: Bool {
        entries.contains { !$0.isFinished && !$0.isFollowUp }
    }

    /// Replaces the queue's entries, in order, after a checkpoint stopped waiting for some.
    func replaceEntries(_ newEntries: [PendingDiagnosis]) {
        entries = newEntries
    }

    func append(_ entry: PendingDiagnosis) {
        entries.append(entry)
        highWater = max(highWater, entries.count)
    }

    func removeFirst() -> PendingDiagnosis {
        entries.removeFirst()
    }

    /// Records how the LLM did for a written report, which decides when second diagnoses start.
    func noteOutcome(_ source: LabelSource, now: Date) {
        switch source {
        case .llm, .llmUnparsed:
            llmHealthy = true
        case .tfidfFallback:
            llmHealthy = false
            nextProbe = now.addingTimeInterval(Self.probeInterval)
        case .tfidf:
            break
        }
    }

    /// The maximum number of fallback windows waiting for a second diagnosis.
    var rediagnosisCapacity: Int {
        policy.capacity * Self.rediagnosisWindowsPerPlace
    }

    /// Keeps a fallback window for a second diagnosis; when `rediagnosisCapacity` windows already
    /// wait, the oldest is dropped and returned, so that the list stays bounded.
    func addCandidate(_ job: DiagnosisJob) -> DiagnosisJob? {
        candidates.append(job)
        guard candidates.count > rediagnosisCapacity else {
            return nil
        }
        return candidates.removeFirst()
    }

    /// Takes the windows whose second diagnosis may start now, marking a probe when the LLM failed last.
    func takeRediagnoses(now: Date) -> [DiagnosisJob] {
        var started: [DiagnosisJob] = []
        while !candidates.isEmpty, entries.count + started.count < policy.capacity {
            if !llmHealthy {
                guard now >= nextProbe, started.isEmpty else {
                    break
                }
                nextProbe = now.addingTimeInterval(Self.probeInterval)
                started.append(candidates.removeFirst())
                break
            }
            started.append(candidates.removeFirst())
        }
        return started
    }
}
