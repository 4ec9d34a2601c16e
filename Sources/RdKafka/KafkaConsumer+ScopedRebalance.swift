import Synchronization

extension KafkaConsumer {
    /// Runs `body` with `handler` receiving every rebalance event raised while `body` polls or
    /// closes the consumer, on this thread, instead of the handler given to `subscribe`.
    ///
    /// The handler need not be `Sendable`: librdkafka calls rebalance callbacks only from inside
    /// poll, batch poll and close, on the thread making that call. So a stream thread can react to
    /// revocations with its own thread-confined state (commit, close tasks) before the binding
    /// unassigns. Only the thread running `body` may poll or close the consumer meanwhile.
    public func withRebalanceHandler<Result>(
        _ handler: (RebalanceEvent) -> Void, _ body: () throws -> Result
    ) rethrows -> Result {
        try withoutActuallyEscaping(handler) { escapable in
            var stored: (RebalanceEvent) -> Void = escapable
            return try withUnsafeMutablePointer(to: &stored) { pointer in
                let address = UInt(bitPattern: UnsafeMutableRawPointer(pointer))
                callbacks.scopedRebalanceHandler.store(address, ordering: .releasing)
                defer { callbacks.scopedRebalanceHandler.store(0, ordering: .releasing) }
                return try body()
            }
        }
    }
}
