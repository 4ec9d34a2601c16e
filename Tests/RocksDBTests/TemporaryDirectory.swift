import Foundation

/// Runs `body` with the path of a new, empty directory, and removes the directory afterwards.
func withTemporaryDirectory<Result>(_ body: (String) throws -> Result) throws -> Result {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("RocksDBTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// Runs `body` with the path of a new, empty directory, and removes the directory afterwards.
func withTemporaryDirectory<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("RocksDBTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// Keys whose signed and unsigned byte orders differ, plus prefixes and the empty key.
let awkwardKeys: [[UInt8]] = [
    [], [0x00], [0x00, 0x00], [0x00, 0xFF], [0x01], [0x7F], [0x7F, 0xFF], [0x80], [0x80, 0x00],
    [0x81], [0xFE, 0xFF], [0xFF], [0xFF, 0x00], [0xFF, 0xFF], [0xFF, 0xFF, 0xFF],
]

/// Keys sorted the way RocksDB's bytewise comparator sorts them.
func unsignedSorted(_ keys: [[UInt8]]) -> [[UInt8]] {
    keys.sorted { $0.lexicographicallyPrecedes($1) }
}

extension Array where Element == UInt8 {
    init(_ string: String) {
        self = Array(string.utf8)
    }
}
