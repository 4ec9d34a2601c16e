import Testing

@testable import KafkaStreams

/// The windowed aggregations' direct access to their store reads and writes exactly what the
/// typed window store does, on both engines.
@Suite struct TimestampedWindowUpdaterTests {
    static let minute: Int64 = 60_000

    private func makeStore<K>(
        _ engine: StoreEngine, _ directory: ScratchDirectory, key: Serde<K>
    ) throws -> TimestampedWindowStore<K, Int64> {
        try Stores.windowStoreBuilder(
            engine.windowStore("windows", retention: .seconds(600), windowSize: .seconds(60)),
            key: key, value: .valueAndTimestamp(Serde<Int64>.int64)
        ).build(directory: directory.path)
    }

    @Test(arguments: StoreEngine.allCases)
    func readsAndWritesWhatTheStoreDoes(_ engine: StoreEngine) throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(engine, directory, key: .string)
        defer { try? store.close() }
        let updater = TimestampedWindowUpdater(store: store, key: .string, aggregate: .int64)

        // Written through the updater: one key, two windows.
        try updater.setKey("a")
        updater.setWindow(start: 0)
        try updater.put(3, timestamp: 1_000)
        updater.setWindow(start: Self.minute)
        try updater.put(5, timestamp: 61_000)
        let first = try #require(try store.fetch("a", windowStart: 0))
        #expect(first.value == 3 && first.timestamp == 1_000)
        let second = try #require(try store.fetch("a", windowStart: Self.minute))
        #expect(second.value == 5 && second.timestamp == 61_000)
        #expect(try store.fetch("a", timeFrom: 0, timeTo: .max).map(\.key) == [0, Self.minute])

        // Written through the store, read through the updater.
        try store.put("b", ValueAndTimestamp(value: 7, timestamp: 2_000), windowStart: 0)
        try updater.setKey("b")
        updater.setWindow(start: 0)
        var timestamp: Int64 = -1
        #expect(try updater.lookup(timestamp: &timestamp) == 7)
        #expect(timestamp == 2_000)

        // A missing window reads as nil and leaves the timestamp alone.
        updater.setWindow(start: 2 * Self.minute)
        timestamp = 42
        #expect(try updater.lookup(timestamp: &timestamp) == nil)
        #expect(timestamp == 42)

        // An update overwrites: the store sees the latest.
        try updater.setKey("a")
        updater.setWindow(start: 0)
        try updater.put(4, timestamp: 1_500)
        #expect(try store.fetch("a", windowStart: 0)?.value == 4)
    }

    @Test func anAggregateThatSerializesToNullDeletesTheWindow() throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try Stores.windowStoreBuilder(
            StoreEngine.inMemory.windowStore("windows", retention: .seconds(600), windowSize: .seconds(60)),
            key: Serde<String>.string, value: .valueAndTimestamp(Serde<Int64?>.optional(.int64))
        ).build(directory: directory.path)
        defer { try? store.close() }
        let updater = TimestampedWindowUpdater(store: store, key: .string, aggregate: .optional(.int64))
        try updater.setKey("a")
        updater.setWindow(start: 0)
        try updater.put(1, timestamp: 10)
        #expect(try store.fetch("a", windowStart: 0)?.value == 1)
        try updater.put(nil, timestamp: 20)
        #expect(try store.fetch("a", windowStart: 0) == nil)
    }

    @Test func aNullKeyIsATypedError() throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(.inMemory, directory, key: .optional(Serde<String>.string))
        defer { try? store.close() }
        let updater = TimestampedWindowUpdater(store: store, key: .optional(.string), aggregate: .int64)
        #expect {
            try updater.setKey(nil)
        } throws: { error in
            guard case StreamsError.nullKey(let name) = error else { return false }
            return name == "windows"
        }
    }

    @Test func aStoredValueTooShortForItsTimestampIsASerdeError() throws {
        let directory = ScratchDirectory()
        defer { directory.remove() }
        let store = try makeStore(.inMemory, directory, key: .string)
        defer { try? store.close() }
        try store.bytes.put(WindowKeySchema.storeKey(Array("a".utf8), windowStart: 0, sequenceNumber: 0), [1, 2, 3])
        let updater = TimestampedWindowUpdater(store: store, key: .string, aggregate: .int64)
        try updater.setKey("a")
        updater.setWindow(start: 0)
        var timestamp: Int64 = 0
        #expect(throws: SerdeError.wrongSize(serde: "timestamped(int64)", expected: 8, actual: 3)) {
            try updater.lookup(timestamp: &timestamp)
        }
    }
}
