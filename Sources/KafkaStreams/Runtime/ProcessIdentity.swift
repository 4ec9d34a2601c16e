import Foundation

/// The process id of an instance: a UUID kept in the state directory, so that a restarted
/// instance with the same state directory keeps its stream threads' `transactional.id`s and
/// fences its own previous incarnation (Kafka Streams keeps it in the same file).
enum ProcessIdentity {
    static let fileName = "kafka-streams-process-metadata"

    private struct Metadata: Codable {
        var processId: String
    }

    /// Reads the process id from `<directory>/kafka-streams-process-metadata`, or creates it.
    static func load(directory: String) throws -> UUID {
        let path = "\(directory)/\(fileName)"
        if let data = FileManager.default.contents(atPath: path) {
            if let metadata = try? JSONDecoder().decode(Metadata.self, from: data),
                let id = UUID(uuidString: metadata.processId)
            {
                return id
            }
        }
        let id = UUID()
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let data = try JSONEncoder().encode(Metadata(processId: id.uuidString.lowercased()))
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw StreamsError.stateStore(store: path, message: "cannot write the process id: \(error)")
        }
        return id
    }
}
