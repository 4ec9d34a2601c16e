import Testing

@testable import KafkaStreams

@Suite struct PartitionGroupTests {
    func record(_ topic: String, _ partition: Int32, offset: Int64, timestamp: Int64) -> PartitionGroup.BufferedRecord {
        PartitionGroup.BufferedRecord(
            topic: topic, partition: partition, offset: offset, timestamp: timestamp, key: nil, value: nil, headers: [])
    }

    @Test func headsAreTakenInTimestampOrder() {
        var group = PartitionGroup()
        for (offset, timestamp) in [(0, 1), (1, 5), (2, 9)] { group.add(record("a", 0, offset: Int64(offset), timestamp: Int64(timestamp))) }
        for (offset, timestamp) in [(0, 2), (1, 3), (2, 10)] { group.add(record("b", 0, offset: Int64(offset), timestamp: Int64(timestamp))) }
        var order: [String] = []
        while let next = group.next() { order.append("\(next.topic)\(next.offset)") }
        #expect(order == ["a0", "b0", "b1", "a1", "a2", "b2"])
        #expect(group.isEmpty)
    }

    @Test func partitionOrderIsKeptEvenWhenTimestampsGoBackwards() {
        // Within a partition, offsets order wins: only heads are compared.
        var group = PartitionGroup()
        group.add(record("a", 0, offset: 0, timestamp: 10))
        group.add(record("a", 0, offset: 1, timestamp: 1))
        group.add(record("b", 0, offset: 0, timestamp: 5))
        var order: [String] = []
        while let next = group.next() { order.append("\(next.topic)\(next.offset)") }
        #expect(order == ["b0", "a0", "a1"])
    }

    @Test func equalTimestampsAreOrderedDeterministically() {
        var group = PartitionGroup()
        group.add(record("b", 0, offset: 0, timestamp: 7))
        group.add(record("a", 1, offset: 0, timestamp: 7))
        #expect(group.next()?.topic == "a")
        #expect(group.next()?.topic == "b")
        #expect(group.next() == nil)
    }
}
