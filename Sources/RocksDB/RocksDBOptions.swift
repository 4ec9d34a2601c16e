internal import CRocksDB

/// Options for opening (or destroying) a ``RocksDB``.
///
/// `nil` properties keep RocksDB's own default.
///
/// ## Bounding memory across many databases
///
/// Share one ``RocksDBCache`` through ``blockCache`` and turn on ``cacheIndexAndFilterBlocks`` so
/// reads are bounded by one cache per process. Memtables are bounded per database by
/// ``dbWriteBufferSize`` (or ``writeBufferSize`` × ``maxWriteBufferNumber``): the RocksDB 7.8 C API
/// does not expose `WriteBufferManager`, so a write-buffer budget shared across databases, charged
/// to the block cache, is not available through this binding.
public struct RocksDBOptions: Sendable {
    /// Whether to create the database if it does not exist, and the column families named at open
    /// (``RocksDB/init(path:options:columnFamilies:)``) that it does not have. Default `true`.
    public var createIfMissing: Bool

    /// Whether opening fails if the database already exists. Default `false`.
    public var errorIfExists: Bool

    /// The size of one memtable in bytes (RocksDB's default is 64 MiB).
    public var writeBufferSize: Int?

    /// The maximum number of memtables, active and immutable, kept in memory (RocksDB's default is 2).
    public var maxWriteBufferNumber: Int?

    /// A limit on the memtable memory of this database, across all its column families: when reached,
    /// the largest memtable is flushed. `0` means no limit (RocksDB's default).
    ///
    /// ``writeBufferSize`` and ``maxWriteBufferNumber`` apply to each column family separately.
    public var dbWriteBufferSize: Int?

    /// Whether RocksDB's automatic flushes (a memtable is full, or ``dbWriteBufferSize`` is reached)
    /// write the memtables of all column families that have data together, recording the result
    /// atomically. Default `true`; RocksDB's own default is `false`.
    ///
    /// Only writes made with ``WriteOptions/disableWAL`` need it: they survive a crash only once
    /// flushed, and without atomic flushes a full memtable flushes only its own column family, so a
    /// crash afterwards could keep one part of a ``WriteBatch`` that spans column families and lose
    /// the other. ``RocksDB/flush()`` is not affected: see there. With one column family it changes
    /// nothing.
    public var atomicFlush: Bool

    /// The compression of SST files (RocksDB's default is Snappy).
    public var compression: Compression?

    /// The block cache; share one between databases to bound their memory together.
    /// `nil` gives each database a private cache of RocksDB's default size.
    public var blockCache: RocksDBCache?

    /// The approximate size of a data block in bytes before compression (RocksDB's default is 4 KiB).
    public var blockSize: Int?

    /// Bits per key of a full Bloom filter on SST files; about 10 gives a 1% false-positive rate.
    /// `nil` means no filter.
    public var bloomFilterBitsPerKey: Double?

    /// The size of a whole-key Bloom filter on each memtable, as a fraction of ``writeBufferSize``
    /// (RocksDB's `memtable_prefix_bloom_size_ratio` with `memtable_whole_key_filtering`; at most
    /// 0.25). `nil` means no filter (RocksDB's default).
    ///
    /// A point read of a key the memtable does not hold then costs a filter probe instead of a
    /// skiplist search. The filter's bits per key are the ratio × 8 × the bytes of a memtable
    /// entry: 0.02 gives about 10 (false positives for 1-2% of absent keys) for entries of ~60 bytes.
    /// Stores that often read keys they do not have yet (an aggregation's first record of a key
    /// or window) gain most. The filter takes its bytes from the memtable's, so a memtable fills
    /// that much sooner.
    public var memtableBloomFilterRatio: Double?

    /// Whether index and filter blocks live in the block cache (charged to its capacity, with high
    /// priority, top-level blocks pinned) instead of in unbounded table-reader memory. Default `false`.
    public var cacheIndexAndFilterBlocks: Bool

    /// The maximum number of open files; `-1` keeps every file open (RocksDB's default).
    public var maxOpenFiles: Int?

    /// The number of background threads for flushes and compactions. This sizes the thread pools of
    /// RocksDB's default environment, which all databases of the process share.
    public var backgroundThreads: Int?

    /// Whether a put overwrites the value of its key in the memtable when the new value is no
    /// larger, instead of adding a version. Default `false` (RocksDB's default).
    ///
    /// Stores that update the same keys again and again (counts, aggregates) then keep one memtable
    /// entry per key instead of one per update, so lookups and inserts search a far smaller
    /// memtable and flushes write less. The price, from RocksDB: iterators are not point-in-time
    /// consistent and cannot go backwards (a reverse ``RocksDB/scan(from:to:reverse:_:)`` fails),
    /// and a value read through an iterator while another thread overwrites it may be torn, so
    /// iterate only on the thread that writes, or read values with ``RocksDB/get(_:)`` (which
    /// takes the key's lock). Turns concurrent memtable writes off, as RocksDB requires.
    public var inplaceUpdateSupport: Bool

    /// With ``inplaceUpdateSupport``: how many locks guard in-place updates against concurrent
    /// reads, keys being spread over them by hash. Each memtable holds them all, so RocksDB's
    /// default of 10,000 costs about half a megabyte per memtable. `nil` keeps that default.
    public var inplaceUpdateLocks: Int?

    /// Where RocksDB writes its informational `LOG` file, if anywhere. Default
    /// `.inDatabaseDirectory(level: .info)`, RocksDB's default.
    ///
    /// RocksDB 7.8 as Debian builds it (with assertions on) aborts the process when it writes to
    /// this file again after a write to it failed, as on a full disk. With `.off` it writes no
    /// such file, and a full disk fails the next flush or write with ``RocksDBError`` instead.
    public var infoLog: InfoLog

    /// Creates options with RocksDB's defaults, except that a missing database is created.
    public init() {
        self.createIfMissing = true
        self.errorIfExists = false
        self.writeBufferSize = nil
        self.maxWriteBufferNumber = nil
        self.dbWriteBufferSize = nil
        self.atomicFlush = true
        self.compression = nil
        self.blockCache = nil
        self.blockSize = nil
        self.bloomFilterBitsPerKey = nil
        self.memtableBloomFilterRatio = nil
        self.cacheIndexAndFilterBlocks = false
        self.maxOpenFiles = nil
        self.backgroundThreads = nil
        self.inplaceUpdateSupport = false
        self.inplaceUpdateLocks = nil
        self.infoLog = .inDatabaseDirectory(level: .info)
    }
}

extension RocksDBOptions {
    /// A compression algorithm for SST files.
    public struct Compression: Sendable, Hashable, CustomStringConvertible {
        let rawValue: Int32
        private let name: String

        private init(_ rawValue: Int, _ name: String) {
            self.rawValue = Int32(rawValue)
            self.name = name
        }

        /// No compression.
        public static let none = Compression(Int(rocksdb_no_compression), "none")
        /// Snappy.
        public static let snappy = Compression(Int(rocksdb_snappy_compression), "snappy")
        /// zlib.
        public static let zlib = Compression(Int(rocksdb_zlib_compression), "zlib")
        /// bzip2.
        public static let bzip2 = Compression(Int(rocksdb_bz2_compression), "bzip2")
        /// LZ4.
        public static let lz4 = Compression(Int(rocksdb_lz4_compression), "lz4")
        /// LZ4 high compression.
        public static let lz4hc = Compression(Int(rocksdb_lz4hc_compression), "lz4hc")
        /// Zstandard.
        public static let zstd = Compression(Int(rocksdb_zstd_compression), "zstd")

        /// The name of the algorithm, such as `lz4`.
        public var description: String { self.name }
    }
}

extension RocksDBOptions {
    /// Builds the C options, valid only inside `body`. RocksDB copies what it needs at open.
    func withCOptions<Result>(_ body: (OpaquePointer) throws -> Result) throws -> Result {
        let options = rocksdb_options_create()!
        defer { rocksdb_options_destroy(options) }

        rocksdb_options_set_create_if_missing(options, self.createIfMissing.cBool)
        rocksdb_options_set_error_if_exists(options, self.errorIfExists.cBool)
        rocksdb_options_set_create_missing_column_families(options, self.createIfMissing.cBool)
        rocksdb_options_set_atomic_flush(options, self.atomicFlush.cBool)
        applyInfoLog(to: options)
        if let writeBufferSize {
            rocksdb_options_set_write_buffer_size(options, try cSize(writeBufferSize, "writeBufferSize", minimum: 1))
        }
        if let maxWriteBufferNumber {
            rocksdb_options_set_max_write_buffer_number(
                options,
                try cInt(maxWriteBufferNumber, "maxWriteBufferNumber", minimum: 1)
            )
        }
        if let dbWriteBufferSize {
            rocksdb_options_set_db_write_buffer_size(options, try cSize(dbWriteBufferSize, "dbWriteBufferSize"))
        }
        if let compression {
            rocksdb_options_set_compression(options, compression.rawValue)
        }
        if let maxOpenFiles {
            rocksdb_options_set_max_open_files(options, try cInt(maxOpenFiles, "maxOpenFiles", minimum: -1))
        }
        if let backgroundThreads {
            rocksdb_options_increase_parallelism(
                options,
                try cInt(backgroundThreads, "backgroundThreads", minimum: 1)
            )
        }

        if let memtableBloomFilterRatio {
            guard memtableBloomFilterRatio.isFinite, memtableBloomFilterRatio > 0, memtableBloomFilterRatio <= 0.25
            else {
                throw RocksDBError.invalidArgument(
                    "memtableBloomFilterRatio must be above 0 and at most 0.25, got \(memtableBloomFilterRatio)"
                )
            }
            rocksdb_options_set_memtable_prefix_bloom_size_ratio(options, memtableBloomFilterRatio)
            rocksdb_options_set_memtable_whole_key_filtering(options, 1)
        }

        if self.inplaceUpdateSupport {
            rocksdb_options_set_allow_concurrent_memtable_write(options, 0)
            rocksdb_options_set_inplace_update_support(options, 1)
            if let inplaceUpdateLocks {
                rocksdb_options_set_inplace_update_num_locks(
                    options, try cSize(inplaceUpdateLocks, "inplaceUpdateLocks", minimum: 1))
            }
        }

        let table = rocksdb_block_based_options_create()!
        defer { rocksdb_block_based_options_destroy(table) }
        if let blockCache {
            rocksdb_block_based_options_set_block_cache(table, blockCache.pointer)
        }
        if let blockSize {
            rocksdb_block_based_options_set_block_size(table, try cSize(blockSize, "blockSize", minimum: 1))
        }
        if let bloomFilterBitsPerKey {
            guard bloomFilterBitsPerKey.isFinite, bloomFilterBitsPerKey > 0 else {
                throw RocksDBError.invalidArgument(
                    "bloomFilterBitsPerKey must be a positive number, got \(bloomFilterBitsPerKey)"
                )
            }
            // The table options take ownership of the policy.
            rocksdb_block_based_options_set_filter_policy(
                table,
                rocksdb_filterpolicy_create_bloom_full(bloomFilterBitsPerKey)
            )
        }
        if self.cacheIndexAndFilterBlocks {
            rocksdb_block_based_options_set_cache_index_and_filter_blocks(table, 1)
            rocksdb_block_based_options_set_cache_index_and_filter_blocks_with_high_priority(table, 1)
            rocksdb_block_based_options_set_pin_top_level_index_and_filter(table, 1)
        }
        // Copies the table options (and shares the cache and filter) into the options.
        rocksdb_options_set_block_based_table_factory(options, table)

        return try body(options)
    }
}
