import Foundation
import Synchronization

/// A hand-written processing loop on its own OS thread (as a stream thread is), stopped by the
/// main thread once the outputs are complete.
final class BackgroundLoop: Sendable {
    /// What a loop counted: records read per topic and records written.
    typealias Counts = [String: Int]

    private let stopRequested = Atomic<Bool>(false)
    private let assigned = Atomic<Bool>(false)
    private let outcome = Mutex<Result<Counts, any Error>?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    private init() {}

    /// Whether the loop should finish: commit and return its counts.
    var shouldStop: Bool { stopRequested.load(ordering: .relaxed) }

    /// Whether the loop's consumer has its partitions (set by the loop).
    var isAssigned: Bool { assigned.load(ordering: .relaxed) }

    func markAssigned() { assigned.store(true, ordering: .relaxed) }

    /// The loop's error if it has already failed.
    var failure: (any Error)? {
        outcome.withLock { outcome in
            if case .failure(let error) = outcome { return error }
            return nil
        }
    }

    /// Starts `body` on a new thread.
    static func start(name: String, _ body: @escaping @Sendable (BackgroundLoop) throws -> Counts) -> BackgroundLoop {
        let loop = BackgroundLoop()
        let thread = Thread {
            nameCurrentThread("loop:\(name)")
            let result = Result { try body(loop) }
            loop.outcome.withLock { $0 = result }
            loop.finished.signal()
        }
        thread.name = name
        thread.start()
        return loop
    }

    /// Asks the loop to finish and waits for its counts.
    func stop(timeout: Duration) throws -> Counts {
        stopRequested.store(true, ordering: .relaxed)
        let milliseconds = Int(timeout.components.seconds * 1000)
        guard finished.wait(timeout: .now() + .milliseconds(milliseconds)) == .success else {
            throw BenchError("the loop did not stop within \(timeout)")
        }
        return try outcome.withLock { $0! }.get()
    }
}

/// Names the calling thread for the operating system (what ``ThreadTimes`` reads), cut to the 15
/// bytes Linux keeps: Foundation's `Thread.name` is refused outright when it is longer.
private func nameCurrentThread(_ name: String) {
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
