import Foundation

#if canImport(Glibc)
import Glibc

/// A tmpfs of a fixed size mounted on a fresh directory, for state directories that run out of
/// space. Mounting needs root (`CAP_SYS_ADMIN`); ``isAvailable`` says whether this process may.
struct SmallFilesystem: ~Copyable {
    let path: String

    /// Mounts a tmpfs of `bytes` bytes on a new directory under the temporary directory.
    init(bytes: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("small-fs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(bytes)") == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: path)
            throw SmallFilesystemError(message: "cannot mount a tmpfs on \(path): \(reason)")
        }
    }

    /// Writes a file that takes every byte left, so that the next write anywhere on the
    /// filesystem fails with `ENOSPC`. Returns the file's path and size.
    func fill() throws -> (path: String, bytes: Int) {
        let file = "\(path)/filler"
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw SmallFilesystemError(message: "cannot create \(file): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0xAB, count: 4096)
        var written = 0
        // Page-sized writes, then single bytes: tmpfs hands out whole pages, so the last partial
        // page is taken too.
        for size in [chunk.count, 1] {
            while true {
                let result = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, size) }
                if result > 0 {
                    written += result
                    continue
                }
                guard result < 0, errno == ENOSPC else {
                    throw SmallFilesystemError(message: "filling \(file): \(String(cString: strerror(errno)))")
                }
                break
            }
        }
        return (file, written)
    }

    deinit {
        _ = umount2(path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Whether this process may mount a tmpfs (tried once, on a scratch directory).
    static let isAvailable: Bool = {
        guard let probe = try? SmallFilesystem(bytes: 64 * 1024) else { return false }
        _ = consume probe
        return true
    }()
}

struct SmallFilesystemError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
#endif
