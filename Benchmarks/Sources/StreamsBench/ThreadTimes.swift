import Foundation

/// CPU time of this process's threads between two moments, by the kind of work they do, from
/// Linux's per-thread scheduler statistics (`/proc/self/task/*/schedstat`: nanoseconds spent on a
/// CPU and waiting in a run queue for one).
///
/// Threads are told apart by their operating-system names: a row's processing thread (a streams
/// application's `StreamThread-<n>`, or a hand-written loop's, which ``BackgroundLoop`` names
/// `loop:<row>`), librdkafka's own threads (`rdk:*`), the embedded broker's (`rdk:mock`), and the
/// rest (the bench's main thread and watcher, RocksDB's background threads).
struct ThreadTimes {
    /// One thread's totals since it started.
    struct Sample {
        let name: String
        let runNanos: UInt64
        let waitNanos: UInt64
    }

    /// By thread id.
    let threads: [Int: Sample]

    /// The current totals of every thread, or `nil` where `/proc` has no scheduler statistics.
    static func now() -> ThreadTimes? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return nil }
        var threads: [Int: Sample] = [:]
        for task in tasks {
            guard let tid = Int(task),
                let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                let stats = try? String(contentsOfFile: "/proc/self/task/\(task)/schedstat", encoding: .utf8)
            else { continue }
            let fields = stats.split(separator: " ")
            guard fields.count >= 2, let run = UInt64(fields[0]), let wait = UInt64(fields[1]) else { continue }
            threads[tid] = Sample(name: name.trimmingCharacters(in: .newlines), runNanos: run, waitNanos: wait)
        }
        return threads.isEmpty ? nil : ThreadTimes(threads: threads)
    }

    /// What threads of each kind used between two samples, in nanoseconds. A thread that started
    /// in between counts from zero; one that ended in between is not counted.
    struct Usage {
        /// On a CPU, and waiting for one, of the row's processing threads.
        var processingRun: UInt64 = 0
        var processingWait: UInt64 = 0
        /// On a CPU: librdkafka's threads (the embedded broker's apart), and every other thread.
        var librdkafkaRun: UInt64 = 0
        var brokerRun: UInt64 = 0
        var otherRun: UInt64 = 0
    }

    /// Whether a thread of this name processes a row's records.
    static func isProcessing(_ name: String) -> Bool {
        name.hasPrefix("StreamThread-") || name.hasPrefix("loop:")
    }

    func usage(since start: ThreadTimes) -> Usage {
        var usage = Usage()
        for (tid, end) in threads {
            let before = start.threads[tid]
            // A reused thread id under another name is another thread.
            let base = before?.name == end.name ? before : nil
            let run = end.runNanos &- (base?.runNanos ?? 0)
            let wait = end.waitNanos &- (base?.waitNanos ?? 0)
            if Self.isProcessing(end.name) {
                usage.processingRun += run
                usage.processingWait += wait
            } else if end.name == "rdk:mock" {
                usage.brokerRun += run
            } else if end.name.hasPrefix("rdk:") {
                usage.librdkafkaRun += run
            } else {
                usage.otherRun += run
            }
        }
        return usage
    }
}
