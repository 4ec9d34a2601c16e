/// Reads and writes the aggregates of one key, window by window, in the timestamped window store
/// of a windowed aggregation, for its processor's hot path.
///
/// It does what ``WindowStore/fetch(_:windowStart:)`` and ``WindowStore/put(_:_:windowStart:)``
/// do on a ``TimestampedWindowStore`` (same byte store and layers, same bytes: keys
/// `[key][window start: 8 bytes BE][sequence number 0: 4 bytes BE]`, values
/// `[timestamp: 8 bytes BE][aggregate]`), without their generic wrappers: in a processor's
/// unspecialized code each `Serde<Key>`, `ValueAndTimestamp<Aggregate>` and `Record` it touched
/// cost a generic-metadata lookup per record (~21 per record, ~13% of a windowed count). The key is
/// serialized once per record for every window it updates, and its buffers are reused.
final class TimestampedWindowUpdater<Key, Aggregate> {
    let store: TimestampedWindowStore<Key, Aggregate>
    private let bytes: any KeyValueBytesStore
    private let serializeKeyInto: @Sendable (Key, inout [UInt8]) throws -> Bool
    private let serializeAggregateInto: @Sendable (Aggregate, inout [UInt8]) throws -> Bool
    private let deserializeAggregate: @Sendable (UnsafeRawBufferPointer?) throws -> Aggregate
    private let aggregateSerdeName: String
    /// `[key][window start][sequence number]`: the key part set by ``setKey(_:)``, the suffix by
    /// ``setWindow(start:)``. Unchecked: only this class touches the buffers, never re-entrantly.
    @exclusivity(unchecked) private var keyBuffer: [UInt8] = []
    @exclusivity(unchecked) private var valueBuffer: [UInt8] = []
    private var keyLength = 0

    init(store: TimestampedWindowStore<Key, Aggregate>, key: Serde<Key>, aggregate: Serde<Aggregate>) {
        precondition(!store.retainDuplicates, "aggregation window stores keep one entry per key and window")
        self.store = store
        self.bytes = store.bytes
        self.serializeKeyInto = key.serializeInto
        self.serializeAggregateInto = aggregate.serializeInto
        self.deserializeAggregate = aggregate.deserializeFrom
        self.aggregateSerdeName = aggregate.name
    }

    /// Serializes `key`: the key of the following reads and writes.
    /// - Throws: ``StreamsError/nullKey(store:)`` when it serializes to null, as the store does.
    @inline(__always)
    func setKey(_ key: Key) throws {
        keyBuffer.removeAll(keepingCapacity: true)
        guard try serializeKeyInto(key, &keyBuffer) else { throw StreamsError.nullKey(store: store.name) }
        keyLength = keyBuffer.count
        keyBuffer.append(contentsOf: repeatElement(0, count: WindowKeySchema.suffixSize))
    }

    /// Points the following reads and writes at the window that starts at `start`.
    @inline(__always)
    func setWindow(start: Int64) {
        let keyLength = keyLength
        keyBuffer.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: start.bigEndian, toByteOffset: keyLength, as: Int64.self)
            raw.storeBytes(of: UInt32(0), toByteOffset: keyLength + 8, as: UInt32.self)
        }
    }

    /// The aggregate of the key and window set, or `nil`; when present, `timestamp` is set to its
    /// timestamp (otherwise left unchanged).
    @inline(__always)
    func lookup(timestamp: inout Int64) throws -> Aggregate? {
        guard let stored = try bytes.get(keyBuffer) else { return nil }
        return try TimestampedValueBytes.read(
            stored, serdeName: aggregateSerdeName, timestamp: &timestamp, deserializeAggregate)
    }

    /// Stores the aggregate of the key and window set, or deletes the entry when the aggregate
    /// serializes to null.
    @inline(__always)
    func put(_ aggregate: Aggregate, timestamp: Int64) throws {
        guard try TimestampedValueBytes.write(aggregate, timestamp: timestamp, into: &valueBuffer, serializeAggregateInto) else {
            try bytes.delete(keyBuffer)
            return
        }
        try bytes.put(keyBuffer, valueBuffer)
    }
}
