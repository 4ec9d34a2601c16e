import CRdKafka

extension KafkaAdmin {
    /// Describes consumer groups: state, assignor, coordinator and members with their assignments.
    ///
    /// - Throws: the first per-group error, naming the group.
    public func describeConsumerGroups(_ groupIDs: [String], timeout: Duration) throws(KafkaError) -> [ConsumerGroupDescription] {
        guard !groupIDs.isEmpty else { return [] }
        let ownedNames = groupIDs.map { name -> UnsafeMutableBufferPointer<CChar> in
            let cString = name.utf8CString
            let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: cString.count)
            _ = buffer.initialize(from: cString)
            return buffer
        }
        defer { for name in ownedNames { name.deallocate() } }
        var names: [UnsafePointer<CChar>?] = ownedNames.map { $0.baseAddress.map { UnsafePointer($0) } }
        return try request(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, "describe consumer groups", timeout: timeout) { options, queue in
            names.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_DescribeConsumerGroups(handle, buffer.baseAddress, buffer.count, options, queue)
            }
        } read: { event throws(KafkaError) -> [ConsumerGroupDescription] in
            guard let result = rd_kafka_event_DescribeConsumerGroups_result(event) else {
                throw KafkaError(code: .fail, message: "describe consumer groups: unexpected result event")
            }
            var count = 0
            guard let groups = rd_kafka_DescribeConsumerGroups_result_groups(result, &count) else { return [] }
            var descriptions: [ConsumerGroupDescription] = []
            for index in 0..<count {
                guard let group = groups[index] else { continue }
                let groupID = rd_kafka_ConsumerGroupDescription_group_id(group).map { String(cString: $0) } ?? "?"
                if let error = rd_kafka_ConsumerGroupDescription_error(group) {
                    throw KafkaError(borrowing: error, context: "describe group \(groupID)")
                }
                descriptions.append(ConsumerGroupDescription(native: group, groupID: groupID))
            }
            return descriptions
        }
    }
}

extension ConsumerGroupDescription {
    init(native group: OpaquePointer, groupID: String) {
        var members: [Member] = []
        for index in 0..<rd_kafka_ConsumerGroupDescription_member_count(group) {
            guard let member = rd_kafka_ConsumerGroupDescription_member(group, index) else { continue }
            let assignment = rd_kafka_MemberDescription_assignment(member)
                .flatMap { rd_kafka_MemberAssignment_partitions($0) }
            members.append(Member(
                memberID: rd_kafka_MemberDescription_consumer_id(member).map { String(cString: $0) } ?? "",
                clientID: rd_kafka_MemberDescription_client_id(member).map { String(cString: $0) } ?? "",
                host: rd_kafka_MemberDescription_host(member).map { String(cString: $0) } ?? "",
                groupInstanceID: rd_kafka_MemberDescription_group_instance_id(member).map { String(cString: $0) },
                assignment: NativeTopicPartitionList.partitions(of: assignment)
            ))
        }
        let state: State
        switch rd_kafka_ConsumerGroupDescription_state(group) {
        case RD_KAFKA_CONSUMER_GROUP_STATE_PREPARING_REBALANCE: state = .preparingRebalance
        case RD_KAFKA_CONSUMER_GROUP_STATE_COMPLETING_REBALANCE: state = .completingRebalance
        case RD_KAFKA_CONSUMER_GROUP_STATE_STABLE: state = .stable
        case RD_KAFKA_CONSUMER_GROUP_STATE_DEAD: state = .dead
        case RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY: state = .empty
        default: state = .unknown
        }
        self.init(
            groupID: groupID,
            state: state,
            isSimpleConsumerGroup: rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(group) != 0,
            partitionAssignor: rd_kafka_ConsumerGroupDescription_partition_assignor(group).map { String(cString: $0) } ?? "",
            coordinatorID: rd_kafka_ConsumerGroupDescription_coordinator(group).map { rd_kafka_Node_id($0) },
            members: members
        )
    }
}
