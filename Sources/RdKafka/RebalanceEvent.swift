/// A change of a subscribed consumer's partition assignment, passed to the rebalance handler of
/// ``KafkaConsumer/subscribe(topics:rebalanceHandler:)`` on the thread that polls.
public struct RebalanceEvent: Sendable, Hashable {
    /// What happened to ``partitions``.
    public enum Kind: Sendable, Hashable {
        /// The partitions were added to the assignment. The consumer has already assigned them
        /// when the handler runs, so the handler may `seek`, `pause` or query `position` for them.
        case assigned
        /// The partitions are being taken away in an orderly rebalance. The handler runs before
        /// the consumer unassigns them: it may still commit their offsets.
        case revoked
        /// The partitions were lost (session timeout, fencing): other members may already own
        /// them, so committing their offsets will fail. Unassigned after the handler returns.
        case lost
    }

    /// The group's rebalance protocol, which decides what ``partitions`` contains.
    public enum RebalanceProtocol: Sendable, Hashable {
        /// Eager (range, roundrobin): every rebalance revokes the whole assignment and assigns
        /// a whole new one.
        case eager
        /// Cooperative (cooperative-sticky): events carry only the partitions added or removed.
        case cooperative
    }

    /// What happened.
    public var kind: Kind
    /// The partitions concerned: for ``RebalanceProtocol-swift.enum/eager`` the whole assignment,
    /// for ``RebalanceProtocol-swift.enum/cooperative`` only the increment.
    public var partitions: [TopicPartition]
    /// The rebalance protocol in use.
    public var `protocol`: RebalanceProtocol

    /// Creates a rebalance event.
    public init(kind: Kind, partitions: [TopicPartition], protocol: RebalanceProtocol) {
        self.kind = kind
        self.partitions = partitions
        self.protocol = `protocol`
    }
}
