import Foundation

/// An exclusive lock on a task's state directory (`<task dir>/.lock`, `flock`), held while the
/// task is open, so that two processes (or two instances in one process) sharing a state
/// directory never use the same task's state at once.
///
/// The lock is released when the file is closed, also when the process dies, so a crash never
/// leaves a stale lock behind.
final class TaskDirectoryLock {
    private var descriptor: Int32

    /// Takes the lock, creating the directory if needed.
    ///
    /// - Throws: ``StreamsError/stateStore(store:message:)`` naming the directory when another
    ///   process holds it or it cannot be created.
    init(directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StreamsError.stateStore(store: directory, message: "cannot create the task directory: \(error)")
        }
        let path = "\(directory)/.lock"
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StreamsError.stateStore(
                store: directory, message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? "is locked by another instance using the same state directory" : String(cString: strerror(errno))
            close(descriptor)
            throw StreamsError.stateStore(store: directory, message: "task directory \(reason)")
        }
        self.descriptor = descriptor
    }

    /// Releases the lock; safe to call twice.
    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit {
        release()
    }
}
