import RdKafka
import Testing

@Suite("Produce and consume on the mock cluster")
struct ProduceConsumeTests {
    static let headers = [
        KafkaHeader(name: "trace", string: "a"),
        KafkaHeader(name: "null-value", value: nil),
        KafkaHeader(name: "trace", string: "b"),  // duplicate name, order kept
        KafkaHeader(name: "empty-value", value: []),
    ]
    static let timestamp: Int64 = 1_600_000_000_123

    /// Produces the five shapes of record the tests check, with `[UInt8]` keys and values.
    static func produceSamples(_ producer: KafkaProducer, topic: String) throws {
        try producer.produce(topic: topic, partition: 0, key: bytes("k1"), value: bytes("v1"), headers: headers, timestamp: timestamp, tag: 1)
        try producer.produce(topic: topic, partition: 0, key: nil, value: bytes("null key"), tag: 2)
        try producer.produce(topic: topic, partition: 0, key: bytes("k3"), value: nil, tag: 3)  // tombstone
        try producer.produce(topic: topic, partition: 0, key: [], value: [], tag: 4)  // empty, not null
        try producer.produce(topic: topic, key: bytes("k5"), value: bytes("partitioner"), tag: 5)  // partition by key hash
    }

    /// The same records produced through the `UnsafeRawBufferPointer` overload.
    static func produceSamplesFromBuffers(_ producer: KafkaProducer, topic: String) throws {
        var scratch = [UInt8](repeating: 0, count: 64)
        func write(_ string: String) -> Int {
            let utf8 = Array(string.utf8)
            scratch.replaceSubrange(0..<utf8.count, with: utf8)
            return utf8.count
        }
        // The scratch buffer is reused for every message: librdkafka copies on produce.
        let k1 = bytes("k1")
        try k1.withUnsafeBytes { key in
            let count = write("v1")
            try scratch.withUnsafeBytes { value in
                try producer.produce(topic: topic, partition: 0, key: key, value: UnsafeRawBufferPointer(rebasing: value[0..<count]), headers: headers, timestamp: timestamp, tag: 1)
            }
        }
        let count2 = write("null key")
        try scratch.withUnsafeBytes { value in
            try producer.produce(topic: topic, partition: 0, key: nil, value: UnsafeRawBufferPointer(rebasing: value[0..<count2]), tag: 2)
        }
        let count3 = write("k3")
        try scratch.withUnsafeBytes { key in
            try producer.produce(topic: topic, partition: 0, key: UnsafeRawBufferPointer(rebasing: key[0..<count3]), value: nil, tag: 3)
        }
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        try producer.produce(topic: topic, partition: 0, key: empty, value: empty, tag: 4)
        let count5 = write("k5")
        try scratch.withUnsafeBytes { key in
            try bytes("partitioner").withUnsafeBytes { value in
                try producer.produce(topic: topic, key: UnsafeRawBufferPointer(rebasing: key[0..<count5]), value: value, tag: 5)
            }
        }
    }

    static func checkSamples(_ consumed: [ConsumerRecord]) {
        // The record partitioned by key hash may have landed in partition 0 too.
        let records = consumed.filter { $0.key != bytes("k5") }
        #expect(records.count == 4, "partition 0 holds the four records produced to it")
        guard records.count == 4 else { return }
        let first = records[0]
        #expect(first.key == bytes("k1"))
        #expect(first.value == bytes("v1"))
        #expect(first.headers == headers)
        #expect(first.timestamp == timestamp)
        #expect(first.timestampType == .createTime)
        #expect(records[1].key == nil)
        #expect(records[1].value == bytes("null key"))
        #expect(records[1].headers.isEmpty)
        #expect(records[1].timestampType == .createTime)
        #expect(records[1].timestamp > timestamp, "no timestamp given means now")
        #expect(records[2].key == bytes("k3"))
        #expect(records[2].value == nil, "tombstone")
        #expect(records[3].key == [], "empty key is not a null key")
        #expect(records[3].value == [], "empty value is not a tombstone")
        #expect(records.map(\.offset) == [0, 1, 2, 3])
    }

    static func checkReports(_ reports: [DeliveryReport], topic: String) {
        #expect(reports.count == 5)
        #expect(Set(reports.map(\.tag)) == [1, 2, 3, 4, 5])
        for report in reports {
            #expect(report.error == nil, "delivery of \(report.tag)")
            #expect(report.topic == topic)
        }
        let partitioned = reports.first { $0.tag == 5 }
        #expect(partitioned.map { (0..<4).contains($0.partition) } == true)
        #expect(reports.filter { $0.tag != 5 }.sorted { $0.tag < $1.tag }.map(\.offset) == [0, 1, 2, 3])
        // The mock answers produce requests with a fixed LogAppendTime (1234), which librdkafka reports.
        let first = reports.first { $0.tag == 1 }
        #expect(first?.timestamp == timestamp || first?.timestampType == .logAppendTime)
    }

    @Test("round trip with owned records: keys, headers, timestamps, tombstones, null keys")
    func roundTripOwned() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("owned")
        try cluster.createTopic(topic, partitions: 4)

        let reports = DeliveryReports()
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers),
            logger: testLogger,
            deliveryReportHandler: reports.handler
        )
        try Self.produceSamples(producer, topic: topic)
        try producer.flush(timeout: .seconds(10))
        #expect(producer.outQueueLength == 0)
        Self.checkReports(reports.all, topic: topic)

        let consumer = try consumerFromBeginning(bootstrapServers: cluster.bootstrapServers, topic: topic)
        defer { consumer.close() }
        Self.checkSamples(try consume(consumer, count: 4))
    }

    @Test("pollBatch's afterBatch runs once per call, while the batch's buffers are alive")
    func afterBatchReadsKeptBuffers() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("after-batch")
        try cluster.createTopic(topic, partitions: 1)
        let values = (0..<50).map { "value-\($0)" }
        try produceAndFlush(cluster.bootstrapServers, topic: topic, values: values)

        let consumer = try consumerFromBeginning(bootstrapServers: cluster.bootstrapServers, topic: topic)
        defer { consumer.close() }
        var read: [[UInt8]] = []
        var calls = 0
        var afterBatchCalls = 0
        try eventually("50 values read back in afterBatch (got \(read.count))") {
            // Pointers into the batch, read only in afterBatch (as the stream thread's buffered
            // records are).
            var kept: [UnsafeRawBufferPointer] = []
            calls += 1
            let delivered = try consumer.pollBatch(maxMessages: 7, timeout: .milliseconds(100)) { message in
                if let value = message.value { kept.append(value) }
            } afterBatch: {
                afterBatchCalls += 1
                read += kept.map { Array($0) }
            }
            #expect(delivered == kept.count)
            return read.count >= values.count
        }
        #expect(read == values.map(bytes), "every value intact, in order, when read after the whole batch was passed to body")
        #expect(afterBatchCalls == calls, "once per call, empty batches too")
    }

    @Test("round trip with buffer produce and the zero-copy batch API")
    func roundTripZeroCopy() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("zerocopy")
        try cluster.createTopic(topic, partitions: 4)

        let reports = DeliveryReports()
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers),
            logger: testLogger,
            deliveryReportHandler: reports.handler
        )
        try Self.produceSamplesFromBuffers(producer, topic: topic)
        try producer.flush(timeout: .seconds(10))
        Self.checkReports(reports.all, topic: topic)

        let consumer = try consumerFromBeginning(bootstrapServers: cluster.bootstrapServers, topic: topic)
        defer { consumer.close() }

        var records: [ConsumerRecord] = []
        var viewsChecked = 0
        try eventually("4 records through pollBatch (got \(records.count))") {
            try consumer.pollBatch(maxMessages: 100, timeout: .milliseconds(100)) { message in
                #expect(message.topic == topic)
                #expect(message.partition == 0)
                // The borrowed view and the copied record agree.
                let record = message.makeRecord()
                #expect(message.key.map(Array.init) == record.key)
                #expect(message.value.map(Array.init) == record.value)
                #expect(message.headerCount == record.headers.count)
                for index in 0..<message.headerCount {
                    let header = message.header(at: index)
                    #expect(header?.name == record.headers[index].name)
                    #expect(header?.value.map(Array.init) == record.headers[index].value)
                }
                #expect(message.header(at: message.headerCount) == nil)
                #expect(message.timestamp == record.timestamp)
                #expect(message.timestampType == record.timestampType)
                viewsChecked += 1
                records.append(record)
            }
            return records.filter { $0.key != bytes("k5") }.count >= 4
        }
        #expect(viewsChecked == records.count)
        Self.checkSamples(records)

        // The owned batch variant reads the same records again.
        try consumer.seek(TopicPartitionOffset(topic: topic, partition: 0, offset: 0), timeout: .seconds(5))
        var again: [ConsumerRecord] = []
        try eventually("the records again through poll(maxRecords:)") {
            again += try consumer.poll(maxRecords: 3, timeout: .milliseconds(100))
            return again.count >= records.count
        }
        #expect(again == records)
    }

    @Test("a topic's name is one String from batch to batch")
    func topicNamesAreKeptAcrossBatches() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        // Longer than 15 bytes, so not a small (inline) string: its storage has an address.
        let topic = uniqueName("names-kept-across-batches")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
        for index in 0..<2 { try producer.produce(topic: topic, key: nil, value: bytes("record \(index)")) }
        try producer.flush(timeout: .seconds(10))

        let consumer = try consumerFromBeginning(bootstrapServers: cluster.bootstrapServers, topic: topic)
        defer { consumer.close() }
        // Kept, so that a name freed after its batch cannot pass its address on to the next one.
        var names: [String] = []
        try eventually("2 records in batches of one (got \(names.count))") {
            try consumer.pollBatch(maxMessages: 1, timeout: .milliseconds(100)) { message in
                #expect(message.topic == topic)
                names.append(message.topic)
            }
            return names.count >= 2
        }
        let storage = names.map { name in
            var name = name
            return name.withUTF8 { UInt(bitPattern: $0.baseAddress) }
        }
        #expect(storage.count == 2 && storage[0] != 0 && storage[0] == storage[1], "the same storage in both batches")
    }

    @Test("end of partition is reported distinctly with enable.partition.eof")
    func partitionEOF() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("eof")
        try cluster.createTopic(topic, partitions: 1)
        try produceAndFlush(cluster.bootstrapServers, topic: topic, values: ["a", "b"])

        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(bootstrapServers: cluster.bootstrapServers, group: uniqueName("g"), ["enable.partition.eof": "true"]),
            logger: testLogger
        )
        defer { consumer.close() }
        let partition = TopicPartition(topic: topic, partition: 0)
        try consumer.assign([TopicPartitionOffset(partition, offset: KafkaOffset.beginning)])

        var events: [ConsumerEvent] = []
        try eventually("end of partition via pollEvent") {
            if let event = try consumer.pollEvent(timeout: .milliseconds(100)) { events.append(event) }
            if case .partitionEOF = events.last { return true }
            return false
        }
        #expect(events.count == 3)
        #expect(events.last == .partitionEOF(TopicPartitionOffset(partition, offset: 2)))

        // The batch API reports it through its own closure, never as a message.
        try consumer.seek(TopicPartitionOffset(partition, offset: 0), timeout: .seconds(5))
        var eofs: [TopicPartitionOffset] = []
        var values: [[UInt8]?] = []
        try eventually("end of partition via pollBatch") {
            try consumer.pollBatch(maxMessages: 10, timeout: .milliseconds(100), onPartitionEOF: { eofs.append($0) }) { message in
                values.append(message.value.map(Array.init))
            }
            return !eofs.isEmpty
        }
        #expect(values == [bytes("a"), bytes("b")])
        #expect(eofs == [TopicPartitionOffset(partition, offset: 2)])

        // poll(timeout:) skips the marker.
        try consumer.seek(TopicPartitionOffset(partition, offset: 1), timeout: .seconds(5))
        var record: ConsumerRecord?
        try eventually("the record after seeking") {
            record = try consumer.poll(timeout: .milliseconds(100))
            return record != nil
        }
        #expect(record?.value == bytes("b"))
        #expect(try consumer.poll(timeout: .milliseconds(300)) == nil)
    }

    @Test("a full producer queue throws queueFull instead of blocking")
    func queueFull() throws {
        // Nothing listens on port 1: messages stay queued.
        let producer = try KafkaProducer(
            configuration: ["bootstrap.servers": "127.0.0.1:1", "queue.buffering.max.messages": "2"],
            logger: testLogger
        )
        try producer.produce(topic: "t", key: nil, value: bytes("1"))
        try producer.produce(topic: "t", key: nil, value: bytes("2"))
        #expect(throws: KafkaError.self) {
            try producer.produce(topic: "t", key: nil, value: bytes("3"))
        }
        do {
            try producer.produce(topic: "t", key: nil, value: bytes("3"))
        } catch {
            #expect(error.errorCode == .queueFull)
            #expect(error.message.contains("t"))
        }
    }

    /// Record shapes around the header section: headers are found by reading the byte after a
    /// consumed value (``NativeMessage``), so values of every kind sit before headers of every kind.
    static let headerShapes: [(value: [UInt8]?, headers: [KafkaHeader])] = [
        (bytes("value"), []),
        (bytes("value"), [KafkaHeader(name: "h", string: "x")]),
        ([], []),
        ([], [KafkaHeader(name: "after-empty-value", value: [])]),
        (nil, []),
        (nil, [KafkaHeader(name: "on-a-tombstone", string: "y")]),
        (bytes("many"), (0..<70).map { KafkaHeader(name: "h\($0)", string: "\($0)") }),  // count varint of two bytes
        ([0], [KafkaHeader(name: "after-a-zero-byte", value: nil)]),
    ]

    @Test("headers of every record shape come back, compressed or not", arguments: ["none", "lz4"])
    func headersOfEveryShape(compression: String) throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("headers-\(compression)")
        try cluster.createTopic(topic, partitions: 1)
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration["compression.codec"] = compression
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger)
        for (index, shape) in Self.headerShapes.enumerated() {
            try producer.produce(
                topic: topic, partition: 0, key: bytes("k\(index)"), value: shape.value, headers: shape.headers,
                tag: UInt64(index))
        }
        try producer.flush(timeout: .seconds(10))

        let consumer = try consumerFromBeginning(bootstrapServers: cluster.bootstrapServers, topic: topic)
        defer { consumer.close() }
        var viewed: [(value: [UInt8]?, headers: [KafkaHeader], count: Int, visited: [KafkaHeader], certainlyNone: Bool)] = []
        try eventually("\(Self.headerShapes.count) records through pollBatch (got \(viewed.count))") {
            try consumer.pollBatch(maxMessages: 100, timeout: .milliseconds(100)) { message in
                var visited: [KafkaHeader] = []
                message.forEachHeader { name, value in
                    visited.append(KafkaHeader(name: String(cString: name), value: value.map(Array.init)))
                }
                viewed.append(
                    (message.value.map(Array.init), message.headers, message.headerCount, visited, message.certainlyHasNoHeaders))
            }
            return viewed.count >= Self.headerShapes.count
        }
        #expect(viewed.count == Self.headerShapes.count)
        for (shape, view) in zip(Self.headerShapes, viewed) {
            #expect(view.value == shape.value)
            #expect(view.headers == shape.headers)
            #expect(view.count == shape.headers.count)
            #expect(view.visited == shape.headers)
            if view.certainlyNone { #expect(shape.headers.isEmpty, "certainly no headers, yet \(shape.headers.count)") }
            // Known for every value with bytes (the record's header count follows them).
            if shape.headers.isEmpty, let value = shape.value, !value.isEmpty { #expect(view.certainlyNone) }
        }
        try consumer.seek(TopicPartitionOffset(topic: topic, partition: 0, offset: 0), timeout: .seconds(5))
        let records = try consume(consumer, count: Self.headerShapes.count)
        #expect(records.map(\.headers) == Self.headerShapes.map(\.headers))
    }

    @Test("a last header from borrowed memory is sent after the others")
    func lastHeaderFollowsTheHeaders() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("last-header")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
        let mark: [UInt8] = [0, 1, 2, 255]
        let others = [KafkaHeader(name: "first", string: "1"), KafkaHeader(name: "nothing", value: nil)]
        try mark.withUnsafeBytes { mark in
            try producer.produce(topic: topic, partition: 0, key: nil, value: nil, headers: others, lastHeader: ("mark", mark))
            try producer.produce(topic: topic, partition: 0, key: nil, value: nil, lastHeader: ("alone", mark))
            try producer.produce(topic: topic, partition: 0, key: nil, value: nil, lastHeader: ("null", nil))
        }
        try producer.flush(timeout: .seconds(10))

        let consumer = try consumerFromBeginning(bootstrapServers: cluster.bootstrapServers, topic: topic)
        defer { consumer.close() }
        let records = try consume(consumer, count: 3)
        #expect(records.map(\.headers) == [
            others + [KafkaHeader(name: "mark", value: mark)],
            [KafkaHeader(name: "alone", value: mark)],
            [KafkaHeader(name: "null", value: nil)],
        ])
    }
}
