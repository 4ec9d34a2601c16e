/// The window store of a DSL windowed aggregation: each window's aggregate with the timestamp of
/// the latest record that made it (Kafka Streams' `TimestampedWindowStore`).
///
/// Values are `[timestamp: 8 bytes big-endian][serialized aggregate]`; the store is declared
/// timestamped, so its changelog carries the plain aggregate with the timestamp as record
/// timestamp, as Kafka Streams writes it.
typealias TimestampedWindowStore<Key, Value> = WindowStore<Key, ValueAndTimestamp<Value>>

extension Serde {
    /// `[timestamp: 8 bytes BE][inner bytes]`, the value layout of timestamped stores.
    static func valueAndTimestamp<Inner>(_ inner: Serde<Inner>) -> Serde<ValueAndTimestamp<Inner>>
    where Value == ValueAndTimestamp<Inner> {
        let name = "timestamped(\(inner.name))"
        return Serde(
            name: name,
            serializeNullable: { value, buffer in
                appendBigEndian(value.timestamp, to: &buffer)
                return try inner.serializeInto(value.value, &buffer)
            },
            deserializeNullable: { bytes in
                guard let bytes else { throw SerdeError.unexpectedNull(serde: name) }
                guard bytes.count >= 8 else { throw SerdeError.wrongSize(serde: name, expected: 8, actual: bytes.count) }
                return ValueAndTimestamp(
                    value: try inner.deserialize(UnsafeRawBufferPointer(rebasing: bytes.dropFirst(8))),
                    timestamp: loadBigEndianInt64(bytes, at: 0))
            })
    }
}

extension WindowStore {
    /// When the store is behind the record cache, routes its flushed changes to `forward` as
    /// windowed changes and returns `true`: the processor must then not forward updates itself.
    func forwardFlushedChanges<Inner>(
        _ forward: @escaping (Record<Windowed<Key>, Change<Inner>>) throws -> Void
    ) -> Bool where Value == ValueAndTimestamp<Inner> {
        guard let caching = bytes as? CachingKeyValueBytesStore else { return false }
        let keySerde = keySerde
        let valueSerde = valueSerde
        let windowSize = windowSize
        caching.setFlushListener { key, newBytes, oldBytes, context in
            let windowed = try key.withUnsafeBytes { raw in
                Windowed(
                    key: try keySerde.deserialize(WindowKeySchema.recordKey(raw)),
                    window: TimeWindow.starting(at: WindowKeySchema.windowStart(raw), size: windowSize))
            }
            let newValue = try newBytes.map { try valueSerde.deserialize($0) }
            let oldValue = try oldBytes.map { try valueSerde.deserialize($0) }
            try forward(
                Record(
                    key: windowed, value: Change(newValue: newValue?.value, oldValue: oldValue?.value),
                    timestamp: newValue?.timestamp ?? context.timestamp, headers: context.headers))
        }
        return true
    }
}

extension SessionStore {
    /// When the store is behind the record cache, routes its flushed changes to `forward` (with
    /// the session end as timestamp, as Kafka Streams forwards sessions) and returns `true`: the
    /// processor must then not forward updates itself.
    func forwardFlushedChanges(_ forward: @escaping (Record<Windowed<Key>, Change<Value>>) throws -> Void) -> Bool {
        guard let caching = bytes as? CachingKeyValueBytesStore else { return false }
        let keySerde = keySerde
        let valueSerde = valueSerde
        caching.setFlushListener { key, newBytes, oldBytes, context in
            let session = try key.withUnsafeBytes { raw in
                Windowed(
                    key: try keySerde.deserialize(SessionKeySchema.recordKey(raw)),
                    window: TimeWindow(start: SessionKeySchema.sessionStart(raw), end: SessionKeySchema.sessionEnd(raw)))
            }
            try forward(
                Record(
                    key: session,
                    value: Change(
                        newValue: try newBytes.map { try valueSerde.deserialize($0) },
                        oldValue: try oldBytes.map { try valueSerde.deserialize($0) }),
                    timestamp: session.window.end, headers: context.headers))
        }
        return true
    }
}
