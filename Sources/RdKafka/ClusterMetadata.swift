/// Brokers, topics and partitions of a cluster, as returned by a metadata request.
public struct ClusterMetadata: Sendable, Hashable {
    /// A broker of the cluster.
    public struct Broker: Sendable, Hashable {
        /// The broker id.
        public var id: Int32
        /// The advertised host name.
        public var host: String
        /// The advertised port.
        public var port: Int
    }

    /// A partition of a topic.
    public struct Partition: Sendable, Hashable {
        /// The partition number.
        public var id: Int32
        /// The id of the leader broker, `-1` if there is none.
        public var leader: Int32
        /// The ids of the brokers holding replicas.
        public var replicas: [Int32]
        /// The ids of the replicas in sync with the leader.
        public var inSyncReplicas: [Int32]
        /// The error the broker reported for the partition, if any.
        public var error: KafkaError?
    }

    /// A topic.
    public struct Topic: Sendable, Hashable {
        /// The topic name.
        public var name: String
        /// The partitions, sorted by number.
        public var partitions: [Partition]
        /// The error the broker reported for the topic (such as
        /// ``KafkaError/Code/unknownTopicOrPartition``), if any.
        public var error: KafkaError?
    }

    /// The brokers.
    public var brokers: [Broker]
    /// The topics.
    public var topics: [Topic]
    /// The id of the broker that answered.
    public var originatingBrokerID: Int32

    /// The topic with that name, if the metadata has it.
    public func topic(named name: String) -> Topic? {
        topics.first { $0.name == name }
    }
}
