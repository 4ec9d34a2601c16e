extension KafkaConsumer {
    /// Metadata for all topics of the cluster.
    public func metadata(timeout: Duration) throws(KafkaError) -> ClusterMetadata {
        try ClusterMetadata.fetch(handle: handle, topic: nil, timeout: timeout)
    }

    /// The number of partitions of a topic.
    ///
    /// - Throws: the topic's error, such as ``KafkaError/Code/unknownTopicOrPartition``.
    public func partitionCount(topic: String, timeout: Duration) throws(KafkaError) -> Int {
        try ClusterMetadata.partitionCount(handle: handle, topic: topic, timeout: timeout)
    }
}
