/// A consumer group as described by its coordinator, from
/// ``KafkaAdmin/describeConsumerGroups(_:timeout:)``.
public struct ConsumerGroupDescription: Sendable, Hashable {
    /// The group's state.
    public enum State: Sendable, Hashable {
        /// Not known (also what brokers report for a group that does not exist in some versions).
        case unknown
        /// Members are (re)joining.
        case preparingRebalance
        /// Waiting for the leader's assignment.
        case completingRebalance
        /// Members have their assignments.
        case stable
        /// The group has no members and no metadata, and is being removed.
        case dead
        /// No members, but committed offsets may exist.
        case empty
    }

    /// A member of the group.
    public struct Member: Sendable, Hashable {
        /// The member id the coordinator gave the member.
        public var memberID: String
        /// The member's `client.id`.
        public var clientID: String
        /// The member's host, as seen by the coordinator.
        public var host: String
        /// The static membership id (`group.instance.id`), if any.
        public var groupInstanceID: String?
        /// The partitions assigned to the member.
        public var assignment: [TopicPartition]
    }

    /// The group id.
    public var groupID: String
    /// The group's state.
    public var state: State
    /// Whether the group is a simple consumer group (offsets only, no members protocol).
    public var isSimpleConsumerGroup: Bool
    /// The partition assignor in use, such as `range` or `cooperative-sticky`.
    public var partitionAssignor: String
    /// The broker id of the group coordinator, if known.
    public var coordinatorID: Int32?
    /// The members.
    public var members: [Member]
}
