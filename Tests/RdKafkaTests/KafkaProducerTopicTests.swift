import RdKafka
import Testing

@Suite("Producing through topic handles")
struct KafkaProducerTopicTests {
    @Test("records produced through a handle read back as produced: null and empty keys and values, timestamps, tags")
    func roundTrip() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("handle")
        try cluster.createTopic(topic, partitions: 4)
        let reports = DeliveryReports()
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), logger: testLogger,
            deliveryReportHandler: reports.handler)
        let handle = try producer.topic(topic)
        #expect(handle.name == topic)
        #expect(handle.producer === producer)

        let timestamp: Int64 = 1_600_000_000_123
        try bytes("k1").withUnsafeBytes { key in
            try bytes("v1").withUnsafeBytes { value in
                try producer.produce(to: handle, partition: 0, key: key, value: value, timestamp: timestamp, tag: 1)
            }
        }
        try bytes("null key").withUnsafeBytes { value in
            try producer.produce(to: handle, partition: 0, key: nil, value: value, tag: 2)
        }
        try bytes("k3").withUnsafeBytes { key in
            try producer.produce(to: handle, partition: 0, key: key, value: nil, tag: 3)  // tombstone
        }
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        try producer.produce(to: handle, partition: 0, key: empty, value: empty, tag: 4)
        try bytes("k5").withUnsafeBytes { key in
            try producer.produce(to: handle, key: key, value: key, tag: 5)  // partitioned by key hash
        }
        try producer.flush(timeout: .seconds(10))

        let delivered = reports.all
        #expect(Set(delivered.map(\.tag)) == [1, 2, 3, 4, 5])
        #expect(delivered.allSatisfy { $0.error == nil && $0.topic == topic })

        let consumer = try consumerFromBeginning(bootstrapServers: cluster.bootstrapServers, topic: topic)
        defer { consumer.close() }
        let records = try consume(consumer, count: 5).filter { $0.partition == 0 && $0.key != bytes("k5") }
        #expect(records.map(\.key) == [bytes("k1"), nil, bytes("k3"), []])
        #expect(records.map(\.value) == [bytes("v1"), bytes("null key"), nil, []])
        #expect(records.first?.timestamp == timestamp)
        #expect(records.dropFirst().allSatisfy { $0.timestamp > timestamp }, "no timestamp given means now")
        #expect(records.allSatisfy { $0.headers.isEmpty })
    }

    @Test("headers, and a last header from borrowed memory, go through a handle as by name")
    func headersThroughAHandle() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("handle-headers")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
        let handle = try producer.topic(topic)
        let headers = [KafkaHeader(name: "trace", string: "a"), KafkaHeader(name: "null-value", value: nil)]
        try bytes("k").withUnsafeBytes { key in
            try bytes("origin").withUnsafeBytes { last in
                try producer.produce(
                    to: handle, partition: 0, key: key, value: nil, headers: headers, lastHeader: ("last", last),
                    timestamp: 1_600_000_000_000)
            }
        }
        try producer.flush(timeout: .seconds(10))

        let consumer = try consumerFromBeginning(bootstrapServers: cluster.bootstrapServers, topic: topic)
        defer { consumer.close() }
        let record = try consume(consumer, count: 1).first
        #expect(record?.key == bytes("k"))
        #expect(record?.value == nil)
        #expect(record?.headers == headers + [KafkaHeader(name: "last", string: "origin")])
        #expect(record?.timestamp == 1_600_000_000_000)
    }

    @Test("a handle of another producer is refused with a typed error, and nothing is sent")
    func handleOfAnotherProducerIsRefused() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("foreign-handle")
        try cluster.createTopic(topic, partitions: 1)
        let configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger)
        let other = try KafkaProducer(configuration: configuration, logger: testLogger)
        let foreign = try other.topic(topic)
        let error = #expect(throws: KafkaError.self) {
            try bytes("v").withUnsafeBytes { try producer.produce(to: foreign, key: nil, value: $0) }
        }
        #expect(error?.errorCode == .invalidArgument)
        #expect(error?.message.contains("another producer") == true)
        let withHeaders = #expect(throws: KafkaError.self) {
            try producer.produce(to: foreign, key: nil, value: nil, headers: [KafkaHeader(name: "h", value: nil)])
        }
        #expect(withHeaders?.errorCode == .invalidArgument)
        #expect(producer.outQueueLength == 0)
    }

    @Test("a handle keeps its producer alive")
    func handleKeepsItsProducer() throws {
        let cluster = try MockCluster(logger: testLogger)
        defer { cluster.stop() }
        let topic = uniqueName("kept-producer")
        try cluster.createTopic(topic, partitions: 1)
        // Only the handle is kept: the producer must outlive it, since librdkafka destroys topic
        // handles before their client.
        let handle = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), logger: testLogger
        ).topic(topic)
        try bytes("late").withUnsafeBytes { try handle.producer.produce(to: handle, key: nil, value: $0) }
        try handle.producer.flush(timeout: .seconds(10))

        let consumer = try consumerFromBeginning(bootstrapServers: cluster.bootstrapServers, topic: topic)
        defer { consumer.close() }
        #expect(try consume(consumer, count: 1).map(\.value) == [bytes("late")])
    }
}
