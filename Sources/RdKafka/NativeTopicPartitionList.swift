import CRdKafka
#if canImport(Glibc)
import Glibc
#endif

/// Owns an `rd_kafka_topic_partition_list_t`: the single place where partition lists are
/// converted between Swift and C.
final class NativeTopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    private init(capacity: Int) throws(KafkaError) {
        guard let list = rd_kafka_topic_partition_list_new(Int32(clamping: capacity)) else {
            throw KafkaError(code: .fail, message: "rd_kafka_topic_partition_list_new failed")
        }
        self.pointer = list
    }

    /// A list of partitions, with offsets left as `RD_KAFKA_OFFSET_INVALID`.
    convenience init(_ partitions: [TopicPartition]) throws(KafkaError) {
        try self.init(capacity: partitions.count)
        for tp in partitions { try add(topic: tp.topic, partition: tp.partition) }
    }

    /// A list of partitions with offsets.
    convenience init(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        try self.init(capacity: offsets.count)
        for tpo in offsets {
            let element = try add(topic: tpo.topic, partition: tpo.partition)
            element.pointee.offset = tpo.offset
            if let metadata = tpo.metadata, !metadata.isEmpty {
                // librdkafka frees element metadata with free() when the list is destroyed.
                let bytes = Array(metadata.utf8)
                guard let memory = malloc(bytes.count) else {
                    throw KafkaError(code: .fail, message: "cannot allocate commit metadata for \(tpo.topic)")
                }
                bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                element.pointee.metadata = memory
                element.pointee.metadata_size = bytes.count
            }
        }
    }

    /// A list of topics (for subscriptions), with `RD_KAFKA_PARTITION_UA` as partition.
    convenience init(topics: [String]) throws(KafkaError) {
        try self.init(capacity: topics.count)
        for topic in topics { try add(topic: topic, partition: -1) }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    @discardableResult
    private func add(topic: String, partition: Int32) throws(KafkaError) -> UnsafeMutablePointer<rd_kafka_topic_partition_t> {
        guard let element = rd_kafka_topic_partition_list_add(pointer, topic, partition) else {
            throw KafkaError(code: .fail, message: "rd_kafka_topic_partition_list_add failed for \(topic)")
        }
        return element
    }

    var offsets: [TopicPartitionOffset] { Self.offsets(of: UnsafePointer(pointer)) }

    /// Throws the first per-partition error in the list, naming the partition.
    func checkElementErrors(_ operation: String) throws(KafkaError) {
        if let error = Self.firstError(in: UnsafePointer(pointer), operation: operation) { throw error }
    }

    // Borrowed lists (rebalance callbacks, admin results) are read through these.

    static func partitions(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
        elements(of: list).map { TopicPartition(topic: topicName($0), partition: $0.partition) }
    }

    static func offsets(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartitionOffset] {
        elements(of: list).map {
            TopicPartitionOffset(topic: topicName($0), partition: $0.partition, offset: $0.offset, metadata: metadata(of: $0))
        }
    }

    static func firstError(in list: UnsafePointer<rd_kafka_topic_partition_list_t>?, operation: String) -> KafkaError? {
        for element in elements(of: list) where element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return KafkaError(responseError: element.err, context: "\(operation) \(topicName(element))[\(element.partition)]")
        }
        return nil
    }

    private static func elements(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> UnsafeBufferPointer<rd_kafka_topic_partition_t> {
        guard let list, list.pointee.cnt > 0, let elements = list.pointee.elems else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: elements, count: Int(list.pointee.cnt))
    }

    private static func metadata(of element: rd_kafka_topic_partition_t) -> String? {
        guard let bytes = element.metadata, element.metadata_size > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: element.metadata_size), as: UTF8.self)
    }

    private static func topicName(_ element: rd_kafka_topic_partition_t) -> String {
        element.topic.map { String(cString: $0) } ?? ""
    }
}
