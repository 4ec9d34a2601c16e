/// The engine, name and time parameters of a window store, before it is given types.
///
/// Made by ``Stores/inMemoryWindowStore(_:retentionPeriod:windowSize:retainDuplicates:)`` and
/// ``Stores/persistentWindowStore(_:retentionPeriod:windowSize:retainDuplicates:)``.
public struct WindowBytesStoreSupplier: Sendable, Hashable {
    /// The store's name.
    public let name: String
    /// How long windows are kept behind the latest window start written.
    public let retentionPeriod: Duration
    /// The size of the windows.
    public let windowSize: Duration
    /// Whether each put adds an entry (for stream-stream joins) instead of replacing the value.
    public let retainDuplicates: Bool
    let engine: StoreDefinition.Engine

    /// Whether the store keeps its data in RocksDB on local disk.
    public var isPersistent: Bool { engine == .persistent }

    /// The time span of one segment: half the retention period, at least one minute (Kafka
    /// Streams' default). Expired data is dropped one whole segment at a time.
    public var segmentInterval: Duration { .milliseconds(segmentIntervalMilliseconds) }

    var segmentIntervalMilliseconds: Int64 { StoreDefinition.defaultSegmentInterval(retentionPeriod: retentionPeriod.milliseconds) }

    /// Kafka Streams' checks: no negative durations, retention at least the window size.
    func validate() throws {
        let retention = retentionPeriod.milliseconds
        let size = windowSize.milliseconds
        guard retention >= 0, size >= 0 else {
            throw TopologyError.invalidTopology(
                "window store \(name): retention period (\(retentionPeriod)) and window size (\(windowSize)) must not be negative")
        }
        guard retention >= size else {
            throw TopologyError.invalidTopology(
                "window store \(name): the retention period (\(retentionPeriod)) must be no smaller than the window size (\(windowSize))")
        }
    }
}
