import CRdKafka

// Called by librdkafka on the polling thread (inside consumer poll, batch poll or close).
// Installing a rebalance callback makes the application responsible for (un)assigning: done here,
// so that both eager and cooperative protocols work without the handler knowing about them.
let rebalanceCallback: @convention(c) (
    OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?
) -> Void = { handle, code, partitions, opaque in
    guard let handle else { return }
    let callbacks = ClientCallbacks.from(opaque)
    let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
    let rebalanceProtocol: RebalanceEvent.RebalanceProtocol = cooperative ? .cooperative : .eager
    let sendableHandler = callbacks?.rebalanceHandler.withLock { $0 }
    let scoped = callbacks.flatMap { UnsafeMutableRawPointer(bitPattern: $0.scopedRebalanceHandler.load(ordering: .acquiring)) }
    func handler(_ event: RebalanceEvent) {
        if let scoped {
            scoped.assumingMemoryBound(to: ((RebalanceEvent) -> Void).self).pointee(event)
        } else {
            sendableHandler?(event)
        }
    }
    let topicPartitions = NativeTopicPartitionList.partitions(of: partitions)

    func report(_ error: KafkaError?) {
        guard let error else { return }
        callbacks?.logger.error("rebalance failed", metadata: ["rdkafka.error": "\(error)"])
        callbacks?.recordError(error)
    }

    /// The eager protocol's (un)assignment: `nil` unassigns everything.
    func assign(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, context: String) {
        let result = rd_kafka_assign(handle, list)
        report(result == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(responseError: result, context: context))
    }

    switch code {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS where callbacks?.isClosing.load(ordering: .acquiring) == true:
        // A group rebalance that completes while the consumer closes (another member left or
        // joined meanwhile) hands it partitions it will never read. Taking them starts fetching
        // their committed offsets while the group terminates, and librdkafka 2.0.2 aborts the
        // process when that is still under way at the end of the close
        // (`rd_kafka_cgrp_terminated: assert: !rd_kafka_assignment_in_progress`, seen in CI when
        // one stream thread closed during the rebalance another's close had started). They are
        // declined instead, and the handler does not hear of them.
        callbacks?.logger.debug("partitions declined while closing", metadata: ["rdkafka.partitions": "\(topicPartitions)"])
        if cooperative {
            let none = rd_kafka_topic_partition_list_new(0)
            defer { rd_kafka_topic_partition_list_destroy(none) }
            report(KafkaError.consuming(rd_kafka_incremental_assign(handle, none), context: "incremental assign while closing"))
        } else {
            assign(nil, context: "unassign while closing")
        }
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        // Assign first (as Kafka's Java client does) so that the handler can seek or pause.
        if cooperative {
            report(KafkaError.consuming(rd_kafka_incremental_assign(handle, partitions), context: "incremental assign"))
        } else {
            assign(partitions, context: "assign")
        }
        callbacks?.logger.debug("partitions assigned", metadata: ["rdkafka.partitions": "\(topicPartitions)"])
        handler(RebalanceEvent(kind: .assigned, partitions: topicPartitions, protocol: rebalanceProtocol))
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        // Handler first, so that it can still commit the offsets of revoked partitions.
        let kind: RebalanceEvent.Kind = rd_kafka_assignment_lost(handle) != 0 ? .lost : .revoked
        callbacks?.logger.debug("partitions \(kind)", metadata: ["rdkafka.partitions": "\(topicPartitions)"])
        handler(RebalanceEvent(kind: kind, partitions: topicPartitions, protocol: rebalanceProtocol))
        if cooperative {
            report(KafkaError.consuming(rd_kafka_incremental_unassign(handle, partitions), context: "incremental unassign"))
        } else {
            assign(nil, context: "unassign")
        }
    default:
        // librdkafka's documented recovery: drop the assignment and let the group sort it out.
        report(KafkaError(responseError: code, context: "rebalance"))
        _ = rd_kafka_assign(handle, nil)
    }
}
