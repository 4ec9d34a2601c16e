import Foundation
import Testing

@testable import KafkaStreams

/// The two store engines every window and session store test runs on.
enum StoreEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inMemory
    case rocksDB

    var testDescription: String { rawValue }

    func windowStore(
        _ name: String, retention: Duration, windowSize: Duration, retainDuplicates: Bool = false
    ) -> WindowBytesStoreSupplier {
        switch self {
        case .inMemory:
            Stores.inMemoryWindowStore(name, retentionPeriod: retention, windowSize: windowSize, retainDuplicates: retainDuplicates)
        case .rocksDB:
            Stores.persistentWindowStore(name, retentionPeriod: retention, windowSize: windowSize, retainDuplicates: retainDuplicates)
        }
    }

    func sessionStore(_ name: String, retention: Duration) -> SessionBytesStoreSupplier {
        switch self {
        case .inMemory: Stores.inMemorySessionStore(name, retentionPeriod: retention)
        case .rocksDB: Stores.persistentSessionStore(name, retentionPeriod: retention)
        }
    }
}

/// A fresh directory under the system's temporary directory, removed by ``remove()``.
struct ScratchDirectory {
    let path: String

    init(_ label: String = "store") {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("kafka-streams-\(label)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(path)/\(relative)")
    }
}

/// Big-endian bytes of an integer, for checking store layouts.
func bigEndianBytes<I: FixedWidthInteger>(_ value: I) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}
