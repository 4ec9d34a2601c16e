import CRdKafka

extension KafkaConsumer {
    /// Moves the fetch position of an assigned partition: the next record returned from it is
    /// the one at `offset` (or a logical ``KafkaOffset``).
    ///
    /// - Parameter timeout: how long to wait for the seek to be applied; `.zero` returns at once.
    public func seek(_ offset: TopicPartitionOffset, timeout: Duration) throws(KafkaError) {
        try seek([offset], timeout: timeout)
    }

    /// Moves the fetch positions of several assigned partitions.
    public func seek(_ offsets: [TopicPartitionOffset], timeout: Duration) throws(KafkaError) {
        let list = try NativeTopicPartitionList(offsets)
        if let error = KafkaError.consuming(rd_kafka_seek_partitions(handle, list.pointer, timeout.clampedMilliseconds), context: "seek") {
            throw error
        }
        try list.checkElementErrors("seek")
    }

    /// Stops fetching from the partitions until ``resume(_:)``; they stay assigned.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = try NativeTopicPartitionList(partitions)
        try KafkaError.check(rd_kafka_pause_partitions(handle, list.pointer), context: "pause")
        try list.checkElementErrors("pause")
    }

    /// Resumes fetching from paused partitions.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = try NativeTopicPartitionList(partitions)
        try KafkaError.check(rd_kafka_resume_partitions(handle, list.pointer), context: "resume")
        try list.checkElementErrors("resume")
    }

    /// Commits offsets for the group and waits for the broker's answer.
    ///
    /// Each offset is the *next* record to consume: the last processed offset + 1.
    public func commit(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = try NativeTopicPartitionList(offsets)
        try KafkaError.check(rd_kafka_commit(handle, list.pointer, 0), context: "commit")
        try list.checkElementErrors("commit")
    }

    /// Commits the current positions (the offsets after the last records returned by poll) of all
    /// assigned partitions and waits for the broker's answer.
    ///
    /// - Throws: ``KafkaError/Code/noOffset`` when there is nothing to commit.
    public func commit() throws(KafkaError) {
        try KafkaError.check(rd_kafka_commit(handle, nil, 0), context: "commit")
    }

    /// The group's committed offsets for the partitions, asked of the group coordinator.
    ///
    /// A partition without a committed offset has ``KafkaOffset/invalid``.
    public func committed(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> [TopicPartitionOffset] {
        let list = try NativeTopicPartitionList(partitions)
        try KafkaError.check(rd_kafka_committed(handle, list.pointer, timeout.clampedMilliseconds), context: "committed offsets")
        try list.checkElementErrors("committed offsets")
        return list.offsets
    }

    /// The consumer's positions: the offset of the next record poll will return for each
    /// partition (``KafkaOffset/invalid`` if nothing was consumed yet).
    public func position(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartitionOffset] {
        let list = try NativeTopicPartitionList(partitions)
        try KafkaError.check(rd_kafka_position(handle, list.pointer), context: "position")
        try list.checkElementErrors("position")
        return list.offsets
    }

    /// Asks the partition leader for the partition's low watermark (first offset in the log) and
    /// high watermark (the offset the next record will get).
    public func watermarkOffsets(topic: String, partition: Int32, timeout: Duration) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = KafkaOffset.invalid
        var high: Int64 = KafkaOffset.invalid
        try KafkaError.check(
            rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, timeout.clampedMilliseconds),
            context: "watermark offsets of \(topic)[\(partition)]"
        )
        return (low, high)
    }

    /// The high watermark (the offset the next record will get) of each partition, asked of the
    /// partitions' leaders in one request per leader, as Java's `Consumer.endOffsets`.
    ///
    /// Cheaper than ``watermarkOffsets(topic:partition:timeout:)`` per partition when there are
    /// many: that is one round trip each.
    public func endOffsets(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> [TopicPartitionOffset] {
        try listOffsets(partitions, at: KafkaOffset.end, timeout: timeout, context: "end offsets")
    }

    /// The low watermark (the first offset still in the log) of each partition, asked in one
    /// request per leader, as Java's `Consumer.beginningOffsets`.
    public func beginningOffsets(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> [TopicPartitionOffset] {
        try listOffsets(partitions, at: KafkaOffset.beginning, timeout: timeout, context: "beginning offsets")
    }

    /// A ListOffsets request per leader through `rd_kafka_offsets_for_times`, whose "timestamp"
    /// -1 is the log's end and -2 its beginning, as in the protocol.
    private func listOffsets(
        _ partitions: [TopicPartition], at position: Int64, timeout: Duration, context: String
    ) throws(KafkaError) -> [TopicPartitionOffset] {
        guard !partitions.isEmpty else { return [] }
        let list = try NativeTopicPartitionList(partitions.map { TopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: position) })
        try KafkaError.check(rd_kafka_offsets_for_times(handle, list.pointer, timeout.clampedMilliseconds), context: context)
        try list.checkElementErrors(context)
        return list.offsets
    }

    /// The last watermarks seen in fetch responses, without asking the broker. Either is
    /// ``KafkaOffset/invalid`` until known (the low one needs `statistics.interval.ms`).
    public func cachedWatermarkOffsets(topic: String, partition: Int32) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = KafkaOffset.invalid
        var high: Int64 = KafkaOffset.invalid
        try KafkaError.check(
            rd_kafka_get_watermark_offsets(handle, topic, partition, &low, &high),
            context: "cached watermark offsets of \(topic)[\(partition)]"
        )
        return (low, high)
    }

    /// The consumer's current group membership, for
    /// ``KafkaProducer/sendOffsetsToTransaction(_:groupMetadata:timeout:)``.
    public func groupMetadata() throws(KafkaError) -> ConsumerGroupMetadata {
        guard let pointer = rd_kafka_consumer_group_metadata(handle) else {
            throw KafkaError(code: .unknownGroup, message: "the consumer has no group metadata")
        }
        return ConsumerGroupMetadata(pointer: pointer, groupID: configuration["group.id"])
    }
}
