import Dispatch
import Synchronization

/// The life of a stream thread, as Kafka Streams' `StreamThread.State`.
enum StreamThreadState: Sendable, Equatable {
    case created
    case starting
    case partitionsRevoked
    case partitionsAssigned
    case running
    case pendingShutdown
    case dead
}

/// What a ``KafkaStreams`` and one of its stream threads share: the stop request and the
/// thread's state and fatal error. Read once per loop iteration, not per record.
final class StreamThreadControl: Sendable {
    let index: Int
    private let stopRequested = Atomic<Bool>(false)
    private let pauseRequested = Atomic<Bool>(false)
    private let pausedAcknowledged = Atomic<Bool>(false)
    private let shared = Mutex<(state: StreamThreadState, error: (any Error)?)>((.created, nil))
    private let onStateChange: @Sendable (Int, StreamThreadState) -> Void
    private let finished = Mutex<[CheckedContinuation<Void, Never>]?>([])
    private let exited = DispatchSemaphore(value: 0)

    init(index: Int, onStateChange: @escaping @Sendable (Int, StreamThreadState) -> Void) {
        self.index = index
        self.onStateChange = onStateChange
    }

    var shouldStop: Bool { stopRequested.load(ordering: .relaxed) }

    func requestStop() { stopRequested.store(true, ordering: .relaxed) }

    /// Whether processing should be paused (``KafkaStreams/pause()``).
    var shouldPause: Bool { pauseRequested.load(ordering: .relaxed) }
    func requestPause(_ pause: Bool) { pauseRequested.store(pause, ordering: .relaxed) }

    /// Set by the thread once it has committed and stopped processing, cleared when it resumes.
    var isPaused: Bool { pausedAcknowledged.load(ordering: .acquiring) }
    func acknowledgePaused(_ paused: Bool) { pausedAcknowledged.store(paused, ordering: .releasing) }

    var state: StreamThreadState { shared.withLock { $0.state } }
    var error: (any Error)? { shared.withLock { $0.error } }

    func setState(_ state: StreamThreadState) {
        let changed = shared.withLock { shared -> Bool in
            guard shared.state != state, shared.state != .dead else { return false }
            shared.state = state
            return true
        }
        if changed { onStateChange(index, state) }
    }

    func fail(_ error: any Error) {
        shared.withLock { $0.error = $0.error ?? error }
    }

    /// Marks the thread as ended and wakes everyone waiting for it.
    func finish() {
        // Finished before the state callback runs, so that it sees this thread as ended.
        let waiters = finished.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            defer { waiters = nil }
            return waiters ?? []
        }
        setState(.dead)
        for waiter in waiters { waiter.resume() }
        exited.signal()
    }

    /// Blocks until the thread has ended or `timeout` passed; returns whether it ended.
    func waitUntilFinished(timeout: Duration) -> Bool {
        let millis = Int(min(timeout.components.seconds, 86_400 * 365)) * 1000
            + Int(timeout.components.attoseconds / 1_000_000_000_000_000)
        guard exited.wait(timeout: .now() + .milliseconds(max(0, millis))) == .success else { return false }
        exited.signal()  // for any other waiter
        return true
    }

    var isFinished: Bool { finished.withLock { $0 == nil } }

    /// Waits until the thread has ended.
    func waitUntilFinished() async {
        await withCheckedContinuation { continuation in
            let alreadyDone = finished.withLock { waiters -> Bool in
                guard waiters != nil else { return true }
                waiters!.append(continuation)
                return false
            }
            if alreadyDone { continuation.resume() }
        }
    }
}
