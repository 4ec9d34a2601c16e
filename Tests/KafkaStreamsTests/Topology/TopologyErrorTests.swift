import KafkaStreams
import KafkaStreamsTesting
import Testing

/// Bad topologies are `TopologyError`s that name the node, store or topic at fault: thrown by
/// the low-level builder as it is called, by `StreamsBuilder.build()`, or when a driver (or the
/// runtime) is given the topology.
@Suite struct TopologyErrorTests {
    private func source(_ topology: Topology, _ name: String = "src", topic: String = "in") throws {
        try topology.addSource(name, topics: [topic], key: .string, value: .string)
    }

    private static let countsStore = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore("counts"), key: .string, value: .int64)

    // MARK: Stores

    @Test func processorUsingAnUnknownStore() throws {
        let topology = Topology()
        try source(topology)
        try topology.addProcessor("p", parents: ["src"], stores: ["nope"]) { context in Identity<String, String>(context: context) }
        #expect(throws: TopologyError.unknownStore(node: "p", store: "nope")) {
            _ = try TopologyTestDriver(topology: topology)
        }
        // describe() still works on an invalid topology.
        #expect(topology.describe().description.contains("Processor: p (stores: [nope])"))
    }

    @Test func connectingAnUnknownStore() throws {
        let topology = Topology()
        try source(topology)
        try topology.addProcessor("p", parents: ["src"]) { context in Identity<String, String>(context: context) }
        #expect(throws: TopologyError.unknownStore(node: "p", store: "nope")) {
            try topology.connectProcessorAndStateStores("p", stores: ["nope"])
        }
    }

    @Test func connectingAStoreToAnUnknownProcessor() throws {
        let topology = Topology()
        try source(topology)
        #expect {
            try topology.addStateStore(Self.countsStore, processors: ["ghost"])
        } throws: { error in
            (error as? TopologyError)?.description.contains("ghost") == true
        }
    }

    @Test func dslProcessorUsingAnUnknownStore() throws {
        let builder = StreamsBuilder()
        _ = builder.stream("in", consumed: .with(key: .string, value: .string))
            .process(named: "p", stores: ["nope"]) { context in Identity<String, String>(context: context) }
        #expect(throws: TopologyError.unknownStore(node: "p", store: "nope")) { try builder.build() }
    }

    @Test func storeConnectedToNoProcessor() throws {
        let topology = Topology()
        try source(topology)
        try topology.addSink("sink", topic: "out", key: .string, value: .string, parents: ["src"])
        try topology.addStateStore(Self.countsStore)
        #expect(throws: TopologyError.storeNotConnected(store: "counts")) {
            _ = try TopologyTestDriver(topology: topology)
        }
    }

    @Test func dslStoreUsedByNoProcessor() throws {
        let builder = StreamsBuilder()
        builder.addStateStore(Self.countsStore)
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .to("out", produced: .with(key: .string, value: .string))
        #expect(throws: TopologyError.storeNotConnected(store: "counts")) { try builder.build() }
    }

    // MARK: Names

    @Test func duplicateProcessorNames() throws {
        let topology = Topology()
        try source(topology)
        try topology.addProcessor("p", parents: ["src"]) { context in Identity<String, String>(context: context) }
        #expect(throws: TopologyError.duplicateName("p")) {
            try topology.addProcessor("p", parents: ["src"]) { context in Identity<String, String>(context: context) }
        }
        #expect(throws: TopologyError.duplicateName("src")) {
            try topology.addSink("src", topic: "out", key: .string, value: .string, parents: ["p"])
        }
    }

    @Test func duplicateStoreNames() throws {
        let topology = Topology()
        try source(topology)
        try topology.addProcessor("p", parents: ["src"]) { context in Identity<String, String>(context: context) }
        try topology.addStateStore(Self.countsStore, processors: ["p"])
        #expect(throws: TopologyError.duplicateName("counts")) {
            try topology.addStateStore(Self.countsStore, processors: ["p"])
        }
    }

    @Test func duplicateNamesInTheDSL() throws {
        let builder = StreamsBuilder()
        let stream = builder.stream("in", consumed: .with(key: .string, value: .string))
        stream.filter(named: "keep") { _, _ in true }.to("a", produced: .with(key: .string, value: .string))
        stream.filter(named: "keep") { _, _ in false }.to("b", produced: .with(key: .string, value: .string))
        #expect(throws: TopologyError.duplicateName("keep")) { try builder.build() }
    }

    @Test func duplicateStoreNamesInTheDSL() throws {
        let builder = StreamsBuilder()
        let grouped = builder.stream("in", consumed: .with(key: .string, value: .string)).groupByKey()
        grouped.count(materialized: .as("counts"))
        grouped.count(materialized: .as("counts"))
        #expect(throws: TopologyError.duplicateName("counts")) { try builder.build() }
    }

    @Test func aTopicReadByTwoSources() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string)).to("a", produced: .with(key: .string, value: .string))
        builder.stream("in", consumed: .with(key: .string, value: .string)).to("b", produced: .with(key: .string, value: .string))
        #expect {
            try builder.build()
        } throws: { error in
            guard case .invalidTopology(let message) = error as? TopologyError else { return false }
            return message.contains("in") && message.contains("KSTREAM-SOURCE-0000000000")
                && message.contains("KSTREAM-SOURCE-0000000002")
        }
    }

    // MARK: Parents and sources

    @Test func sinkWithAnUnknownParent() throws {
        let topology = Topology()
        try source(topology)
        #expect(throws: TopologyError.unknownParent(node: "sink", parent: "missing")) {
            try topology.addSink("sink", topic: "out", key: .string, value: .string, parents: ["missing"])
        }
    }

    @Test func processorWithAnUnknownParent() throws {
        let topology = Topology()
        #expect(throws: TopologyError.unknownParent(node: "p", parent: "src")) {
            try topology.addProcessor("p", parents: ["src"]) { context in Identity<String, String>(context: context) }
        }
    }

    @Test func sinkWithoutSource() throws {
        let topology = Topology()
        #expect {
            try topology.addSink("lonely-sink", topic: "out", key: .string, value: .string, parents: [])
        } throws: { error in
            (error as? TopologyError)?.description.contains("lonely-sink") == true
        }
    }

    @Test func processorWithoutParent() throws {
        let topology = Topology()
        #expect {
            try topology.addProcessor("orphan", parents: []) { context in Identity<String, String>(context: context) }
        } throws: { error in
            (error as? TopologyError)?.description.contains("orphan") == true
        }
    }

    @Test func sourceWithoutTopics() throws {
        let topology = Topology()
        #expect {
            try topology.addSource("empty", topics: [], key: .string, value: .string)
        } throws: { error in
            (error as? TopologyError)?.description.contains("empty") == true
        }
    }

    @Test func nodeAfterASink() throws {
        let topology = Topology()
        try source(topology)
        try topology.addSink("sink", topic: "out", key: .string, value: .string, parents: ["src"])
        try topology.addSink("after", topic: "out2", key: .string, value: .string, parents: ["sink"])
        #expect {
            _ = try TopologyTestDriver(topology: topology)
        } throws: { error in
            guard let error = error as? TopologyError else { return false }
            return error.description.contains("after") && error.description.contains("sink")
        }
    }

    @Test func emptyTopology() throws {
        #expect(throws: TopologyError.self) { _ = try TopologyTestDriver(topology: Topology()) }
        #expect(throws: TopologyError.self) { try StreamsBuilder().build() }
    }

    // MARK: Types

    @Test func processorTypeMismatchInTheLowLevelAPI() throws {
        struct TakesInt64: Processor {
            init(context: ProcessorContext<String, Int64>) {}
            func process(_ record: Record<String, Int64>) throws {}
        }
        let topology = Topology()
        try source(topology)
        try topology.addProcessor("numbers", TakesInt64.self, parents: ["src"])
        #expect(
            throws: TopologyError.typeMismatch(
                node: "numbers", parent: "src", expected: "Record<String, Int64>", actual: "Record<String, String>")
        ) {
            _ = try TopologyTestDriver(topology: topology)
        }
    }

    @Test func sinkTypeMismatchInTheLowLevelAPI() throws {
        let topology = Topology()
        try source(topology)
        try topology.addSink("sink", topic: "out", key: .string, value: .int64, parents: ["src"])
        #expect(
            throws: TopologyError.typeMismatch(
                node: "sink", parent: "src", expected: "Record<String, Int64>", actual: "Record<String, String>")
        ) {
            _ = try TopologyTestDriver(topology: topology)
        }
    }

    @Test func missingSerdeNamesTheNode() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .mapValues { Plain(n: $0.count) }
            .groupByKey()
            .count(materialized: .as("counts"))
        // The key is fine; the value must cross no topic, so no serde is needed: this builds.
        _ = try builder.build()

        let failing = StreamsBuilder()
        failing.stream("in", consumed: .with(key: .string, value: .string))
            .selectKey { _, value in value }
            .mapValues { Plain(n: $0.count) }
            .groupByKey()
            .count(materialized: .as("counts"))
        // Now the values go through a repartition topic and need a serde.
        #expect {
            try failing.build()
        } throws: { error in
            guard case .missingSerde(let node, let type) = error as? TopologyError else { return false }
            return type == "Plain" && !node.isEmpty
        }
    }

    @Test func errorsDescribeThemselves() {
        let cases: [(TopologyError, [String])] = [
            (.duplicateName("x"), ["x"]),
            (.unknownParent(node: "n", parent: "p"), ["n", "p"]),
            (.unknownStore(node: "n", store: "s"), ["n", "s"]),
            (.storeNotConnected(store: "s"), ["s"]),
            (.noSource(node: "n"), ["n"]),
            (.typeMismatch(node: "n", parent: "p", expected: "E", actual: "A"), ["n", "p", "E", "A"]),
            (.missingSerde(node: "n", type: "T"), ["n", "T"]),
        ]
        for (error, words) in cases {
            for word in words { #expect(error.description.contains(word), "\(error)") }
        }
    }
}
