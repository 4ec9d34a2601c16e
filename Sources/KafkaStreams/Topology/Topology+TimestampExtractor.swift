extension Topology {
    /// Adds a source that reads `topics` with these serdes and gives records timestamps with
    /// `timestampExtractor` instead of the config's default.
    @discardableResult
    public func addSource<Key, Value>(
        _ name: String, timestampExtractor: some TimestampExtractor, topics: [String], key: Serde<Key>,
        value: Serde<Value>
    ) throws -> Topology {
        guard !topics.isEmpty else { throw TopologyError.invalidTopology("source \(name) names no topic") }
        try add(
            SourceNode<Key, Value>.definition(
                name: name, topics: topics, key: key, value: value, timestampExtractor: timestampExtractor))
        return self
    }
}
