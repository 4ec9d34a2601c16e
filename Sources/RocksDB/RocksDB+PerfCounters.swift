internal import CRocksDB

extension RocksDB {
    /// Turns RocksDB's per-operation performance counters (`PerfContext`: key comparisons, bytes
    /// read, ...) off or back on for the calling thread only.
    ///
    /// They are on by default and cost a thread-local lookup in every key comparison, several
    /// percent of a thread that does little but small reads and writes. Nothing in this binding
    /// reads them.
    public static func setPerfCountersEnabled(_ enabled: Bool) {
        // rocksdb::PerfLevel: kDisable = 1, kEnableCount = 2 (RocksDB's default).
        rocksdb_set_perf_level(enabled ? 2 : 1)
    }
}
