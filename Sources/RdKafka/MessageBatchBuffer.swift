import CRdKafka
import Synchronization

/// The array of message pointers that ``KafkaConsumer/pollBatch(maxMessages:timeout:onPartitionEOF:_:)``
/// fills, and the topic names its batches saw (``TopicNameCache``), kept from one batch to the next.
///
/// A batch of 1,000 pointers (8 KB) is too large for a stack allocation, and allocating and
/// freeing it on every poll showed up in profiles of the stream thread (~2% of the word count's
/// thread, which polls often with small batches). One batch at a time may hold it: a claim
/// (an atomic flag) makes a second, concurrent batch fall back to an allocation of its own
/// instead of sharing the storage.
final class MessageBatchBuffer {
    typealias Element = UnsafeMutablePointer<rd_kafka_message_t>?

    private let claimed = Atomic<Bool>(false)
    /// Touched only by the holder of the claim.
    private var storage: UnsafeMutablePointer<Element>?
    private var capacity = 0
    private var topicNames = TopicNameCache()

    deinit {
        storage?.deallocate()
    }

    /// Calls `body` with room for `count` pointers (at least one) and the topic names of earlier
    /// batches, both kept when this buffer is free (else a batch's own).
    func withPointers<Result>(
        count: Int, _ body: (UnsafeMutablePointer<Element>, inout TopicNameCache) throws -> Result
    ) throws -> Result {
        let count = max(1, count)
        guard claimed.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            let pointers = UnsafeMutablePointer<Element>.allocate(capacity: count)
            defer { pointers.deallocate() }
            var names = TopicNameCache()
            return try body(pointers, &names)
        }
        defer { claimed.store(false, ordering: .releasing) }
        if capacity < count {
            storage?.deallocate()
            storage = .allocate(capacity: count)
            capacity = count
        }
        return try body(storage!, &topicNames)
    }
}
