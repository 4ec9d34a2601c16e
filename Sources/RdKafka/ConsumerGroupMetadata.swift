import CRdKafka

/// A consumer's group membership (group id, generation, member id), as needed by
/// ``KafkaProducer/sendOffsetsToTransaction(_:groupMetadata:timeout:)``.
///
/// Get it from ``KafkaConsumer/groupMetadata()`` after the consumer joined its group.
public final class ConsumerGroupMetadata: @unchecked Sendable {
    // Sendable: wraps an rd_kafka_consumer_group_metadata_t that is never modified after
    // creation; librdkafka only reads (copies) it, so any thread may use it.
    let pointer: OpaquePointer

    /// The group id, if known.
    public let groupID: String?

    init(pointer: OpaquePointer, groupID: String?) {
        self.pointer = pointer
        self.groupID = groupID
    }

    /// Creates metadata for a group without a generation or member id, for producers that commit
    /// offsets of a group whose consumer is not at hand (fencing by generation is then not applied).
    public convenience init(groupID: String) throws(KafkaError) {
        guard let pointer = rd_kafka_consumer_group_metadata_new(groupID) else {
            throw KafkaError(code: .fail, message: "cannot create group metadata for group \(groupID)")
        }
        self.init(pointer: pointer, groupID: groupID)
    }

    deinit {
        rd_kafka_consumer_group_metadata_destroy(pointer)
    }
}
