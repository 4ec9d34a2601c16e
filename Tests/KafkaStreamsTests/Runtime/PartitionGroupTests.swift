import Testing

@testable import KafkaStreams

@Suite struct PartitionGroupTests {
    func record(offset: Int64, timestamp: Int64) -> PartitionGroup.BufferedRecord {
        PartitionGroup.BufferedRecord(offset: offset, timestamp: timestamp, key: nil, value: nil, headers: [])
    }

    /// Takes every buffered record, as `topic` + `offset`.
    func drain(_ group: inout PartitionGroup) -> [String] {
        var order: [String] = []
        while let next = group.next() { order.append("\(next.topic)\(next.record.offset)") }
        return order
    }

    @Test func headsAreTakenInTimestampOrder() {
        var group = PartitionGroup()
        let a = group.queue(topic: "a", partition: 0)
        let b = group.queue(topic: "b", partition: 0)
        for (offset, timestamp) in [(0, 1), (1, 5), (2, 9)] { group.add(record(offset: Int64(offset), timestamp: Int64(timestamp)), to: a) }
        for (offset, timestamp) in [(0, 2), (1, 3), (2, 10)] { group.add(record(offset: Int64(offset), timestamp: Int64(timestamp)), to: b) }
        #expect(group.count == 6)
        #expect(drain(&group) == ["a0", "b0", "b1", "a1", "a2", "b2"])
        #expect(group.isEmpty)
    }

    @Test func partitionOrderIsKeptEvenWhenTimestampsGoBackwards() {
        // Within a partition, offsets order wins: only heads are compared.
        var group = PartitionGroup()
        let a = group.queue(topic: "a", partition: 0)
        let b = group.queue(topic: "b", partition: 0)
        group.add(record(offset: 0, timestamp: 10), to: a)
        group.add(record(offset: 1, timestamp: 1), to: a)
        group.add(record(offset: 0, timestamp: 5), to: b)
        #expect(drain(&group) == ["b0", "a0", "a1"])
    }

    @Test func equalTimestampsAreOrderedByPartitionNotArrival() {
        var group = PartitionGroup()
        let b0 = group.queue(topic: "b", partition: 0)
        let a1 = group.queue(topic: "a", partition: 1)
        let a0 = group.queue(topic: "a", partition: 0)
        group.add(record(offset: 0, timestamp: 7), to: b0)
        group.add(record(offset: 4, timestamp: 7), to: a1)
        group.add(record(offset: 9, timestamp: 7), to: a0)
        #expect(drain(&group) == ["a9", "a4", "b0"])
        #expect(group.next() == nil)
    }

    @Test func aPartitionKeepsItsQueue() {
        var group = PartitionGroup()
        let a = group.queue(topic: "a", partition: 0)
        let b = group.queue(topic: "a", partition: 1)
        #expect(a != b)
        #expect(group.queue(topic: "a", partition: 0) == a)
        #expect(group.queue(topic: "a", partition: 1) == b)
    }

    @Test func nextOffsetsFollowTheLastRecordTakenPerPartition() {
        var group = PartitionGroup()
        let a = group.queue(topic: "a", partition: 0)
        let b = group.queue(topic: "b", partition: 2)
        _ = group.queue(topic: "c", partition: 0)
        group.add(record(offset: 10, timestamp: 1), to: a)
        group.add(record(offset: 11, timestamp: 2), to: a)
        group.add(record(offset: 40, timestamp: 3), to: b)
        _ = group.next()
        #expect(group.nextOffsets.map { "\($0.topic)-\($0.partition)@\($0.offset)" } == ["a-0@11"])
        _ = drain(&group)
        #expect(group.nextOffsets.map { "\($0.topic)-\($0.partition)@\($0.offset)" } == ["a-0@12", "b-2@41"], "partitions without records are left out")
    }

    @Test func removeAllEmptiesTakenAndWaitingRecords() {
        var group = PartitionGroup()
        let a = group.queue(topic: "a", partition: 0)
        group.add(record(offset: 0, timestamp: 1), to: a)
        group.add(record(offset: 1, timestamp: 2), to: a)
        _ = group.next()
        group.removeAll()
        #expect(group.isEmpty)
        #expect(group.next() == nil)
        #expect(group.nextOffsets.isEmpty)
        group.add(record(offset: 2, timestamp: 3), to: a)
        #expect(drain(&group) == ["a2"], "the queue is used again after removeAll")
    }
}
