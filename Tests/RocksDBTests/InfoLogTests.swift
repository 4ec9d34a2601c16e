import Foundation
import RocksDB
import Testing

/// `RocksDBOptions.infoLog`: RocksDB's `LOG` file, or none.
@Suite struct InfoLogTests {
    /// Opens a database with `infoLog`, writes and flushes a key, closes it, and returns the
    /// names of the database's files and the text of its `LOG` file, if any.
    func run(_ infoLog: RocksDBOptions.InfoLog, in directory: String) throws -> (files: [String], log: String?) {
        var options = RocksDBOptions()
        options.infoLog = infoLog
        let path = directory + "/db"
        do {
            let db = try RocksDB(path: path, options: options)
            try db.put([1], [2])
            try db.flush()
            #expect(try db.get([1]) == [2])
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: path)
        let log = files.contains("LOG") ? try String(contentsOfFile: path + "/LOG", encoding: .utf8) : nil
        return (files, log)
    }

    @Test func offWritesNoLogFile() throws {
        try withTemporaryDirectory { directory in
            let (files, log) = try run(.off, in: directory)
            #expect(log == nil)
            #expect(!files.contains { $0.hasPrefix("LOG") }, "files: \(files.sorted())")
        }
    }

    @Test func defaultLogsFlushesInTheDatabaseDirectory() throws {
        try withTemporaryDirectory { directory in
            #expect(RocksDBOptions().infoLog == .inDatabaseDirectory(level: .info))
            let (_, log) = try run(RocksDBOptions().infoLog, in: directory)
            let text = try #require(log, "no LOG file")
            #expect(text.contains("RocksDB version"))
            #expect(text.contains("Flushing memtable"))
        }
    }

    @Test func aHigherLevelLeavesOutFlushes() throws {
        try withTemporaryDirectory { directory in
            let (_, log) = try run(.inDatabaseDirectory(level: .warn), in: directory)
            let text = try #require(log, "no LOG file")
            #expect(!text.contains("Flushing memtable"), "LOG: \(text.prefix(500))")
        }
    }
}
