/// Options for a single write: `put`, `delete`, `deleteRange` or ``RocksDB/write(_:options:)``.
public struct WriteOptions: Sendable, Hashable {
    /// Whether to fsync the write-ahead log before the write returns. Default `false`: the write
    /// survives a process crash but not necessarily a machine crash.
    public var sync: Bool

    /// Whether to skip the write-ahead log. Default `false`.
    ///
    /// Stores that are backed by a changelog can skip it: on a crash they restore from their
    /// checkpoint offset instead. Unflushed writes are then lost when the process dies, so call
    /// ``RocksDB/flush()`` before recording a checkpoint. RocksDB rejects `sync` together with
    /// `disableWAL`.
    public var disableWAL: Bool

    /// Creates write options.
    public init(sync: Bool = false, disableWAL: Bool = false) {
        self.sync = sync
        self.disableWAL = disableWAL
    }
}
