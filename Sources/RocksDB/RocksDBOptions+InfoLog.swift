internal import CRocksDB
internal import CRocksDBSupport

extension RocksDBOptions {
    /// Where RocksDB writes its informational log: the `LOG` file of flushes, compactions, options
    /// and errors.
    public enum InfoLog: Sendable, Hashable {
        /// No log file. RocksDB writes none and logs nowhere.
        case off
        /// A `LOG` file in the database's directory, with the messages of `level` and above
        /// (RocksDB's default: `.inDatabaseDirectory(level: .info)`).
        case inDatabaseDirectory(level: Level)

        /// The severity of an informational log message.
        public enum Level: Int32, Sendable, Hashable, CaseIterable {
            case debug = 0
            case info = 1
            case warn = 2
            case error = 3
            case fatal = 4
            /// The highest: RocksDB 7.8 writes next to nothing at it.
            case header = 5
        }
    }

    func applyInfoLog(to options: OpaquePointer) {
        switch infoLog {
        case .off:
            // A logger of our own keeps RocksDB from making its file logger.
            rocksdb_options_set_info_log(options, swift_rocksdb_silent_logger())
        case .inDatabaseDirectory(let level):
            rocksdb_options_set_info_log_level(options, level.rawValue)
        }
    }
}
