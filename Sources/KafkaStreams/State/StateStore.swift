/// A store of state that processors read and write, kept per task.
public protocol StateStore: AnyObject {
    /// The store's name, unique in a topology.
    var name: String { get }
    /// Whether the store keeps its data on local disk (RocksDB) between runs.
    var isPersistent: Bool { get }
    /// Makes written data durable locally (memtables to disk for RocksDB).
    func flush() throws
    /// Releases the store; the task is closing.
    func close() throws
}
