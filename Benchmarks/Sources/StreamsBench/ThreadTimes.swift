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
        /// Of the time on a CPU, that spent in the kernel (`/proc/self/task/*/stat`'s `stime`, in
        /// clock ticks), and the page faults that needed no disk read (`minflt`).
        let systemTicks: UInt64
        let minorFaults: UInt64
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
            let (systemTicks, minorFaults) = kernelFigures(task)
            threads[tid] = Sample(
                name: name.trimmingCharacters(in: .newlines), runNanos: run, waitNanos: wait, systemTicks: systemTicks,
                minorFaults: minorFaults)
        }
        return threads.isEmpty ? nil : ThreadTimes(threads: threads)
    }

    /// A thread's kernel time (ticks) and minor page faults, from its `stat` file, whose fields
    /// after the parenthesized name start at the state (field 3): `minflt` is field 10, `stime`
    /// field 15. Zeros where the file cannot be read.
    private static func kernelFigures(_ task: String) -> (systemTicks: UInt64, minorFaults: UInt64) {
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
            let nameEnd = stat.lastIndex(of: ")")
        else { return (0, 0) }
        let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
        guard fields.count > 12, let faults = UInt64(fields[7]), let system = UInt64(fields[12]) else { return (0, 0) }
        return (system, faults)
    }

    /// Nanoseconds per clock tick of `/proc`'s `stat` times.
    static let nanosPerTick: UInt64 = {
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return ticks > 0 ? 1_000_000_000 / UInt64(ticks) : 10_000_000
    }()

    /// What threads of each kind used between two samples, in nanoseconds. A thread that started
    /// in between counts from zero; one that ended in between is not counted.
    struct Usage {
        /// On a CPU, and waiting for one, of the row's processing threads.
        var processingRun: UInt64 = 0
        var processingWait: UInt64 = 0
        /// Of ``processingRun``, in the kernel (to a clock tick), and the processing threads'
        /// minor page faults.
        var processingSystem: UInt64 = 0
        var processingMinorFaults: UInt64 = 0
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
                usage.processingSystem += (end.systemTicks &- (base?.systemTicks ?? 0)) * Self.nanosPerTick
                usage.processingMinorFaults += end.minorFaults &- (base?.minorFaults ?? 0)
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
