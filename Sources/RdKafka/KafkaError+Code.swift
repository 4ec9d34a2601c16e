import CRdKafka

extension KafkaError {
    /// A librdkafka error code (`rd_kafka_resp_err_t`) with names for the common ones.
    ///
    /// Codes below zero are raised by librdkafka itself; codes above zero come from the broker.
    /// Any code librdkafka returns can be represented, named or not.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The numeric value of `rd_kafka_resp_err_t`.
        public var rawValue: Int32

        /// Creates a code from its numeric value.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// librdkafka's symbolic name for the code, such as `_TIMED_OUT` or `PRODUCER_FENCED`.
        public var name: String {
            rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue)).map { String(cString: $0) } ?? "ERR_\(rawValue)"
        }

        /// librdkafka's human-readable description of the code.
        public var explanation: String {
            rd_kafka_err2str(rd_kafka_resp_err_t(rawValue: rawValue)).map { String(cString: $0) } ?? "error \(rawValue)"
        }

        public var description: String { name }

        // Local (client-side) errors.
        /// Received message is incorrect.
        public static let badMessage = Code(rawValue: -199)
        /// The client instance is being destroyed.
        public static let destroy = Code(rawValue: -197)
        /// Generic local failure.
        public static let fail = Code(rawValue: -196)
        /// Broker transport failure (connection refused, closed, ...).
        public static let transport = Code(rawValue: -195)
        /// Host name resolution failed.
        public static let resolve = Code(rawValue: -193)
        /// A produced message timed out (`message.timeout.ms`) before it was acknowledged.
        public static let messageTimedOut = Code(rawValue: -192)
        /// The consumer reached the end of a partition (only with `enable.partition.eof=true`).
        public static let partitionEOF = Code(rawValue: -191)
        /// The partition is not known in the cluster.
        public static let unknownPartition = Code(rawValue: -190)
        /// The topic is not known in the cluster.
        public static let unknownTopic = Code(rawValue: -188)
        /// All brokers are down (or unreachable).
        public static let allBrokersDown = Code(rawValue: -187)
        /// An argument or configuration value is invalid.
        public static let invalidArgument = Code(rawValue: -186)
        /// The operation did not complete within its timeout.
        public static let timedOut = Code(rawValue: -185)
        /// The producer queue is full (`queue.buffering.max.messages`/`.kbytes`): poll and retry.
        public static let queueFull = Code(rawValue: -184)
        /// No group coordinator is available yet.
        public static let waitCoordinator = Code(rawValue: -180)
        /// The client has no consumer group (no `group.id`).
        public static let unknownGroup = Code(rawValue: -179)
        /// The operation is already in progress.
        public static let inProgress = Code(rawValue: -178)
        /// The operation is not allowed in the client's current state.
        public static let state = Code(rawValue: -172)
        /// The function is not implemented by this librdkafka or broker.
        public static let notImplemented = Code(rawValue: -170)
        /// No offset was stored or committed.
        public static let noOffset = Code(rawValue: -168)
        /// The client is not configured for the call (for example no `transactional.id`).
        public static let notConfigured = Code(rawValue: -145)
        /// The broker does not support the feature.
        public static let unsupportedFeature = Code(rawValue: -165)
        /// No such entry or item.
        public static let noEntry = Code(rawValue: -156)
        /// A message was purged from the queue before it was sent.
        public static let purgeQueue = Code(rawValue: -152)
        /// A message was purged while it was in flight.
        public static let purgeInflight = Code(rawValue: -151)
        /// A fatal error occurred: the client instance is unusable.
        public static let fatal = Code(rawValue: -150)
        /// The consumer did not poll within `max.poll.interval.ms` and left the group.
        public static let maxPollExceeded = Code(rawValue: -147)
        /// This instance was fenced by a newer instance (transactional or static group member).
        public static let fenced = Code(rawValue: -144)
        /// The partitions were lost (not revoked in an orderly way) in a rebalance.
        public static let assignmentLost = Code(rawValue: -142)

        // Broker errors.
        /// Unknown broker error.
        public static let unknown = Code(rawValue: -1)
        /// No error.
        public static let noError = Code(rawValue: 0)
        /// The requested offset is outside the range of the partition's log.
        public static let offsetOutOfRange = Code(rawValue: 1)
        /// The topic or partition does not exist on the broker.
        public static let unknownTopicOrPartition = Code(rawValue: 3)
        /// The broker is not the leader of the partition.
        public static let notLeaderForPartition = Code(rawValue: 6)
        /// The request timed out on the broker.
        public static let requestTimedOut = Code(rawValue: 7)
        /// The message is larger than the broker accepts.
        public static let messageSizeTooLarge = Code(rawValue: 10)
        /// The group coordinator is not available.
        public static let coordinatorNotAvailable = Code(rawValue: 15)
        /// The broker is not the coordinator of the group or transaction.
        public static let notCoordinator = Code(rawValue: 16)
        /// The consumer's generation is no longer valid.
        public static let illegalGeneration = Code(rawValue: 22)
        /// The group member id is not known to the coordinator.
        public static let unknownMemberID = Code(rawValue: 25)
        /// The group is rebalancing.
        public static let rebalanceInProgress = Code(rawValue: 27)
        /// Access to the topic is not authorized.
        public static let topicAuthorizationFailed = Code(rawValue: 29)
        /// Access to the group is not authorized.
        public static let groupAuthorizationFailed = Code(rawValue: 30)
        /// The broker does not support the request version.
        public static let unsupportedVersion = Code(rawValue: 35)
        /// The topic already exists (CreateTopics).
        public static let topicAlreadyExists = Code(rawValue: 36)
        /// The partition count is invalid (CreateTopics).
        public static let invalidPartitions = Code(rawValue: 37)
        /// The replication factor is invalid (CreateTopics).
        public static let invalidReplicationFactor = Code(rawValue: 38)
        /// A topic configuration is invalid (CreateTopics).
        public static let invalidConfig = Code(rawValue: 40)
        /// The producer's epoch is no longer valid: a newer producer took over.
        public static let invalidProducerEpoch = Code(rawValue: 47)
        /// The transactional request is invalid in the transaction's current state.
        public static let invalidTransactionState = Code(rawValue: 48)
        /// Another transaction with the same id is being completed.
        public static let concurrentTransactions = Code(rawValue: 51)
        /// The transaction coordinator was fenced.
        public static let transactionCoordinatorFenced = Code(rawValue: 52)
        /// The group is not empty (DeleteGroups).
        public static let nonEmptyGroup = Code(rawValue: 68)
        /// The group does not exist.
        public static let groupIDNotFound = Code(rawValue: 69)
        /// The producer was fenced by a newer producer with the same `transactional.id`.
        public static let producerFenced = Code(rawValue: 90)
    }
}
