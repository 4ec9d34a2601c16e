import KafkaStreams
import KafkaStreamsTesting
import Testing

/// The stateless `KStream` operators: filter, filterNot, map, mapValues, flatMap, flatMapValues,
/// selectKey, peek, foreach, to.
@Suite struct KStreamStatelessTests {
    /// Builds `in -> (body) -> out` with string serdes at both ends and runs the inputs through it.
    private func run<V>(
        _ inputs: [(String, String)], out valueSerde: Serde<V>,
        _ body: (KStream<String, String>) -> KStream<String, V>
    ) throws -> [KeyValue<String, V>] {
        let builder = StreamsBuilder()
        body(builder.stream("in", consumed: .with(key: .string, value: .string)))
            .to("out", produced: .with(key: .string, value: valueSerde))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: valueSerde)
        for (timestamp, (key, value)) in inputs.enumerated() {
            try input.pipeInput(key: key, value: value, timestamp: Int64(timestamp))
        }
        return output.readKeyValuesToList()
    }

    private let words = [("a", "apple"), ("b", "banana"), ("c", "cherry"), ("d", "avocado")]

    @Test func filterKeepsMatchingRecords() throws {
        let out = try run(words, out: .string) { $0.filter { _, value in value.hasPrefix("a") } }
        #expect(out == [kv("a", "apple"), kv("d", "avocado")])
    }

    @Test func filterNotDropsMatchingRecords() throws {
        let out = try run(words, out: .string) { $0.filterNot { _, value in value.hasPrefix("a") } }
        #expect(out == [kv("b", "banana"), kv("c", "cherry")])
    }

    @Test func filterSeesTheKey() throws {
        let out = try run(words, out: .string) { $0.filter { key, _ in key == "c" } }
        #expect(out == [kv("c", "cherry")])
    }

    @Test func mapChangesKeyAndValueAndType() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .map { key, value in (value, Int64(key.count + value.count)) }
            .to("out", produced: .with(key: .string, value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        try input.pipeInput(key: "k", value: "four", timestamp: 1)
        #expect(output.readKeyValuesToList() == [kv("four", 5)])
    }

    @Test func mapValuesKeepsTheKey() throws {
        let out = try run(words, out: .int32) { $0.mapValues { value in Int32(value.count) } }
        #expect(out == [kv("a", 5), kv("b", 6), kv("c", 6), kv("d", 7)])
    }

    @Test func mapValuesWithKeySeesTheKey() throws {
        let out = try run(words, out: .string) { $0.mapValues(withKey: { key, value in "\(key)=\(value)" }) }
        #expect(out.map(\.value) == ["a=apple", "b=banana", "c=cherry", "d=avocado"])
        #expect(out.map(\.key) == ["a", "b", "c", "d"])
    }

    @Test func flatMapEmitsEveryPairInOrder() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .flatMap { key, value -> [(String, Int64)] in
                value.split(separator: ",").map { ("\(key)-\($0)", Int64($0.count)) }
            }
            .to("out", produced: .with(key: .string, value: .int64))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .int64)
        try input.pipeInput(key: "k", value: "a,bb,ccc", timestamp: 7)
        let records = output.readRecordsToList()
        #expect(records.map { kv($0.key, $0.value) } == [kv("k-a", 1), kv("k-bb", 2), kv("k-ccc", 3)])
        #expect(records.map(\.timestamp) == [7, 7, 7])
    }

    @Test func flatMapOfNothingEmitsNothing() throws {
        let builder = StreamsBuilder()
        let seen = Collected<String>()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .flatMap { _, _ -> [(String, String)] in [] }
            .peek { key, _ in seen.append(key) }
            .to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        try input.pipeInput(key: "k", value: "v", timestamp: 0)
        #expect(output.isEmpty)
        #expect(seen.values.isEmpty)
        #expect(driver.droppedRecordsCount == 0)
    }

    @Test func flatMapValuesSplitsValuesUnderTheSameKey() throws {
        let out = try run([("k", "x y z"), ("j", "")], out: .string) {
            $0.flatMapValues { value in value.split(separator: " ").map(String.init) }
        }
        // The empty line gives no record at all.
        #expect(out == [kv("k", "x"), kv("k", "y"), kv("k", "z")])
    }

    @Test func selectKeyReplacesTheKeyOnly() throws {
        let out = try run(words, out: .string) { $0.selectKey { _, value in String(value.prefix(2)) } }
        #expect(out == [kv("ap", "apple"), kv("ba", "banana"), kv("ch", "cherry"), kv("av", "avocado")])
    }

    @Test func peekSeesEveryRecordAndPassesItOn() throws {
        let seen = Collected<String>()
        let out = try run(words, out: .string) { $0.peek { key, value in seen.append("\(key):\(value)") } }
        #expect(seen.values == ["a:apple", "b:banana", "c:cherry", "d:avocado"])
        #expect(out.count == 4)
    }

    @Test func foreachEndsTheStream() throws {
        let builder = StreamsBuilder()
        let seen = Collected<String>()
        let stream = builder.stream("in", consumed: .with(key: .string, value: .string))
        stream.foreach { key, _ in seen.append(key) }
        stream.to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        try input.pipeInput(key: "x", value: "1", timestamp: 0)
        try input.pipeInput(key: "y", value: "2", timestamp: 0)
        #expect(seen.values == ["x", "y"])
        // A stream read twice: the sink sees each record once.
        #expect(output.readKeyValuesToList() == [kv("x", "1"), kv("y", "2")])
    }

    @Test func timestampsAndHeadersPassThroughStatelessOperators() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .mapValues { $0.uppercased() }
            .selectKey { key, _ in key + "!" }
            .flatMapValues { [$0, $0] }
            .filter { _, _ in true }
            .to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        var headers = RecordHeaders()
        headers.add("trace", [1, 2, 3])
        headers.add("null-header", nil)
        try input.pipeInput(key: "k", value: "v", timestamp: 1234, headers: headers)
        let records = output.readRecordsToList()
        #expect(records.count == 2)
        for record in records {
            #expect(record.key == "k!")
            #expect(record.value == "V")
            #expect(record.timestamp == 1234)
            #expect(record.headers == headers)
        }
    }

    @Test func operatorsChainInOrderWithoutSerdesBetween() throws {
        // Intermediate types need no serde: only the sink does.
        struct Item: Sendable { var name: String; var qty: Int }
        let out = try run([("k", "pen:3"), ("k", "ink:0"), ("k", "cap:12")], out: .string) { stream in
            stream
                .mapValues { value -> Item in
                    let parts = value.split(separator: ":")
                    return Item(name: String(parts[0]), qty: Int(parts[1])!)
                }
                .filter { _, item in item.qty > 0 }
                .mapValues { item in "\(item.qty)x\(item.name)" }
        }
        #expect(out == [kv("k", "3xpen"), kv("k", "12xcap")])
    }

    @Test func toWithoutSerdesUsesTheTypesDefaultSerdes() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .map { key, value in (Int64(key)!, Double(value)!) }
            .to("out")
        let driver = try TopologyTestDriver(topology: builder.build())
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .int64, value: .double)
        try input.pipeInput(key: "42", value: "2.5", timestamp: 0)
        #expect(output.readKeyValuesToList() == [kv(Int64(42), 2.5)])
    }

    @Test func producedPartitionerChoosesThePartition() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .int32))
            .to("out", produced: .with(key: .string, value: .int32, partitioner: { _, value, count in value % count }))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["out": 3])
        let input = driver.createInputTopic("in", key: .string, value: .int32)
        let output = driver.createOutputTopic("out", key: .string, value: .int32)
        for value in Int32(0)..<6 { try input.pipeInput(key: "same-key", value: value, timestamp: 0) }
        #expect(output.readRecordsToList().map(\.partition) == [0, 1, 2, 0, 1, 2])
    }

    @Test func sinkPartitionsByKeyHashLikeTheJavaProducer() throws {
        let builder = StreamsBuilder()
        builder.stream("in", consumed: .with(key: .string, value: .string))
            .to("out", produced: .with(key: .string, value: .string))
        let driver = try TopologyTestDriver(topology: builder.build(), partitions: ["out": 4])
        let input = driver.createInputTopic("in", key: .string, value: .string)
        let output = driver.createOutputTopic("out", key: .string, value: .string)
        // murmur2 partitions as Kafka's DefaultPartitioner computes them for 4 partitions.
        let keys = ["alice", "bob", "erin", "frank", "kafka", "swift"]
        for key in keys { try input.pipeInput(key: key, value: key, timestamp: 0) }
        let partitions = Dictionary(uniqueKeysWithValues: output.readRecordsToList().map { ($0.key, $0.partition) })
        #expect(partitions == expectedMurmur2Partitions)
        // The same key always lands on the same partition.
        for key in keys { try input.pipeInput(key: key, value: key, timestamp: 1) }
        #expect(Dictionary(uniqueKeysWithValues: output.readRecordsToList().map { ($0.key, $0.partition) }) == partitions)
    }

    @Test func processRunsAProcessorInTheDSL() throws {
        struct Shout: Processor {
            let context: ProcessorContext<String, String>
            init(context: ProcessorContext<String, String>) { self.context = context }
            func process(_ record: Record<String, String>) throws {
                try context.forward(record.withValue(record.value.uppercased() + "!"))
            }
        }
        let out = try run([("k", "hi")], out: .string) { $0.process(Shout.self) }
        #expect(out == [kv("k", "HI!")])
    }
}

/// `Utils.toPositive(Utils.murmur2(key.getBytes(UTF_8))) % 4`, computed with Kafka's Java code.
let expectedMurmur2Partitions: [String: Int32] = [
    "alice": 1, "bob": 2, "erin": 0, "frank": 3, "kafka": 0, "swift": 3,
]
