import Foundation
import Logging

/// Applies the records of global tables' topics to their global stores (Kafka Streams'
/// `GlobalStateUpdateTask`): one per instance, run by the ``GlobalStreamThread`` (or by the test
/// driver), while every stream task reads the same stores through `TaskContext.globalStores`.
///
/// Its stores are opened once per instance under `<stateDir>/<applicationID>/global`. They have
/// no changelog: the global topic is their changelog, so nothing is ever written back.
final class GlobalStateTask {
    /// The global stores by name, shared with every task of the instance (each guards itself).
    let stores: [String: any KeyValueBytesStore & Sendable]
    let context: TaskContext
    /// `<stateDir>/<applicationID>/global`: the checkpoint and the RocksDB stores.
    let directory: String
    private let sources: [String: SourceNodeBase]
    private let nodes: [ProcessorNodeBase]
    /// The global topics and the stores they feed.
    let storesByTopic: [String: any KeyValueBytesStore & Sendable]
    private var isClosed = false

    /// Opens the global stores of `plan` and makes the nodes that write them.
    init(
        plan: TopologyPlan, config: StreamsConfig, directory: String, collector: any RecordCollector, logger: Logger,
        wallClock: @escaping () -> Int64
    ) throws {
        self.directory = directory
        let context = TaskContext(
            taskID: TaskID(subtopology: -1, partition: -1), applicationID: config.applicationID, config: config,
            collector: collector, logger: logger, internalTopicNames: [], wallClock: wallClock)
        var stores: [String: any KeyValueBytesStore & Sendable] = [:]
        var storesByTopic: [String: any KeyValueBytesStore & Sendable] = [:]
        for global in plan.globalStores {
            let definition = global.store
            let bytes = try definition.open(taskDirectory: directory, config: config)
            stores[definition.name] = bytes
            storesByTopic[global.topic] = bytes
            context.byteStores[definition.name] = bytes
            context.loggedStores[definition.name] = bytes
            context.stores[definition.name] = definition.makeTypedStore(bytes, context)
        }
        var sources: [String: SourceNodeBase] = [:]
        var nodes: [ProcessorNodeBase] = []
        for global in plan.globalStores {
            let made = try global.makeNodes(context)
            sources[global.topic] = made.source
            nodes.append(made.source)
            nodes.append(made.processor)
        }
        self.stores = stores
        self.storesByTopic = storesByTopic
        self.context = context
        self.sources = sources
        self.nodes = nodes
        for node in nodes {
            context.currentNode = node.name
            try node.initialize(context)
        }
        context.currentNode = nil
    }

    /// Applies one record of a global topic to its store.
    func process(_ raw: RawRecord) throws {
        guard let source = sources[raw.topic] else {
            throw StreamsError.invalidState("no global table reads topic \(raw.topic)")
        }
        context.recordMetadata = RecordMetadata(topic: raw.topic, partition: raw.partition, offset: raw.offset)
        context.currentRecordTimestamp = raw.timestamp
        context.currentHeaders = raw.headers
        context.currentRawKey = raw.key
        context.currentRawValue = raw.value
        defer {
            context.recordMetadata = nil
            context.currentRawKey = nil
            context.currentRawValue = nil
            context.currentNode = nil
        }
        try source.process(raw)
    }

    /// Makes written data durable locally.
    func flush() throws {
        for store in stores.values { try store.flush() }
    }

    /// Closes the nodes and stores; safe to call twice.
    func close() throws {
        guard !isClosed else { return }
        isClosed = true
        var firstError: (any Error)?
        for node in nodes {
            do { try node.close() } catch { firstError = firstError ?? error }
        }
        for store in stores.values {
            do { try store.close() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }
}
