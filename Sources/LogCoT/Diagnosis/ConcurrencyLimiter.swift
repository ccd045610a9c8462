import Foundation

/// An async counting semaphore that lets at most `limit` holders run at once.
///
/// Waiters get slots in FIFO order. A waiting task that is cancelled leaves the queue and `acquire` throws
/// `CancellationError`.
public actor ConcurrencyLimiter {
    public let limit: Int
    private var slotsInUse = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID: UInt64 = 0

    /// Creates a limiter. A `limit` below 1 is raised to 1.
    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// The number of slots currently held.
    public var activeCount: Int {
        slotsInUse
    }

    /// Waits for a free slot. Every successful call must be matched by one `release()`.
    public func acquire() async throws {
        try Task.checkCancellation()
        if slotsInUse < limit {
            slotsInUse += 1
            return
        }

        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // The cancellation handler runs its removal on this actor later, so a task cancelled before
                // this point would never be removed from the queue. Checking here closes that gap.
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                waiters.append((id: id, continuation: continuation))
            }
        } onCancel: {
            Task {
                await self.removeWaiter(id: id)
            }
        }
    }

    /// Frees a slot, handing it to the longest-waiting task if there is one.
    public func release() {
        if waiters.isEmpty {
            slotsInUse = max(0, slotsInUse - 1)
        } else {
            // The slot passes straight to the waiter, so slotsInUse stays the same.
            let next = waiters.removeFirst()
            next.continuation.resume()
        }
    }

    private func removeWaiter(id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else {
            return
        }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: CancellationError())
    }
}
