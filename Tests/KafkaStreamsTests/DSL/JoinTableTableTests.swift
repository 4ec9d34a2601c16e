import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Table-table joins: inner, left and outer, with tombstones on each side, result timestamps,
/// and the change propagation (new and old values) that keeps downstream aggregations correct.
@Suite struct JoinTableTableTests {
    enum Kind: CaseIterable { case inner, left, outer }
    enum Side { case left, right }

    /// One input record and what each kind of join outputs for it (through `toStream()`;
    /// `nil` is a tombstone).
    struct Step {
        let side: Side
        let key: Int32
        let value: String?
        let timestamp: Int64
        let inner: [Triple<Int32, String?>]
        let left: [Triple<Int32, String?>]
        let outer: [Triple<Int32, String?>]
    }

    static func out(_ key: Int32, _ value: String?, _ timestamp: Int64) -> [Triple<Int32, String?>] {
        [Triple(key: key, value: value, timestamp: timestamp)]
    }

    /// The interleaving of Kafka Streams' `KTableKTable*JoinTest`s, with the expected output of
    /// each join kind. Results get the larger timestamp of the two rows.
    static var steps: [Step] { [
        Step(side: .left, key: 0, value: "A0", timestamp: 5, inner: [], left: out(0, "A0+null", 5), outer: out(0, "A0+null", 5)),
        Step(side: .left, key: 1, value: "A1", timestamp: 6, inner: [], left: out(1, "A1+null", 6), outer: out(1, "A1+null", 6)),
        Step(side: .right, key: 0, value: "a0", timestamp: 10, inner: out(0, "A0+a0", 10), left: out(0, "A0+a0", 10), outer: out(0, "A0+a0", 10)),
        Step(side: .right, key: 1, value: "a1", timestamp: 3, inner: out(1, "A1+a1", 6), left: out(1, "A1+a1", 6), outer: out(1, "A1+a1", 6)),
        Step(side: .left, key: 0, value: "B0", timestamp: 7, inner: out(0, "B0+a0", 10), left: out(0, "B0+a0", 10), outer: out(0, "B0+a0", 10)),
        // Right tombstone: the inner row goes away; left and outer rows lose their right part.
        Step(side: .right, key: 0, value: nil, timestamp: 20, inner: out(0, nil, 20), left: out(0, "B0+null", 20), outer: out(0, "B0+null", 20)),
        // Left tombstone: nothing left of the row.
        Step(side: .left, key: 0, value: nil, timestamp: 21, inner: [], left: out(0, nil, 21), outer: out(0, nil, 21)),
        Step(side: .left, key: 2, value: "A2", timestamp: 22, inner: [], left: out(2, "A2+null", 22), outer: out(2, "A2+null", 22)),
        // A tombstone for a key the right table never had: an inner join forwards the delete.
        Step(side: .right, key: 2, value: nil, timestamp: 23, inner: out(2, nil, 23), left: out(2, "A2+null", 23), outer: out(2, "A2+null", 23)),
        // Rows only on the right: outer joins only.
        Step(side: .right, key: 3, value: "a3", timestamp: 30, inner: [], left: [], outer: out(3, "null+a3", 30)),
        Step(side: .right, key: 3, value: nil, timestamp: 31, inner: [], left: [], outer: out(3, nil, 31)),
        // Updates on either side update the row.
        Step(side: .right, key: 1, value: "b1", timestamp: 40, inner: out(1, "A1+b1", 40), left: out(1, "A1+b1", 40), outer: out(1, "A1+b1", 40)),
        Step(side: .left, key: 1, value: "C1", timestamp: 41, inner: out(1, "C1+b1", 41), left: out(1, "C1+b1", 41), outer: out(1, "C1+b1", 41)),
    ] }

    @Test(arguments: Kind.allCases)
    func joinOutputsForEachInterleaving(kind: Kind) throws {
        let builder = StreamsBuilder()
        let left = builder.table("left", consumed: .with(key: .int32, value: .string))
        let right = builder.table("right", consumed: .with(key: .int32, value: .string))
        let joined: KTable<Int32, String>
        switch kind {
        case .inner: joined = left.join(right) { "\($0)+\($1)" }
        case .left: joined = left.leftJoin(right) { "\($0)+\($1 ?? "null")" }
        case .outer: joined = left.outerJoin(right) { "\($0 ?? "null")+\($1 ?? "null")" }
        }
        joined.toStream().to("out", produced: .with(key: .int32, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let leftInput = driver.createInputTopic("left", key: .int32, value: .optional(.string))
        let rightInput = driver.createInputTopic("right", key: .int32, value: .optional(.string))
        let output = driver.createOutputTopic("out", key: .int32, value: .optional(.string))
        for (index, step) in Self.steps.enumerated() {
            let input = step.side == .left ? leftInput : rightInput
            try input.pipeInput(key: step.key, value: step.value, timestamp: step.timestamp)
            let expected = kind == .inner ? step.inner : kind == .left ? step.left : step.outer
            #expect(output.readTriples() == expected, "step \(index) of the \(kind) join")
        }
    }

    /// Old values travel with every change, so an aggregation of the join result subtracts
    /// what a row no longer contributes.
    @Test func downstreamAggregationsStayCorrect() throws {
        let builder = StreamsBuilder()
        let names = builder.table("names", consumed: .with(key: .string, value: .string))
        let regions = builder.table("regions", consumed: .with(key: .string, value: .string))
        names.join(regions) { name, region in "\(region):\(name)" }
            .groupBy(grouped: .with(key: .string, value: .string)) { _, value in
                (String(value.prefix(while: { $0 != ":" })), value)
            }
            .count(materialized: .as("per-region"))
        let driver = try TopologyTestDriver(topology: builder.build())
        let nameInput = driver.createInputTopic("names", key: .string, value: .optional(.string))
        let regionInput = driver.createInputTopic("regions", key: .string, value: .optional(.string))
        let counts = try driver.keyValueStore("per-region", key: .string, value: .int64)
        try nameInput.pipeInput(key: "alice", value: "Alice", timestamp: 0)
        try nameInput.pipeInput(key: "bob", value: "Bob", timestamp: 0)
        try regionInput.pipeInput(key: "alice", value: "EU", timestamp: 0)
        try regionInput.pipeInput(key: "bob", value: "EU", timestamp: 0)
        #expect(try counts.all() == [kv("EU", 2)])
        try regionInput.pipeInput(key: "alice", value: "US", timestamp: 1)  // moves alice
        #expect(try counts.all() == [kv("EU", 1), kv("US", 1)])
        try nameInput.pipeInput(key: "alice", value: nil, timestamp: 2)  // deletes alice's row
        #expect(try counts.all() == [kv("EU", 1), kv("US", 0)])
        try regionInput.pipeInput(key: "bob", value: nil, timestamp: 3)
        #expect(try counts.all() == [kv("EU", 0), kv("US", 0)])
    }

    @Test func materializedResultsCanBeQueried() throws {
        let builder = StreamsBuilder()
        let left = builder.table("left", consumed: .with(key: .string, value: .string))
        let right = builder.table("right", consumed: .with(key: .string, value: .int64))
        left.leftJoin(right, materialized: .as("joined", value: .string)) { name, score in "\(name)=\(score ?? 0)" }
        let driver = try TopologyTestDriver(topology: builder.build())
        let leftInput = driver.createInputTopic("left", key: .string, value: .optional(.string))
        let rightInput = driver.createInputTopic("right", key: .string, value: .optional(.int64))
        try leftInput.pipeInput(key: "a", value: "A", timestamp: 0)
        try leftInput.pipeInput(key: "b", value: "B", timestamp: 0)
        try rightInput.pipeInput(key: "b", value: 7, timestamp: 0)
        try rightInput.pipeInput(key: "c", value: 9, timestamp: 0)
        let store = try driver.keyValueStore("joined", key: .string, value: .string)
        #expect(try store.all() == [kv("a", "A=0"), kv("b", "B=7")])
        try leftInput.pipeInput(key: "a", value: nil, timestamp: 1)
        #expect(try store.all() == [kv("b", "B=7")])
    }

    /// A join result without a store is read by key through its inputs' stores (here by a
    /// stream-table join).
    @Test func anUnmaterializedJoinResultCanBeJoined() throws {
        let builder = StreamsBuilder()
        let names = builder.table("names", consumed: .with(key: .string, value: .string))
        let emails = builder.table("emails", consumed: .with(key: .string, value: .string))
        let profiles = names.outerJoin(emails) { name, email in "\(name ?? "?") <\(email ?? "?")>" }
        builder.stream("logins", consumed: .with(key: .string, value: .string))
            .join(profiles) { login, profile in "\(login): \(profile)" }
            .to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let nameInput = driver.createInputTopic("names", key: .string, value: .optional(.string))
        let emailInput = driver.createInputTopic("emails", key: .string, value: .optional(.string))
        let logins = driver.createInputTopic("logins", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        try nameInput.pipeInput(key: "a", value: "Alice", timestamp: 0)
        try emailInput.pipeInput(key: "b", value: "bob@x", timestamp: 0)
        for user in ["a", "b", "c"] { try logins.pipeInput(key: user, value: "login", timestamp: 1) }
        #expect(output.readValuesToList() == ["login: Alice <?>", "login: ? <bob@x>"])
    }

    @Test func processorsAndStoresAreNamedAsInKafkaStreams() throws {
        let builder = StreamsBuilder()
        let left = builder.table("left", consumed: .with(key: .string, value: .string))
        let right = builder.table("right", consumed: .with(key: .string, value: .string))
        left.join(right, materialized: .with(key: .string, value: .string)) { $0 + $1 }
            .toStream().to("out", produced: .with(key: .string, value: .string))
        left.leftJoin(right, named: "profiles") { $0 + ($1 ?? "") }
        let description = try builder.build().describe().description
        for name in [
            "KTABLE-MERGE-0000000007 (stores: [KTABLE-MERGE-STATE-STORE-0000000006])", "KTABLE-JOINTHIS-0000000008",
            "KTABLE-JOINOTHER-0000000009", "profiles-join-this", "profiles-join-other", "Processor: profiles (stores: [])",
        ] {
            #expect(description.contains(name), "\(name) missing in\n\(description)")
        }
    }

    @Test func differentlyPartitionedTablesCannotBeJoined() throws {
        let builder = StreamsBuilder()
        let left = builder.table("left", consumed: .with(key: .string, value: .string))
        let right = builder.table("right", consumed: .with(key: .string, value: .string))
        left.join(right) { $0 + $1 }.toStream().to("out", produced: .with(key: .string, value: .string))
        #expect(throws: TopologyError.self) {
            try TopologyTestDriver(topology: builder.build(), partitions: ["left": 1, "right": 2])
        }
    }
}
