/// How a topology's state store is made for each task.
struct StoreDefinition: Sendable {
    enum Engine: Sendable, Equatable {
        case inMemory
        case persistent
    }

    let name: String
    let engine: Engine
    /// DSL stores keep each value's timestamp; Processor API stores keep plain values.
    let timestamped: Bool
    let loggingEnabled: Bool
    let changelogConfigs: [String: String]
    let cachingEnabled: Bool
    /// Makes the typed view processors get from `stateStore(named:)`.
    let makeTypedStore: @Sendable (any KeyValueBytesStore, TaskContext) -> any StateStore
    /// Key-value, window or session store (see `StoreDefinition+Segmented.swift`).
    var layout: Layout = .keyValue

    var changelogTopic: String { "\(name)-changelog" }
}
