/// A topic to create with ``KafkaAdmin/createTopics(_:timeout:)``.
public struct NewTopic: Sendable, Hashable {
    /// The topic name.
    public var name: String
    /// The number of partitions, or `-1` for the broker's `num.partitions`.
    public var partitions: Int32
    /// The replication factor, or `-1` for the broker's `default.replication.factor`.
    public var replicationFactor: Int32
    /// Topic configuration, such as `["cleanup.policy": "compact"]`.
    public var configs: [String: String]

    /// Describes a topic to create.
    public init(name: String, partitions: Int32, replicationFactor: Int32 = -1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}
