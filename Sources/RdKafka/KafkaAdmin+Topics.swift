import CRdKafka

extension KafkaAdmin {
    /// Creates topics and waits until the controller has created them (or `timeout`).
    ///
    /// Topics are created independently: when one fails, others may still have been created.
    ///
    /// - Throws: the first per-topic error, naming the topic: ``KafkaError/Code/topicAlreadyExists``
    ///   when it exists (callers that only need it to exist can ignore that one),
    ///   ``KafkaError/Code/invalidConfig``, ``KafkaError/Code/invalidReplicationFactor``, ...
    public func createTopics(_ topics: [NewTopic], timeout: Duration) throws(KafkaError) {
        guard !topics.isEmpty else { return }
        var natives: [OpaquePointer?] = []
        defer { for native in natives { rd_kafka_NewTopic_destroy(native) } }
        for topic in topics {
            var errorText = [CChar](repeating: 0, count: 512)
            guard let native = rd_kafka_NewTopic_new(topic.name, topic.partitions, topic.replicationFactor, &errorText, errorText.count) else {
                throw KafkaError(code: .invalidArgument, message: "topic \(topic.name): \(String(nativeBuffer: errorText))")
            }
            natives.append(native)
            for (key, value) in topic.configs.sorted(by: { $0.key < $1.key }) {
                let result = rd_kafka_NewTopic_set_config(native, key, value)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaError(responseError: result, context: "topic \(topic.name): config \(key)=\(value)")
                }
            }
        }
        try request(RD_KAFKA_ADMIN_OP_CREATETOPICS, "create topics", timeout: timeout, operationTimeout: true) { options, queue in
            natives.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_CreateTopics(handle, buffer.baseAddress, buffer.count, options, queue)
            }
        } read: { event throws(KafkaError) in
            guard let result = rd_kafka_event_CreateTopics_result(event) else {
                throw KafkaError(code: .fail, message: "create topics: unexpected result event")
            }
            var count = 0
            let results = rd_kafka_CreateTopics_result_topics(result, &count)
            try Self.checkTopicResults(results, count: count, operation: "create")
        }
    }

    /// Deletes topics and waits until the controller has deleted them (or `timeout`).
    ///
    /// - Throws: the first per-topic error, naming the topic, such as
    ///   ``KafkaError/Code/unknownTopicOrPartition``.
    public func deleteTopics(_ names: [String], timeout: Duration) throws(KafkaError) {
        guard !names.isEmpty else { return }
        var natives: [OpaquePointer?] = names.map { rd_kafka_DeleteTopic_new($0) }
        defer { for native in natives { rd_kafka_DeleteTopic_destroy(native) } }
        try request(RD_KAFKA_ADMIN_OP_DELETETOPICS, "delete topics", timeout: timeout, operationTimeout: true) { options, queue in
            natives.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_DeleteTopics(handle, buffer.baseAddress, buffer.count, options, queue)
            }
        } read: { event throws(KafkaError) in
            guard let result = rd_kafka_event_DeleteTopics_result(event) else {
                throw KafkaError(code: .fail, message: "delete topics: unexpected result event")
            }
            var count = 0
            let results = rd_kafka_DeleteTopics_result_topics(result, &count)
            try Self.checkTopicResults(results, count: count, operation: "delete")
        }
    }

    private static func checkTopicResults(
        _ results: UnsafeMutablePointer<OpaquePointer?>?,
        count: Int,
        operation: String
    ) throws(KafkaError) {
        guard let results else { return }
        for index in 0..<count {
            guard let result = results[index] else { continue }
            let code = rd_kafka_topic_result_error(result)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                let name = rd_kafka_topic_result_name(result).map { String(cString: $0) } ?? "?"
                throw KafkaError(
                    responseError: code,
                    context: "\(operation) topic \(name)",
                    detail: rd_kafka_topic_result_error_string(result).map { String(cString: $0) }
                )
            }
        }
    }
}
