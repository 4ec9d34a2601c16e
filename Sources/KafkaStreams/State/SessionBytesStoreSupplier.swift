/// The engine, name and retention of a session store, before it is given types.
///
/// Made by ``Stores/inMemorySessionStore(_:retentionPeriod:)`` and
/// ``Stores/persistentSessionStore(_:retentionPeriod:)``.
public struct SessionBytesStoreSupplier: Sendable, Hashable {
    /// The store's name.
    public let name: String
    /// How long sessions are kept behind the latest session end written.
    public let retentionPeriod: Duration
    let engine: StoreDefinition.Engine

    /// Whether the store keeps its data in RocksDB on local disk.
    public var isPersistent: Bool { engine == .persistent }

    /// The time span of one segment: half the retention period, at least one minute (Kafka
    /// Streams' default). Expired data is dropped one whole segment at a time.
    public var segmentInterval: Duration { .milliseconds(segmentIntervalMilliseconds) }

    var segmentIntervalMilliseconds: Int64 { StoreDefinition.defaultSegmentInterval(retentionPeriod: retentionPeriod.milliseconds) }

    func validate() throws {
        guard retentionPeriod.milliseconds >= 0 else {
            throw TopologyError.invalidTopology(
                "session store \(name): the retention period (\(retentionPeriod)) must not be negative")
        }
    }
}
