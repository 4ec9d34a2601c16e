/// Changelog and cache choices of a store builder; set through the `with…` methods of
/// ``StateStoreBuilder``.
public struct StoreBuilderOptions: Sendable {
    var loggingEnabled = true
    var changelogConfigs: [String: String] = [:]
    var cachingEnabled = false

    init() {}
}

/// What every store builder (key-value, window, session) offers: changelog and cache choices.
public protocol StateStoreBuilder: Sendable {
    /// The store's name.
    var name: String { get }
    /// The choices made with the `with…` methods.
    var options: StoreBuilderOptions { get set }
}

extension StateStoreBuilder {
    /// The store is not backed by a changelog topic: its content is lost with the local state.
    public func withLoggingDisabled() -> Self {
        var copy = self
        copy.options.loggingEnabled = false
        return copy
    }

    /// The store is backed by a changelog topic created with these extra topic configs (over the
    /// defaults: `cleanup.policy=compact`, and for window and session stores `compact,delete` with
    /// `retention.ms` = retention period + 1 day).
    public func withLoggingEnabled(_ configs: [String: String] = [:]) -> Self {
        var copy = self
        copy.options.loggingEnabled = true
        copy.options.changelogConfigs = configs
        return copy
    }

    /// Puts the record cache in front of the store (see `StreamsConfig.cacheMaxBytes`).
    public func withCachingEnabled() -> Self {
        var copy = self
        copy.options.cachingEnabled = true
        return copy
    }

    /// Writes go straight to the store.
    public func withCachingDisabled() -> Self {
        var copy = self
        copy.options.cachingEnabled = false
        return copy
    }
}
