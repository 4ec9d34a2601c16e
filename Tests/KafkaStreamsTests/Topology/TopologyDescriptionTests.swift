import KafkaStreams
import KafkaStreamsTesting
import Testing

/// `describe()`: the text of Kafka Streams' `TopologyDescription`, node names generated as Kafka
/// generates them.
@Suite struct TopologyDescriptionTests {
    /// Kafka's own word-count tutorial topology, printed exactly as Kafka Streams prints it.
    @Test func wordCountMatchesKafkaStreams() throws {
        let builder = StreamsBuilder()
        builder.stream("streams-plaintext-input", consumed: .with(key: .optional(.string), value: .string))
            .flatMapValues { $0.lowercased().split(separator: " ").map(String.init) }
            .groupBy(grouped: .with(key: .string, value: .string)) { _, word in word }
            .count(materialized: .as("counts-store"))
            .toStream()
            .to("streams-wordcount-output", produced: .with(key: .string, value: .int64))
        let expected = """
            Topologies:
               Sub-topology: 0
                Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])
                  --> KSTREAM-FLATMAPVALUES-0000000001
                Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])
                  --> KSTREAM-KEY-SELECT-0000000002
                  <-- KSTREAM-SOURCE-0000000000
                Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])
                  --> counts-store-repartition-filter
                  <-- KSTREAM-FLATMAPVALUES-0000000001
                Processor: counts-store-repartition-filter (stores: [])
                  --> counts-store-repartition-sink
                  <-- KSTREAM-KEY-SELECT-0000000002
                Sink: counts-store-repartition-sink (topic: counts-store-repartition)
                  <-- counts-store-repartition-filter

              Sub-topology: 1
                Source: counts-store-repartition-source (topics: [counts-store-repartition])
                  --> KSTREAM-AGGREGATE-0000000003
                Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts-store])
                  --> KTABLE-TOSTREAM-0000000007
                  <-- counts-store-repartition-source
                Processor: KTABLE-TOSTREAM-0000000007 (stores: [])
                  --> KSTREAM-SINK-0000000008
                  <-- KSTREAM-AGGREGATE-0000000003
                Sink: KSTREAM-SINK-0000000008 (topic: streams-wordcount-output)
                  <-- KTABLE-TOSTREAM-0000000007


            """
        #expect(try builder.build().describe().description == expected)
    }

    @Test func generatedStoreNameGivesGeneratedRepartitionNodeNames() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .selectKey { _, value in value }
            .groupByKey()
            .count()
        // Store 2, processor 3; the repartition topic is named after the generated store, so
        // its nodes keep generated names: sink 4, filter 5, source 6.
        let expected = """
            Topologies:
               Sub-topology: 0
                Source: KSTREAM-SOURCE-0000000000 (topics: [in])
                  --> KSTREAM-KEY-SELECT-0000000001
                Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])
                  --> KSTREAM-FILTER-0000000005
                  <-- KSTREAM-SOURCE-0000000000
                Processor: KSTREAM-FILTER-0000000005 (stores: [])
                  --> KSTREAM-SINK-0000000004
                  <-- KSTREAM-KEY-SELECT-0000000001
                Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition)
                  <-- KSTREAM-FILTER-0000000005

              Sub-topology: 1
                Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition])
                  --> KSTREAM-AGGREGATE-0000000003
                Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])
                  --> none
                  <-- KSTREAM-SOURCE-0000000006


            """
        #expect(try builder.build().describe().description == expected)
    }

    @Test func processorAPITopology() throws {
        let topology = Topology()
        try topology.addSource("Source", topics: ["source-topic"], key: .string, value: .string)
        try topology.addProcessor("Process", parents: ["Source"]) { context in CountingProcessor(context: context) }
        try topology.addStateStore(
            Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("Counts"), key: .string, value: .int64),
            processors: ["Process"])
        try topology.addSink("Sink", topic: "sink-topic", key: .string, value: .int64, parents: ["Process"])
        let expected = """
            Topologies:
               Sub-topology: 0
                Source: Source (topics: [source-topic])
                  --> Process
                Processor: Process (stores: [Counts])
                  --> Sink
                  <-- Source
                Sink: Sink (topic: sink-topic)
                  <-- Process


            """
        #expect(topology.describe().description == expected)
    }

    @Test func nodesAreOrderedByTheSizeOfWhatFollowsThemThenByName() throws {
        let topology = Topology()
        try topology.addSource("src", topics: ["in"], key: .string, value: .string)
        try topology.addSink("a-sink", topic: "a", key: .string, value: .string, parents: ["src"])
        try topology.addProcessor("z-filter", parents: ["src"]) { context in Identity<String, String>(context: context) }
        try topology.addProcessor("z-map", parents: ["z-filter"]) { context in Identity<String, String>(context: context) }
        try topology.addSink("z-sink", topic: "z", key: .string, value: .string, parents: ["z-map"])
        try topology.addProcessor("b-leaf", parents: ["src"]) { context in Identity<String, String>(context: context) }
        let expected = """
            Topologies:
               Sub-topology: 0
                Source: src (topics: [in])
                  --> z-filter, a-sink, b-leaf
                Processor: z-filter (stores: [])
                  --> z-map
                  <-- src
                Processor: z-map (stores: [])
                  --> z-sink
                  <-- z-filter
                Sink: a-sink (topic: a)
                  <-- src
                Processor: b-leaf (stores: [])
                  --> none
                  <-- src
                Sink: z-sink (topic: z)
                  <-- z-map


            """
        #expect(topology.describe().description == expected)
    }

    @Test func mergeListsBothPredecessors() throws {
        let builder = StreamsBuilder()
        let a = builder.stream("a", consumed: .with(key: .string, value: .string))
        let b = builder.stream("b", consumed: .with(key: .string, value: .string))
        a.merge(b).to("out", produced: .with(key: .string, value: .string))
        let expected = """
            Topologies:
               Sub-topology: 0
                Source: KSTREAM-SOURCE-0000000000 (topics: [a])
                  --> KSTREAM-MERGE-0000000002
                Source: KSTREAM-SOURCE-0000000001 (topics: [b])
                  --> KSTREAM-MERGE-0000000002
                Processor: KSTREAM-MERGE-0000000002 (stores: [])
                  --> KSTREAM-SINK-0000000003
                  <-- KSTREAM-SOURCE-0000000000, KSTREAM-SOURCE-0000000001
                Sink: KSTREAM-SINK-0000000003 (topic: out)
                  <-- KSTREAM-MERGE-0000000002


            """
        #expect(try builder.build().describe().description == expected)
    }

    @Test func sourceOfSeveralTopics() throws {
        let builder = StreamsBuilder()
        builder.stream(["t1", "t2"], consumed: .with(key: .string, value: .string))
            .to("out", produced: .with(key: .string, value: .string))
        let description = try builder.build().describe().description
        #expect(description.contains("    Source: KSTREAM-SOURCE-0000000000 (topics: [t1, t2])\n"))
    }

    @Test func splitBranchesAreNamedProcessors() throws {
        let builder = StreamsBuilder()
        let branches = builder.stream("in", consumed: .with(key: .string, value: .int64))
            .split(named: "split-")
            .branch(named: "small") { _, value in value < 10 }
            .defaultBranch()
        branches["split-small"]?.to("small", produced: .with(key: .string, value: .int64))
        branches["split-0"]?.to("other", produced: .with(key: .string, value: .int64))
        let expected = """
            Topologies:
               Sub-topology: 0
                Source: KSTREAM-SOURCE-0000000000 (topics: [in])
                  --> split-
                Processor: split- (stores: [])
                  --> split-0, split-small
                  <-- KSTREAM-SOURCE-0000000000
                Processor: split-0 (stores: [])
                  --> KSTREAM-SINK-0000000002
                  <-- split-
                Processor: split-small (stores: [])
                  --> KSTREAM-SINK-0000000001
                  <-- split-
                Sink: KSTREAM-SINK-0000000001 (topic: small)
                  <-- split-small
                Sink: KSTREAM-SINK-0000000002 (topic: other)
                  <-- split-0


            """
        #expect(try builder.build().describe().description == expected)
    }

    @Test func tableRegroupingMatchesKafkaStreams() throws {
        let builder = StreamsBuilder()
        builder.table(
            "user-regions", consumed: .with(key: .string, value: .string), materialized: .as("user-regions-store")
        )
        .groupBy(grouped: .with(key: .string, value: .string)) { user, region in (region, user) }
        .count(materialized: .as("region-counts"))
        .toStream()
        .to("region-counts-out", produced: .with(key: .string, value: .int64))
        // Kafka's KGroupedTable names the store, then the repartition sink and source, then the
        // aggregate; there is no null-key filter before a table's repartition topic.
        let expected = """
            Topologies:
               Sub-topology: 0
                Source: KSTREAM-SOURCE-0000000000 (topics: [user-regions])
                  --> KTABLE-SOURCE-0000000001
                Processor: KTABLE-SOURCE-0000000001 (stores: [user-regions-store])
                  --> KTABLE-SELECT-0000000002
                  <-- KSTREAM-SOURCE-0000000000
                Processor: KTABLE-SELECT-0000000002 (stores: [])
                  --> KSTREAM-SINK-0000000003
                  <-- KTABLE-SOURCE-0000000001
                Sink: KSTREAM-SINK-0000000003 (topic: region-counts-repartition)
                  <-- KTABLE-SELECT-0000000002

              Sub-topology: 1
                Source: KSTREAM-SOURCE-0000000004 (topics: [region-counts-repartition])
                  --> KTABLE-AGGREGATE-0000000005
                Processor: KTABLE-AGGREGATE-0000000005 (stores: [region-counts])
                  --> KTABLE-TOSTREAM-0000000006
                  <-- KSTREAM-SOURCE-0000000004
                Processor: KTABLE-TOSTREAM-0000000006 (stores: [])
                  --> KSTREAM-SINK-0000000007
                  <-- KTABLE-AGGREGATE-0000000005
                Sink: KSTREAM-SINK-0000000007 (topic: region-counts-out)
                  <-- KTABLE-TOSTREAM-0000000006


            """
        #expect(try builder.build().describe().description == expected)
    }

    @Test func groupedNameNamesTheTableSelectProcessorAndTopic() throws {
        let builder = StreamsBuilder()
        builder.table("t", consumed: .with(key: .string, value: .string), materialized: .as("t-store"))
            .groupBy(grouped: .with(name: "by-value", key: .string, value: .string)) { key, value in (value, key) }
            .count(named: "count-by-value", materialized: .as("value-counts"))
        let description = try builder.build().describe()
        let names = description.subtopologies.flatMap(\.nodes).map(\.name)
        #expect(
            names == [
                "KSTREAM-SOURCE-0000000000", "KTABLE-SOURCE-0000000001", "by-value", "count-by-value-sink",
                "count-by-value-source", "count-by-value",
            ])
        #expect(description.description.contains("Sink: count-by-value-sink (topic: by-value-repartition)"))
    }

    @Test func namedRepartition() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .repartition(.as("r"))
            .to("out", produced: .with(key: .string, value: .string))
        let expected = """
            Topologies:
               Sub-topology: 0
                Source: KSTREAM-SOURCE-0000000000 (topics: [in])
                  --> r-repartition-filter
                Processor: r-repartition-filter (stores: [])
                  --> r-repartition-sink
                  <-- KSTREAM-SOURCE-0000000000
                Sink: r-repartition-sink (topic: r-repartition)
                  <-- r-repartition-filter

              Sub-topology: 1
                Source: r-repartition-source (topics: [r-repartition])
                  --> KSTREAM-SINK-0000000004
                Sink: KSTREAM-SINK-0000000004 (topic: out)
                  <-- r-repartition-source


            """
        #expect(try builder.build().describe().description == expected)
    }

    @Test func unnamedRepartitionUsesGeneratedNodeNames() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .repartition()
            .to("out", produced: .with(key: .string, value: .string))
        let description = try builder.build().describe()
        #expect(
            description.subtopologies.map { $0.nodes.map(\.name) } == [
                ["KSTREAM-SOURCE-0000000000", "KSTREAM-FILTER-0000000003", "KSTREAM-SINK-0000000002"],
                ["KSTREAM-SOURCE-0000000004", "KSTREAM-SINK-0000000005"],
            ])
        #expect(description.description.contains("(topic: KSTREAM-REPARTITION-0000000001-repartition)"))
    }

    @Test func streamToTableIsOneProcessorWithItsStore() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .toTable(materialized: .as("latest"))
            .toStream()
            .to("out", produced: .with(key: .string, value: .string))
        let expected = """
            Topologies:
               Sub-topology: 0
                Source: KSTREAM-SOURCE-0000000000 (topics: [in])
                  --> KSTREAM-TOTABLE-0000000001
                Processor: KSTREAM-TOTABLE-0000000001 (stores: [latest])
                  --> KTABLE-TOSTREAM-0000000002
                  <-- KSTREAM-SOURCE-0000000000
                Processor: KTABLE-TOSTREAM-0000000002 (stores: [])
                  --> KSTREAM-SINK-0000000003
                  <-- KSTREAM-TOTABLE-0000000001
                Sink: KSTREAM-SINK-0000000003 (topic: out)
                  <-- KTABLE-TOSTREAM-0000000002


            """
        #expect(try builder.build().describe().description == expected)
    }

    @Test func sharedStoreJoinsProcessorsIntoOneSubtopology() throws {
        let topology = Topology()
        try topology.addSource("a", topics: ["a"], key: .string, value: .string)
        try topology.addSource("b", topics: ["b"], key: .string, value: .string)
        try topology.addProcessor("pa", parents: ["a"]) { context in CountingProcessor(context: context) }
        try topology.addProcessor("pb", parents: ["b"]) { context in CountingProcessor(context: context) }
        try topology.addStateStore(
            Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("Counts"), key: .string, value: .int64),
            processors: ["pa", "pb"])
        let description = topology.describe()
        #expect(description.subtopologies.count == 1)
        #expect(description.subtopologies[0].nodes.map(\.name) == ["a", "b", "pa", "pb"])
    }

    @Test func disconnectedPartsAreNumberedInTheOrderTheyWereAdded() throws {
        let builder = StreamsBuilder()
        builder.stream("second", consumed: .with(key: .string, value: .string))
            .to("x", produced: .with(key: .string, value: .string))
        builder.stream("first", consumed: .with(key: .string, value: .string))
            .to("y", produced: .with(key: .string, value: .string))
        let description = try builder.build().describe()
        #expect(description.subtopologies.map(\.id) == [0, 1])
        #expect(description.subtopologies[0].nodes.first?.kind == .source(topics: ["second"]))
        #expect(description.subtopologies[1].nodes.first?.kind == .source(topics: ["first"]))
    }

    @Test func structuredDescription() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .groupByKey()
            .count(materialized: .as("counts"))
        let description = try builder.build().describe()
        let nodes = try #require(description.subtopologies.first).nodes
        #expect(nodes.count == 2)
        #expect(nodes[0].name == "KSTREAM-SOURCE-0000000000")
        #expect(nodes[0].kind == .source(topics: ["in"]))
        #expect(nodes[0].predecessors.isEmpty)
        #expect(nodes[0].successors == ["KSTREAM-AGGREGATE-0000000001"])
        #expect(nodes[1].kind == .processor(stores: ["counts"]))
        #expect(nodes[1].predecessors == ["KSTREAM-SOURCE-0000000000"])
        #expect(nodes[1].successors.isEmpty)
    }
}

/// Counts records per key in the store "Counts" and forwards the count.
struct CountingProcessor: Processor {
    let context: ProcessorContext<String, Int64>
    init(context: ProcessorContext<String, Int64>) { self.context = context }
    func process(_ record: Record<String, String>) throws {
        let store: KeyValueStore<String, Int64> = try context.stateStore(named: "Counts")
        let count = (try store.get(record.key) ?? 0) + 1
        try store.put(record.key, count)
        try context.forward(record.withValue(count))
    }
}

/// Forwards every record unchanged.
struct Identity<Key, Value>: Processor {
    let context: ProcessorContext<Key, Value>
    init(context: ProcessorContext<Key, Value>) { self.context = context }
    func process(_ record: Record<Key, Value>) throws { try context.forward(record) }
}
