import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Querying the session store of a session aggregation, over several tasks, on both engines.
@Suite struct ReadOnlySessionStoreTests {
    static let storeTypes: [Materialized<String, Int64>.StoreType] = [.inMemory, .persistent]

    @Test(arguments: storeTypes)
    func findsSessionsByKeyRangeAndTime(storeType: Materialized<String, Int64>.StoreType) throws {
        let builder = StreamsBuilder()
        let table = builder.stream("clicks", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(.seconds(10), .seconds(60)))
            .count(materialized: .as("sessions", storeType: storeType))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["clicks": 2])
        defer { try? driver.close() }
        let input = driver.createInputTopic("clicks", key: .string, value: .string)
        // alice: a session 0...5 s (two clicks), then another at 30 s; bob: one at 2 s.
        for (user, time) in [("alice", 0), ("alice", 5_000), ("bob", 2_000), ("alice", 30_000)] {
            try input.pipeInput(key: user, value: "click", timestamp: Int64(time))
        }
        #expect(table.queryableStoreName == "sessions")
        let store = try driver.sessionStore("sessions", key: .string, value: .int64)
        #expect(store.name == "sessions")

        let aliceFirst = KeyValue(Windowed(key: "alice", start: 0, end: 5_000), Int64(2))
        let aliceSecond = KeyValue(Windowed(key: "alice", start: 30_000, end: 30_000), Int64(1))
        let bob = KeyValue(Windowed(key: "bob", start: 2_000, end: 2_000), Int64(1))
        #expect(try store.fetch("alice") == [aliceFirst, aliceSecond])
        #expect(try store.backwardFetch("alice") == [aliceSecond, aliceFirst])
        #expect(try store.fetch(keyFrom: nil, keyTo: nil) == [aliceFirst, aliceSecond, bob])
        #expect(try store.backwardFetch(keyFrom: "b", keyTo: nil) == [bob])
        #expect(try store.fetchSession("alice", sessionStart: 0, sessionEnd: 5_000) == 2)
        #expect(try store.fetchSession("alice", sessionStart: 0, sessionEnd: 4_000) == nil)
        #expect(try store.fetchSession("carol", sessionStart: 0, sessionEnd: 0) == nil)
        // Sessions that end at or after 6 s and start at or before 40 s.
        #expect(try store.findSessions("alice", earliestSessionEndTime: 6_000, latestSessionStartTime: 40_000) == [aliceSecond])
        #expect(
            try store.findSessions(keyFrom: "a", keyTo: "z", earliestSessionEndTime: 2_000, latestSessionStartTime: 2_000)
                == [aliceFirst, bob])
        #expect(throws: StreamsError.self) { _ = try driver.windowStore("sessions", key: .string, value: .int64) }
    }
}
