/// A global table's store and the source that fills it from a whole topic (every partition).
///
/// Global stores are outside every subtopology: no task reads their topic. The instance's global
/// thread (``GlobalStreamThread``), or the test driver, applies the topic's records to the store,
/// and every task of the instance reads the same store through `TaskContext.globalStores`.
struct GlobalStoreDefinition: Sendable {
    /// The topic the store is built from (an external topic, read in full).
    let topic: String
    /// The source node's name (deserializes the topic's records).
    let sourceName: String
    /// The node that writes records to the store (`KTABLE-SOURCE-...`).
    let processorName: String
    /// The store: timestamped key-value, never logged (the topic itself is its changelog).
    let store: StoreDefinition
    /// Makes, for the global task, the source of `topic` wired to the node that writes the store;
    /// the task initializes both (the source first).
    let makeNodes: @Sendable (TaskContext) throws -> (source: SourceNodeBase, processor: ProcessorNodeBase)
}
