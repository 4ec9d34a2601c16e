import Foundation

/// The changelog offsets a task's stores are restored up to, kept in `<task dir>/.checkpoint`.
///
/// The format is Kafka Streams' `OffsetCheckpoint`: a version line (`0`), a count line, then one
/// `topic partition offset` line per changelog partition, where offset is the next offset to
/// restore from. Written atomically (temporary file, fsync, rename) so that a crash leaves either
/// the old or the new checkpoint.
struct Checkpoint: Equatable {
    struct Entry: Hashable {
        var topic: String
        var partition: Int32
    }

    var offsets: [Entry: Int64] = [:]

    static let fileName = ".checkpoint"

    /// Reads a checkpoint; a missing file is an empty checkpoint.
    ///
    /// - Throws: ``CheckpointError`` for a file that is not a valid checkpoint.
    static func read(directory: String) throws -> Checkpoint {
        let path = "\(directory)/\(fileName)"
        guard FileManager.default.fileExists(atPath: path) else { return Checkpoint() }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CheckpointError(path: path, message: "cannot be read: \(error)")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.count >= 2, lines[0] == "0", let count = Int(lines[1]), count == lines.count - 2 else {
            throw CheckpointError(path: path, message: "is not a version 0 checkpoint")
        }
        var checkpoint = Checkpoint()
        for line in lines.dropFirst(2) {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let partition = Int32(fields[1]), let offset = Int64(fields[2]), offset >= 0 else {
                throw CheckpointError(path: path, message: "has an invalid line \"\(line)\"")
            }
            checkpoint.offsets[Entry(topic: String(fields[0]), partition: partition)] = offset
        }
        return checkpoint
    }

    /// Writes the checkpoint atomically.
    func write(directory: String) throws {
        var text = "0\n\(offsets.count)\n"
        for (entry, offset) in offsets.sorted(by: { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }) {
            text += "\(entry.topic) \(entry.partition) \(offset)\n"
        }
        let path = "\(directory)/\(Self.fileName)"
        let temporary = path + ".tmp"
        let data = Data(text.utf8)
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw CheckpointError(path: temporary, message: "cannot be written (disk full or no permission?)")
        }
        if let handle = FileHandle(forWritingAtPath: temporary) {
            try? handle.synchronize()
            try? handle.close()
        }
        guard rename(temporary, path) == 0 else {
            throw CheckpointError(path: path, message: "cannot replace: \(String(cString: strerror(errno)))")
        }
    }

    static func delete(directory: String) {
        try? FileManager.default.removeItem(atPath: "\(directory)/\(fileName)")
    }
}

/// A checkpoint file that cannot be read or written.
struct CheckpointError: Error, CustomStringConvertible {
    let path: String
    let message: String
    var description: String { "checkpoint \(path) \(message)" }
}
