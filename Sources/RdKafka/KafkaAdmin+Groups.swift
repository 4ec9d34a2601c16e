import CRdKafka

extension KafkaAdmin {
    /// Describes consumer groups: state, assignor, coordinator and members with their assignments.
    ///
    /// Each group is first looked up with librdkafka's `rd_kafka_list_groups` (ListGroups +
    /// DescribeGroups); a group that ListGroups does not list is then asked of its coordinator
    /// with `rd_kafka_DescribeConsumerGroups`. The order matters: in librdkafka 2.0.2,
    /// `rd_kafka_DescribeConsumerGroups` against a broker without DescribeGroups (such as the mock
    /// cluster) leaks a reference and destroying the client then hangs, so it is only used once
    /// the broker has shown it answers group requests. Through the first path
    /// ``ConsumerGroupDescription/Member/groupInstanceID`` is `nil`.
    ///
    /// - Throws: per group, naming it: ``KafkaError/Code/groupIDNotFound`` for a group the cluster
    ///   does not know (or state ``ConsumerGroupDescription/State-swift.enum/dead``, depending on
    ///   the broker), ``KafkaError/Code/unsupportedFeature`` for brokers without group APIs (the
    ///   mock cluster), or ``KafkaError/Code/timedOut`` after `timeout`.
    public func describeConsumerGroups(_ groupIDs: [String], timeout: Duration) throws(KafkaError) -> [ConsumerGroupDescription] {
        rd_kafka_poll(handle, 0)  // serve error and log events of the main queue
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var descriptions: [ConsumerGroupDescription] = []
        for groupID in groupIDs {
            let remaining = clock.now.duration(to: deadline)
            if let listed = try listGroup(groupID, timeout: remaining) {
                descriptions.append(listed)
            } else {
                descriptions += try describeWithAdminAPI([groupID], timeout: max(remaining, .milliseconds(1)))
            }
        }
        return descriptions
    }

    /// The group as `rd_kafka_list_groups` finds it, or `nil` when the brokers answered without it.
    private func listGroup(_ groupID: String, timeout: Duration) throws(KafkaError) -> ConsumerGroupDescription? {
        var list: UnsafePointer<rd_kafka_group_list>?
        // rd_kafka_list_groups wants a positive timeout.
        let result = rd_kafka_list_groups(handle, groupID, &list, max(timeout.clampedMilliseconds, 1))
        defer { if let list { rd_kafka_group_list_destroy(list) } }
        let groups = list.map { UnsafeBufferPointer(start: $0.pointee.groups, count: $0.pointee.groups == nil ? 0 : Int($0.pointee.group_cnt)) }
        let group = groups?.first { $0.group.map { String(cString: $0) } == groupID }
        // _PARTIAL: some brokers did not answer, which does not matter if the group was found.
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR || (result == RD_KAFKA_RESP_ERR__PARTIAL && group != nil) else {
            throw KafkaError(responseError: result, context: "describe group \(groupID)")
        }
        guard let group else { return nil }
        if group.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(responseError: group.err, context: "describe group \(groupID)")
        }
        return ConsumerGroupDescription(listed: group, groupID: groupID)
    }

    private func describeWithAdminAPI(_ groupIDs: [String], timeout: Duration) throws(KafkaError) -> [ConsumerGroupDescription] {
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
                descriptions.append(ConsumerGroupDescription(described: group, groupID: groupID))
            }
            return descriptions
        }
    }
}

extension ConsumerGroupDescription {
    init(listed group: rd_kafka_group_info, groupID: String) {
        let protocolType = group.protocol_type.map { String(cString: $0) } ?? ""
        let members = UnsafeBufferPointer(start: group.members, count: group.members == nil ? 0 : Int(group.member_cnt)).map { member in
            Member(
                memberID: member.member_id.map { String(cString: $0) } ?? "",
                clientID: member.client_id.map { String(cString: $0) } ?? "",
                host: member.client_host.map { String(cString: $0) } ?? "",
                groupInstanceID: nil,
                assignment: protocolType == "consumer"
                    ? Self.parseAssignment(UnsafeRawBufferPointer(start: member.member_assignment, count: max(Int(member.member_assignment_size), 0)))
                    : []
            )
        }
        let state: State
        switch group.state.map({ String(cString: $0) }) {
        case "PreparingRebalance": state = .preparingRebalance
        case "CompletingRebalance", "AwaitingSync": state = .completingRebalance
        case "Stable": state = .stable
        case "Dead": state = .dead
        case "Empty": state = .empty
        default: state = .unknown
        }
        self.init(
            groupID: groupID,
            state: state,
            isSimpleConsumerGroup: protocolType.isEmpty,
            partitionAssignor: group.protocol.map { String(cString: $0) } ?? "",
            coordinatorID: group.broker.id >= 0 ? group.broker.id : nil,
            members: members
        )
    }

    init(described group: OpaquePointer, groupID: String) {
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

    /// Reads the partitions of a consumer protocol `Assignment` (version, [topic, [partition]],
    /// user data), all big-endian. Malformed input gives the partitions read so far.
    static func parseAssignment(_ bytes: UnsafeRawBufferPointer) -> [TopicPartition] {
        var reader = BigEndianReader(bytes: bytes)
        var partitions: [TopicPartition] = []
        guard reader.readInt16() != nil, let topicCount = reader.readInt32(), topicCount >= 0 else { return [] }
        for _ in 0..<topicCount {
            guard let topic = reader.readString(), let count = reader.readInt32(), count >= 0 else { return partitions }
            for _ in 0..<count {
                guard let partition = reader.readInt32() else { return partitions }
                partitions.append(TopicPartition(topic: topic, partition: partition))
            }
        }
        return partitions
    }
}
