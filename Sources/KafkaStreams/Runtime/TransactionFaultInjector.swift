import RdKafka

/// Injects failures into the exactly-once transaction protocol of stream threads, so that tests
/// can drive the abort, fencing and crash paths against a real broker. Not public API.
///
/// `decide` is asked before each step; returning an error makes that step fail with it (a
/// ``KafkaError`` carrying the classification flags the step would have), returning `nil` lets
/// it run. The injector is shared by every thread of an instance, so `decide` must be `@Sendable`.
package final class TransactionFaultInjector: Sendable {
    /// A step of a stream thread's transaction.
    package enum Step: String, Sendable {
        /// Sending a record (output, repartition or changelog) inside the transaction.
        case send
        /// Adding the consumed offsets to the transaction.
        case sendOffsets
        /// Committing the transaction.
        case commit
        /// After the producer flush and before the commit: failing here stops the thread as a
        /// crash would (no commit, no clean close).
        case crashBeforeCommit
    }

    private let decide: @Sendable (Step) -> KafkaError?

    package init(_ decide: @escaping @Sendable (Step) -> KafkaError?) {
        self.decide = decide
    }

    func fault(at step: Step) -> KafkaError? {
        decide(step)
    }
}
