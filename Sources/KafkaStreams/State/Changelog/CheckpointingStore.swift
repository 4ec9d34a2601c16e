/// A store that keeps the changelog offset its data covers inside itself, so that after a crash
/// the offset never claims more than the data on disk holds.
///
/// RocksDB stores keep it in a column family of the same database. The offset is written before
/// the commit's flush, which flushes the data's family first (and RocksDB's atomic flush keeps
/// automatic memtable flushes of both families together), while writes skip the WAL: whatever
/// survives a crash, the stored offset is at most what the data covers. Restoration prefers it to
/// the checkpoint file.
protocol CheckpointingStore {
    func storeCheckpoint(topic: String, partition: Int32, offset: Int64) throws
    func storedCheckpoint(topic: String, partition: Int32) throws -> Int64?
    /// Under exactly-once: the task's source high-water marks written with its last commit.
    func storedSourceHighWater() throws -> [UInt8]?
}
