import RdKafka

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
    /// Set for built-in serdes, whose bytes are handed to the producer without a copy or a
    /// closure call (``BuiltInSerde/withSerializedBytes(of:scratch:_:)``).
    private let keyBuiltIn: BuiltInSerde?
    private let valueBuiltIn: BuiltInSerde?
    private let partitioner: (@Sendable (Key, Value, Int32) -> Int32?)?
    /// Unowned(unsafe): the task owns its nodes, and a checked reference costs an atomic per use.
    private unowned(unsafe) let task: TaskContext
    /// The task's collector, held here: read through the unowned task, it was retained and
    /// released around every send (the compiler cannot know the task keeps it alive), while a
    /// `let` of the node itself is known to live as long as the node's call.
    private let collector: any RecordCollector
    /// The collector when it is the stream thread's at-least-once producer, and its handle of
    /// ``topic``: records without headers then go to it directly
    /// (``StreamsProducer/sendLean(through:topic:partition:key:value:timestamp:)``) instead of
    /// through ``RecordCollector``, which finds the handle by name (~80 instructions per record,
    /// ~2% of a stateless topology's thread). `nil` for other collectors, or when librdkafka
    /// refused the topic's name. Both unretained: ``collector`` keeps the producer, which keeps
    /// its handles as long as it lives, and a strong reference was retained and released
    /// around every send.
    private let lean: (producer: Unmanaged<StreamsProducer>, topic: Unmanaged<KafkaProducer.Topic>)?
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
        self.keyBuiltIn = key.builtIn
        self.valueBuiltIn = value.builtIn
        self.partitioner = partitioner
        self.task = task
        self.collector = task.collector
        if let producer = task.collector as? StreamsProducer, let handle = producer.leanHandle(of: self.topic) {
            lean = (Unmanaged.passUnretained(producer), handle)
        } else {
            lean = nil
        }
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
        // Arrays' bytes are read without the closures below (two closure calls per record).
        if let keyBytes = keyBuiltIn?.directBytes(of: key), let valueBytes = valueBuiltIn?.directBytes(of: value) {
            return try send(key, value, keyBytes, valueBytes, timestamp, headers)
        }
        try withKeyBytes(key) { keyBytes in
            try withValueBytes(value) { valueBytes in
                try send(key, value, keyBytes, valueBytes, timestamp, headers)
            }
        }
    }

    /// Picks the partition (the partitioner's, else murmur2 of the key bytes) and hands the
    /// record to the collector.
    @inline(__always)
    private func send(
        _ key: Key, _ value: Value, _ keyBytes: UnsafeRawBufferPointer?, _ valueBytes: UnsafeRawBufferPointer?,
        _ timestamp: Int64, _ headers: RecordHeaders
    ) throws {
        var partition: Int32?
        if let partitioner {
            partition = partitioner(key, value, try count())
        }
        if partition == nil, let keyBytes {
            partition = Murmur2.partition(forKey: keyBytes, partitionCount: try count())
        }
        if headers.isEmpty, let lean {
            return try lean.producer._withUnsafeGuaranteedRef { producer in
                try producer.sendLean(
                    through: lean.topic, topic: topic, partition: partition, key: keyBytes, value: valueBytes,
                    timestamp: timestamp)
            }
        }
        try collector.send(
            topic: topic, partition: partition, key: keyBytes, value: valueBytes, timestamp: timestamp, headers: headers)
    }

    /// Calls `body` with the key's bytes, or `nil` for Kafka's null.
    @inline(__always)
    private func withKeyBytes(_ key: Key, _ body: (UnsafeRawBufferPointer?) throws -> Void) throws {
        try Self.withBytes(of: key, builtIn: keyBuiltIn, serialize: serializeKey, buffer: &keyBuffer, body)
    }

    /// Calls `body` with the value's bytes, or `nil` for Kafka's null.
    @inline(__always)
    private func withValueBytes(_ value: Value, _ body: (UnsafeRawBufferPointer?) throws -> Void) throws {
        try Self.withBytes(of: value, builtIn: valueBuiltIn, serialize: serializeValue, buffer: &valueBuffer, body)
    }

    /// A built-in serde's bytes of `value` (``BuiltInSerde``), else what `serialize` writes into
    /// `buffer` (cleared first).
    @inline(__always)
    private static func withBytes<T>(
        of value: T, builtIn: BuiltInSerde?, serialize: (T, inout [UInt8]) throws -> Bool, buffer: inout [UInt8],
        _ body: (UnsafeRawBufferPointer?) throws -> Void
    ) throws {
        if let builtIn {
            return try builtIn.withSerializedBytes(of: value, scratch: &buffer, body)
        }
        // The buffer is moved into a local for the call (and back after): used as a property,
        // `withUnsafeBytes` retained and released it, since the closure could have replaced it.
        var bytes: [UInt8] = []
        swap(&bytes, &buffer)
        defer { swap(&bytes, &buffer) }
        bytes.removeAll(keepingCapacity: true)
        guard try serialize(value, &bytes) else { return try body(nil) }
        try bytes.withUnsafeBytes { try body($0) }
    }

    @inline(__always)
    private func count() throws -> Int32 {
        if let partitionCount { return partitionCount }
        return try fetchCount()
    }

    /// The topic's partition count from the collector, kept for the next records.
    @inline(never)
    private func fetchCount() throws -> Int32 {
        let count = try collector.partitionCount(of: topic)
        partitionCount = count
        return count
    }
}
