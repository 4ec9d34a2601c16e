import Foundation

/// The process's resident memory, from /proc/self/status (Linux).
///
/// `VmHWM` (peak RSS) is process-wide and only grows, unless reset: writing `5` to
/// /proc/self/clear_refs (Linux 4.0+) sets it back to the current RSS. Rows reset it before they
/// start so that each row's peak is its own; what earlier rows left allocated (including the
/// embedded broker's copy of every topic) still counts.
enum ProcessMemory {
    /// Resets the peak to the current RSS; `false` where the kernel does not allow it.
    static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }

    /// Peak RSS (`VmHWM`) in bytes, or `nil` where unknown.
    static var peakBytes: Int? { statusField("VmHWM:") }

    /// Current RSS (`VmRSS`) in bytes, or `nil` where unknown.
    static var currentBytes: Int? { statusField("VmRSS:") }

    /// A field of another process's /proc/PID/status (`VmHWM:`, `VmRSS:`) in bytes.
    static func bytes(_ field: String, pid: Int32) -> Int? { statusField(field, path: "/proc/\(pid)/status") }

    private static func statusField(_ name: String, path: String = "/proc/self/status") -> Int? {
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            let fields = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let kilobytes = fields.first.flatMap({ Int($0) }) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }
}
