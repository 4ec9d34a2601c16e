import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Stream-table joins: the table is looked up when the stream record is processed; table
/// updates produce nothing; tombstones; null keys and values; repartitioning and
/// co-partitioning.
@Suite struct JoinStreamTableTests {
    struct Harness {
        let driver: TopologyTestDriver
        let stream: TestInputTopic<String, String>
        let table: TestInputTopic<String, String?>
        let output: TestOutputTopic<String, String>

        init(leftJoin: Bool) throws {
            let builder = StreamsBuilder()
            let views = builder.stream("views", consumed: .with(key: .string, value: .string))
            let users = builder.table("users", consumed: .with(key: .string, value: .string), materialized: .as("users"))
            let joined =
                leftJoin
                ? views.leftJoin(users) { view, user in "\(view)@\(user ?? "null")" }
                : views.join(users) { view, user in "\(view)@\(user)" }
            joined.to("out", produced: .with(key: .string, value: .string))
            driver = try TopologyTestDriver(topology: builder.build())
            stream = driver.createInputTopic("views", key: .string, value: .string)
            table = driver.createInputTopic("users", key: .string, value: .optional(.string))
            output = driver.createOutputTopic("out", key: .string, value: .string)
        }
    }

    /// The interleaving of Kafka Streams' `KStreamKTableJoinTest`, as a table: each step and the
    /// outputs it produces, for the inner and the left join.
    @Test func streamRecordsJoinTheTableAsItIsWhenTheyArrive() throws {
        enum Step {
            case stream(String, String, Int64)
            case table(String, String?, Int64)
        }
        let steps: [(step: Step, inner: [Triple<String, String>], left: [Triple<String, String>])] = [
            (.stream("alice", "v1", 10), [], [Triple(key: "alice", value: "v1@null", timestamp: 10)]),
            (.table("alice", "Alice", 5), [], []),  // table updates produce nothing
            (.stream("alice", "v2", 20), [Triple(key: "alice", value: "v2@Alice", timestamp: 20)],
             [Triple(key: "alice", value: "v2@Alice", timestamp: 20)]),
            (.stream("bob", "v3", 21), [], [Triple(key: "bob", value: "v3@null", timestamp: 21)]),
            (.table("alice", "Alice2", 30), [], []),
            (.stream("alice", "v4", 15), [Triple(key: "alice", value: "v4@Alice2", timestamp: 15)],
             [Triple(key: "alice", value: "v4@Alice2", timestamp: 15)]),  // out of order: latest value
            (.table("alice", nil, 40), [], []),  // tombstone
            (.stream("alice", "v5", 50), [], [Triple(key: "alice", value: "v5@null", timestamp: 50)]),
        ]
        for leftJoin in [false, true] {
            let h = try Harness(leftJoin: leftJoin)
            for (index, row) in steps.enumerated() {
                switch row.step {
                case .stream(let key, let value, let time): try h.stream.pipeInput(key: key, value: value, timestamp: time)
                case .table(let key, let value, let time): try h.table.pipeInput(key: key, value: value, timestamp: time)
                }
                #expect(h.output.readTriples() == (leftJoin ? row.left : row.inner), "step \(index), left join: \(leftJoin)")
            }
        }
    }

    @Test func nullKeysAndValues() throws {
        for leftJoin in [false, true] {
            let builder = StreamsBuilder()
            let views = builder.stream("views", consumed: .with(key: .optional(.string), value: .optional(.string)))
            let users = builder.table("users", consumed: .with(key: .optional(.string), value: .string))
            let joined =
                leftJoin
                ? views.leftJoin(users) { view, user in "\(view ?? "-")@\(user ?? "null")" }
                : views.join(users) { view, user in "\(view ?? "-")@\(user)" }
            joined.to("out", produced: .with(key: .optional(.string), value: .string))
            let driver = try TopologyTestDriver(topology: builder.build())
            let stream = driver.createInputTopic("views", key: .optional(.string), value: .optional(.string))
            let output = driver.createOutputTopic("out", key: .optional(.string), value: .string)
            try stream.pipeInput(key: nil, value: "v", timestamp: 0)
            try stream.pipeInput(key: "alice", value: nil, timestamp: 0)
            // A left join keeps a record without key (KIP-962); an inner join drops it. Both drop
            // records without value.
            #expect(output.readKeyValuesToList() == (leftJoin ? [kv(String?.none, "v@null")] : []))
            #expect(driver.droppedRecordsCount == (leftJoin ? 1 : 2))
        }
    }

    @Test func joinsAFilteredTableThroughItsParentsStore() throws {
        let builder = StreamsBuilder()
        let views = builder.stream("views", consumed: .with(key: .string, value: .string))
        let users = builder.table("users", consumed: .with(key: .string, value: .string), materialized: .as("users"))
            .filter { _, name in name.hasPrefix("A") }
            .mapValues { $0.uppercased() }
        views.leftJoin(users) { view, user in "\(view)@\(user ?? "null")" }
            .to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let stream = driver.createInputTopic("views", key: .string, value: .string)
        let table = driver.createInputTopic("users", key: .string, value: .optional(.string))
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        try table.pipeInput(key: "a", value: "Alice", timestamp: 0)
        try table.pipeInput(key: "b", value: "Bob", timestamp: 0)
        try stream.pipeInput(key: "a", value: "v1", timestamp: 1)
        try stream.pipeInput(key: "b", value: "v2", timestamp: 1)
        #expect(output.readValuesToList() == ["v1@ALICE", "v2@null"])
    }

    @Test func aStreamWithChangedKeysIsRepartitionedBeforeTheJoin() throws {
        let builder = StreamsBuilder()
        let views = builder.stream("views", consumed: .with(key: .string, value: .string))
            .selectKey { _, value in String(value.prefix(while: { $0 != ":" })) }
        let users = builder.table("users", consumed: .with(key: .string, value: .string))
        views.join(users, joined: .as("enrich")) { view, user in "\(view)@\(user)" }
            .to("out", produced: .with(key: .string, value: .string))
        let topology = try builder.build()
        #expect(topology.describe().description.contains("enrich-repartition"))
        let driver = try TopologyTestDriver(topology: topology, partitions: ["views": 4, "users": 2])
        let stream = driver.createInputTopic("views", key: .string, value: .string)
        let table = driver.createInputTopic("users", key: .string, value: .optional(.string))
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        let repartition = driver.createOutputTopic(driver.internalTopicName("enrich-repartition"), key: .string, value: .string)
        for user in ["alice", "bob", "carol", "dave"] { try table.pipeInput(key: user, value: user.capitalized, timestamp: 0) }
        for (index, user) in ["alice", "bob", "carol", "dave", "erin"].enumerated() {
            try stream.pipeInput(key: "view-\(index)", value: "\(user):/page", timestamp: 1)
        }
        #expect(
            output.readKeyValuesToMap()
                == ["alice": "alice:/page@Alice", "bob": "bob:/page@Bob", "carol": "carol:/page@Carol", "dave": "dave:/page@Dave"])
        // The repartition topic is co-partitioned with the table: 2 partitions, not the stream's 4.
        #expect(Set(repartition.readRecordsToList().map(\.partition)) == [0, 1])
    }

    @Test func differentlyPartitionedInputsCannotBeJoinedAndTheErrorNamesBothTopics() throws {
        let builder = StreamsBuilder()
        let views = builder.stream("views", consumed: .with(key: .string, value: .string))
        let users = builder.table("users", consumed: .with(key: .string, value: .string))
        views.join(users) { view, user in "\(view)@\(user)" }.to("out", produced: .with(key: .string, value: .string))
        let topology = try builder.build()
        #expect {
            _ = try TopologyTestDriver(topology: topology, partitions: ["views": 4, "users": 2])
        } throws: { error in
            guard case TopologyError.copartitioning(let message) = error else { return false }
            return message.contains("views") && message.contains("users")
        }
        // The same partition counts are fine.
        _ = try TopologyTestDriver(topology: topology, partitions: ["views": 3, "users": 3])
    }

    @Test func theJoinRunsInTheTasksOfBothInputsPartitions() throws {
        let builder = StreamsBuilder()
        let views = builder.stream("views", consumed: .with(key: .string, value: .string))
        let users = builder.table("users", consumed: .with(key: .string, value: .string))
        views.join(users) { view, user in "\(view)@\(user)" }.to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["views": 3, "users": 3])
        let stream = driver.createInputTopic("views", key: .string, value: .string)
        let table = driver.createInputTopic("users", key: .string, value: .optional(.string))
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        let users10 = (0..<10).map { "user-\($0)" }
        for user in users10 { try table.pipeInput(key: user, value: user.uppercased(), timestamp: 0) }
        for user in users10 { try stream.pipeInput(key: user, value: "view", timestamp: 1) }
        #expect(output.readKeyValuesToMap() == Dictionary(uniqueKeysWithValues: users10.map { ($0, "view@\($0.uppercased())") }))
    }

    @Test func joinNamesTheProcessorAsKafkaStreamsDoes() throws {
        let builder = StreamsBuilder()
        let views = builder.stream("views", consumed: .with(key: .string, value: .string))
        let users = builder.table("users", consumed: .with(key: .string, value: .string))
        views.join(users) { view, user in view + user }.to("a", produced: .with(key: .string, value: .string))
        views.leftJoin(users) { view, user in view + (user ?? "") }.to("b", produced: .with(key: .string, value: .string))
        let description = try builder.build().describe().description
        #expect(description.contains("KSTREAM-JOIN-0000000004 (stores: [users-STATE-STORE-0000000001])"))
        #expect(description.contains("KSTREAM-LEFTJOIN-0000000006 (stores: [users-STATE-STORE-0000000001])"))
    }
}
