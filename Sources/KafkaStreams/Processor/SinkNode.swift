/// Serializes records and hands them to the task's collector for one topic.
///
/// Partitions are chosen as a Java producer would (murmur2 of the key bytes) unless a
/// partitioner says otherwise; records without key are left to the collector.
final class SinkNode<Key, Value>: ProcessorNode<Key, Value> {
    private let topic: String
    private let keySerde: Serde<Key>
    private let valueSerde: Serde<Value>
    private let partitioner: (@Sendable (Key, Value, Int32) -> Int32?)?
    private unowned let task: TaskContext
    private var keyBuffer: [UInt8] = []
    private var valueBuffer: [UInt8] = []
    private var partitionCount: Int32?

    init(
        name: String, topic: String, key: Serde<Key>, value: Serde<Value>,
        partitioner: (@Sendable (Key, Value, Int32) -> Int32?)?, task: TaskContext
    ) {
        self.topic = task.brokerTopic(topic)
        self.keySerde = key
        self.valueSerde = value
        self.partitioner = partitioner
        self.task = task
        super.init(name: name)
    }

    static func definition(
        name: String, topic: String, key: Serde<Key>, value: Serde<Value>,
        partitioner: (@Sendable (Key, Value, Int32) -> Int32?)?, parents: [String]
    ) -> NodeDefinition {
        NodeDefinition(
            name: name, kind: .sink(topic: topic), parents: parents, stores: [],
            inputType: RecordType(Record<Key, Value>.self), outputType: nil,
            make: { task in
                SinkNode(name: name, topic: topic, key: key, value: value, partitioner: partitioner, task: task)
            })
    }

    override func process(_ record: Record<Key, Value>) throws {
        let hasKey = try keySerde.serialize(record.key, into: &keyBuffer)
        let hasValue = try valueSerde.serialize(record.value, into: &valueBuffer)
        var partition: Int32?
        if let partitioner {
            partition = partitioner(record.key, record.value, try count())
        }
        try keyBuffer.withUnsafeBytes { keyBytes in
            try valueBuffer.withUnsafeBytes { valueBytes in
                if partition == nil, hasKey {
                    partition = Murmur2.partition(forKey: keyBytes, partitionCount: try count())
                }
                try task.collector.send(
                    topic: topic, partition: partition, key: hasKey ? keyBytes : nil,
                    value: hasValue ? valueBytes : nil, timestamp: record.timestamp, headers: record.headers)
            }
        }
    }

    private func count() throws -> Int32 {
        if let partitionCount { return partitionCount }
        let count = try task.collector.partitionCount(of: topic)
        partitionCount = count
        return count
    }
}
