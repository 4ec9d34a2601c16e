import CRdKafka

extension ClusterMetadata {
    /// Requests metadata for all topics, or for one (which may auto-create it, if the client
    /// and broker allow that).
    static func fetch(handle: OpaquePointer, topic: String?, timeout: Duration) throws(KafkaError) -> ClusterMetadata {
        var topicHandle: OpaquePointer?
        if let topic {
            guard let created = rd_kafka_topic_new(handle, topic, nil) else {
                throw KafkaError(responseError: rd_kafka_last_error(), context: "metadata for topic \(topic)")
            }
            topicHandle = created
        }
        defer { if let topicHandle { rd_kafka_topic_destroy(topicHandle) } }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        try KafkaError.check(
            rd_kafka_metadata(handle, topic == nil ? 1 : 0, topicHandle, &metadata, timeout.clampedMilliseconds),
            context: topic.map { "metadata for topic \($0)" } ?? "metadata"
        )
        guard let metadata else {
            throw KafkaError(code: .fail, message: "metadata: no result")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        return ClusterMetadata(native: metadata.pointee)
    }

    init(native m: rd_kafka_metadata) {
        let brokers = UnsafeBufferPointer(start: m.brokers, count: m.brokers == nil ? 0 : Int(m.broker_cnt)).map {
            Broker(id: $0.id, host: $0.host.map { String(cString: $0) } ?? "", port: Int($0.port))
        }
        let topics = UnsafeBufferPointer(start: m.topics, count: m.topics == nil ? 0 : Int(m.topic_cnt)).map { t -> Topic in
            let name = t.topic.map { String(cString: $0) } ?? ""
            let partitions = UnsafeBufferPointer(start: t.partitions, count: t.partitions == nil ? 0 : Int(t.partition_cnt)).map { p in
                Partition(
                    id: p.id,
                    leader: p.leader,
                    replicas: Array(UnsafeBufferPointer(start: p.replicas, count: p.replicas == nil ? 0 : Int(p.replica_cnt))),
                    inSyncReplicas: Array(UnsafeBufferPointer(start: p.isrs, count: p.isrs == nil ? 0 : Int(p.isr_cnt))),
                    error: p.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(responseError: p.err, context: "partition \(name)[\(p.id)]")
                )
            }
            return Topic(
                name: name,
                partitions: partitions.sorted { $0.id < $1.id },
                error: t.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(responseError: t.err, context: "topic \(name)")
            )
        }
        self.init(brokers: brokers, topics: topics, originatingBrokerID: m.orig_broker_id)
    }
}

extension ClusterMetadata {
    static func partitionCount(handle: OpaquePointer, topic: String, timeout: Duration) throws(KafkaError) -> Int {
        let metadata = try fetch(handle: handle, topic: topic, timeout: timeout)
        guard let found = metadata.topic(named: topic) else {
            throw KafkaError(code: .unknownTopicOrPartition, message: "topic \(topic): not in metadata")
        }
        if let error = found.error { throw error }
        return found.partitions.count
    }
}
