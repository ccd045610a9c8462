import Foundation

/// A task executor that runs every job on one dedicated thread.
///
/// The daemon's loop runs with this executor as its task executor preference, so that its
/// synchronous code between suspension points, including every sd-journal call, runs on one
/// thread, as sd-journal(3) requires of a journal handle.
public final class SingleThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    /// Starts the thread, which lives as long as the process.
    public init(name: String) {
        let thread = Thread {
            self.runJobs()
        }
        thread.name = name
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty {
                condition.wait()
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
