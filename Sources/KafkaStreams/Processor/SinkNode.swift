/// Serializes records and hands them to the task's collector for one topic.
///
/// Partitions are chosen as a Java producer would (murmur2 of the key bytes) unless a
/// partitioner says otherwise; records without key are left to the collector.
final class SinkNode<Key, Value>: ProcessorNode<Key, Value> {
    private let topic: String
    // The serdes' functions rather than the serdes: reading a `Serde<Key>` field costs a generic
    // metadata lookup per record in this unspecialized code.
    private let serializeKey: @Sendable (Key, inout [UInt8]) throws -> Bool
    private let serializeValue: @Sendable (Value, inout [UInt8]) throws -> Bool
    private let partitioner: (@Sendable (Key, Value, Int32) -> Int32?)?
    /// Unowned(unsafe): the task owns its nodes, and a checked reference costs an atomic per use.
    private unowned(unsafe) let task: TaskContext
    // Unchecked: only this node touches its buffers, on its task's thread.
    @exclusivity(unchecked) private var keyBuffer: [UInt8] = []
    @exclusivity(unchecked) private var valueBuffer: [UInt8] = []
    private var partitionCount: Int32?

    init(
        name: String, topic: String, key: Serde<Key>, value: Serde<Value>,
        partitioner: (@Sendable (Key, Value, Int32) -> Int32?)?, task: TaskContext
    ) {
        self.topic = task.brokerTopic(topic)
        self.serializeKey = key.serializeInto
        self.serializeValue = value.serializeInto
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

    override func process(key: Key, value: Value, timestamp: Int64, headers: RecordHeaders) throws {
        // The buffers are moved into locals for the call (and back after): used as properties,
        // each `withUnsafeBytes` below retained and released its array, since the closure could
        // have replaced it.
        var keyBytes: [UInt8] = []
        var valueBytes: [UInt8] = []
        swap(&keyBytes, &keyBuffer)
        swap(&valueBytes, &valueBuffer)
        defer {
            swap(&keyBytes, &keyBuffer)
            swap(&valueBytes, &valueBuffer)
        }
        keyBytes.removeAll(keepingCapacity: true)
        valueBytes.removeAll(keepingCapacity: true)
        let hasKey = try serializeKey(key, &keyBytes)
        let hasValue = try serializeValue(value, &valueBytes)
        var partition: Int32?
        if let partitioner {
            partition = partitioner(key, value, try count())
        }
        try keyBytes.withUnsafeBytes { keyBytes in
            try valueBytes.withUnsafeBytes { valueBytes in
                if partition == nil, hasKey {
                    partition = Murmur2.partition(forKey: keyBytes, partitionCount: try count())
                }
                try task.collector.send(
                    topic: topic, partition: partition, key: hasKey ? keyBytes : nil,
                    value: hasValue ? valueBytes : nil, timestamp: timestamp, headers: headers)
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
