#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names the calling thread for the operating system, so that `top -H`, `perf`, `gdb` and
/// `/proc/<pid>/task/*/comm` tell the library's threads apart.
///
/// Foundation's `Thread.name` stays the full Kafka Streams name (`<applicationID>-StreamThread-1`);
/// Linux keeps at most 15 bytes of a thread name and refuses a longer one outright, which left
/// every stream thread named after the process. So the OS name is a short one of its own.
enum OSThreadName {
    /// The longest name Linux keeps, in bytes (16 with the terminating NUL).
    static let maxBytes = 15

    /// Sets the calling thread's name, cut to ``maxBytes`` bytes (at a character boundary).
    static func setCurrent(_ name: String) {
        var bytes = 0
        var cut = ""
        for character in name {
            let size = character.utf8.count
            guard bytes + size <= maxBytes else { break }
            cut.append(character)
            bytes += size
        }
        #if os(Linux)
        // `pthread_setname_np` is not in Swift's Glibc module; the kernel takes the name from
        // the thread's own `comm` file as well.
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = cut.withCString { write(fd, $0, strlen($0)) }
        #elseif canImport(Darwin)
        _ = pthread_setname_np(cut)
        #endif
    }

    /// The calling thread's name as the operating system has it, or `nil` where it cannot be read.
    static func current() -> String? {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].filter { $0 != 0x0A }, as: UTF8.self)
        #else
        return nil
        #endif
    }
}
