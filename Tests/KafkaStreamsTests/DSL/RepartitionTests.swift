import KafkaStreams
import KafkaStreamsTesting
import Testing

/// `repartition()`, repartition topics created by grouping, and multi-partition input topics in
/// the test driver.
@Suite struct RepartitionTests {
    @Test func repartitionWritesAndReadsBackANamedTopic() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .selectKey { _, value in value }
            .repartition(.as("by-value"))
            .to("out", produced: .with(key: .string, value: .string))
        let topology = try builder.build()
        #expect(topology.describe().subtopologies.count == 2)
        let driver = try TopologyTestDriver(topology: topology)
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        let repartition = driver.createOutputTopic(
            driver.internalTopicName("by-value-repartition"), key: .string, value: .string)
        try input.pipeInput(key: "k", value: "v", timestamp: 9)
        // The repartition topic was written and read in the same pipe call.
        #expect(repartition.readTriples() == [Triple(key: "v", value: "v", timestamp: 9)])
        #expect(output.readTriples() == [Triple(key: "v", value: "v", timestamp: 9)])
    }

    @Test func repartitionWithSerdesAndPartitionCount() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .map { key, value in (Int64(key)!, value) }
            .repartition(Repartitioned.with(key: .int64, value: .string).withName("numbers").withNumberOfPartitions(3))
            .to("out", produced: .with(key: .int64, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let repartition = driver.createOutputTopic(
            driver.internalTopicName("numbers-repartition"), key: .int64, value: .string)
        let output = driver.createOutputTopic("out", key: .int64, value: .string)
        for key in 0..<12 { try input.pipeInput(key: String(key), value: "v\(key)", timestamp: 0) }
        let partitions = Set(repartition.readRecordsToList().map(\.partition))
        #expect(partitions.isSubset(of: [0, 1, 2]))
        #expect(partitions.count > 1)
        #expect(output.queueSize == 12)
    }

    @Test func repartitionWithAPartitioner() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .int32))
            .repartition(
                Repartitioned(
                    key: .string, value: .int32, name: "mod", numberOfPartitions: 4,
                    partitioner: { _, value, count in value % count }))
            .to("out", produced: .with(key: .string, value: .int32))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .int32)
        let repartition = driver.createOutputTopic(driver.internalTopicName("mod-repartition"), key: .string, value: .int32)
        for value: Int32 in 0..<8 { try input.pipeInput(key: "same", value: value, timestamp: 0) }
        #expect(repartition.readRecordsToList().map(\.partition) == [0, 1, 2, 3, 0, 1, 2, 3])
    }

    @Test func unnamedRepartitionTopicIsNamedAfterTheGeneratedProcessorName() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .repartition()
            .to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let repartition = driver.createOutputTopic(
            driver.internalTopicName("KSTREAM-REPARTITION-0000000001-repartition"), key: .string, value: .string)
        try input.pipeInput(key: "k", value: "v", timestamp: 0)
        #expect(repartition.queueSize == 1)
    }

    @Test func recordsWithNullKeysAreDroppedBeforeARepartitionTopic() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .optional(.string), value: .string))
            .repartition(.as("r"))
            .to("out", produced: .with(key: .optional(.string), value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .optional(.string), value: .string)
        let output = driver.createOutputTopic("out", key: .optional(.string), value: .string)
        try input.pipeInput(key: nil, value: "no key", timestamp: 0)
        try input.pipeInput(key: "k", value: "keyed", timestamp: 0)
        #expect(output.readValuesToList() == ["keyed"])
    }

    // MARK: Multi-partition input topics

    @Test func inputRecordsAreRoutedByKeyHash() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .process(RecordPartition<String>.self)
            .to("out", produced: .with(key: .string, value: .int32))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["in": 4])
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .int32)
        for key in expectedMurmur2Partitions.keys.sorted() { try input.pipeInput(key: key, value: "", timestamp: 0) }
        // The task that processed each record is the partition Kafka's producer would choose.
        let seen = Dictionary(uniqueKeysWithValues: output.readKeyValuesToList().map { ($0.key, $0.value) })
        #expect(seen == expectedMurmur2Partitions)
    }

    @Test func explicitPartitionIsHonouredAndCheckedAgainstTheCount() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .process(RecordPartition<String>.self)
            .to("out", produced: .with(key: .string, value: .int32))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["in": 2])
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .int32)
        try input.pipeInput(key: "alice", value: "", timestamp: 0, partition: 0)
        try input.pipeInput(key: "alice", value: "", timestamp: 0, partition: 1)
        #expect(output.readValuesToList() == [0, 1])
        #expect(throws: StreamsError.self) { try input.pipeInput(key: "alice", value: "", timestamp: 0, partition: 2) }
    }

    @Test func countsStayCorrectAcrossPartitions() throws {
        let builder = StreamsBuilder()
        builder.stream("text", consumed: .with(key: .string, value: .string))
            .flatMapValues { $0.split(separator: " ").map(String.init) }
            .groupBy(grouped: .with(key: .string, value: .string)) { _, word in word }
            .count(materialized: .as("counts", storeType: .inMemory))
            .toStream()
            .to("counts-out", produced: .with(key: .string, value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["text": 4])
        let input = driver.createInputTopic("text", key: .string, value: .string)
        let output = driver.createOutputTopic("counts-out", key: .string, value: .int64)
        let lines = ["the quick brown fox", "jumps over the lazy dog", "the dog barks", "a fox"]
        var expected: [String: Int64] = [:]
        for (index, line) in lines.enumerated() {
            // Different keys put lines on different partitions: the same word arrives from several tasks.
            try input.pipeInput(key: "line-\(index)", value: line, timestamp: Int64(index))
            for word in line.split(separator: " ") { expected[String(word), default: 0] += 1 }
        }
        #expect(output.readKeyValuesToMap() == expected)
        let store = try driver.keyValueStore("counts", key: .string, value: .int64)
        #expect(Dictionary(uniqueKeysWithValues: try store.all().map { ($0.key, $0.value) }) == expected)
        #expect(try store.approximateNumEntries() == expected.count)
        // Each word is counted by one task only: the one owning its repartition partition.
        let repartition = driver.createOutputTopic(driver.internalTopicName("counts-repartition"), key: .string, value: .string)
        var partitionOfWord: [String: Set<Int32>] = [:]
        for record in repartition.readRecordsToList() { partitionOfWord[record.key, default: []].insert(record.partition) }
        #expect(partitionOfWord.values.allSatisfy { $0.count == 1 })
    }

    @Test func repartitionTopicsGetTheLargestSourcePartitionCount() throws {
        let builder = StreamsBuilder()
        let a = builder.stream("a", consumed: .with(key: .string, value: .string))
        let b = builder.stream("b", consumed: .with(key: .string, value: .string))
        a.merge(b).selectKey { _, value in value }.repartition(.as("r")).to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["a": 2, "b": 5])
        let input = driver.createInputTopic("a", key: .string, value: .string)
        let repartition = driver.createOutputTopic(driver.internalTopicName("r-repartition"), key: .string, value: .string)
        for index in 0..<50 { try input.pipeInput(key: "k", value: "value-\(index)", timestamp: 0) }
        let partitions = Set(repartition.readRecordsToList().map(\.partition))
        #expect(partitions == [0, 1, 2, 3, 4])
    }

    @Test func recordsWithoutKeyAreSpreadOverPartitions() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .optional(.string), value: .string))
            .process(RecordPartition<String?>.self)
            .to("out", produced: .with(key: .optional(.string), value: .int32))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["in": 3])
        let input = driver.createInputTopic("in", key: .optional(.string), value: .string)
        let output = driver.createOutputTopic("out", key: .optional(.string), value: .int32)
        for _ in 0..<6 { try input.pipeInput("v") }
        #expect(Set(output.readValuesToList()) == [0, 1, 2])
    }
}

/// Forwards each record with the partition it was read from as its value.
struct RecordPartition<Key>: Processor {
    let context: ProcessorContext<Key, Int32>
    init(context: ProcessorContext<Key, Int32>) { self.context = context }
    func process(_ record: Record<Key, String>) throws {
        try context.forward(record.withValue(context.recordMetadata?.partition ?? -1))
    }
}
