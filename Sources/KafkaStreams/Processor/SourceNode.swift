/// The untyped face of a source: takes raw records of its topics.
class SourceNodeBase: ProcessorNodeBase {
    func process(_ raw: RawRecord) throws {}
}

/// Reads records of one or more topics, deserializes them, and forwards them.
///
/// A key or value that cannot be deserialized goes to the deserialization handler: skipped,
/// sent to a dead-letter topic, or failed, as the handler says. Never dropped silently.
final class SourceNode<Key, Value>: SourceNodeBase {
    private var downstream = Forwarder<Key, Value>()
    private let keySerde: Serde<Key>
    private let valueSerde: Serde<Value>
    private unowned let task: TaskContext

    init(name: String, key: Serde<Key>, value: Serde<Value>, task: TaskContext) {
        self.keySerde = key
        self.valueSerde = value
        self.task = task
        super.init(name: name)
    }

    static func definition(name: String, topics: [String], key: Serde<Key>, value: Serde<Value>) -> NodeDefinition {
        NodeDefinition(
            name: name, kind: .source(topics: topics), parents: [], stores: [], inputType: nil,
            outputType: RecordType(Record<Key, Value>.self),
            make: { task in SourceNode(name: name, key: key, value: value, task: task) })
    }

    override func connect(child: ProcessorNodeBase) throws {
        try downstream.connect(child, parent: name)
    }

    override var childNames: [String] { downstream.children.map(\.name) }

    override func process(_ raw: RawRecord) throws {
        let key: Key
        let value: Value
        do {
            key = try keySerde.deserialize(raw.key)
            value = try valueSerde.deserialize(raw.value)
        } catch let error as SerdeError {
            try handleDeserializationError(error, raw)
            return
        }
        try NodeFailure.unwrapping(into: task) {
            try downstream.forward(Record(key: key, value: value, timestamp: raw.timestamp, headers: raw.headers))
        }
    }

    private func handleDeserializationError(_ error: SerdeError, _ raw: RawRecord) throws {
        let response = task.config.defaultDeserializationExceptionHandler.decide(task.errorContext, error)
        switch response {
        case .fail:
            task.logger.error(
                "cannot deserialize record, failing (deserialization handler)",
                metadata: ["topic": "\(raw.topic)", "partition": "\(raw.partition)", "offset": "\(raw.offset)",
                           "error": "\(error)"])
            throw StreamsError.deserialization(
                topic: raw.topic, partition: raw.partition, offset: raw.offset, underlying: error)
        case .continue:
            task.droppedRecords += 1
            task.logger.warning(
                "skipping a record that cannot be deserialized",
                metadata: ["topic": "\(raw.topic)", "partition": "\(raw.partition)", "offset": "\(raw.offset)",
                           "error": "\(error)"])
        case .deadLetter(let topic):
            task.droppedRecords += 1
            try task.sendToDeadLetterTopic(topic, error: error)
            task.logger.warning(
                "sent a record that cannot be deserialized to the dead-letter topic \(topic)",
                metadata: ["topic": "\(raw.topic)", "partition": "\(raw.partition)", "offset": "\(raw.offset)"])
        }
    }
}
