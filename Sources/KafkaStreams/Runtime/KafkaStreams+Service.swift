import ServiceLifecycle

extension KafkaStreams: Service {
    /// Runs the application as a ServiceLifecycle service: starts it, and closes it on graceful
    /// shutdown. Throws the error that stopped it, if one did.
    public func run() async throws {
        try start()
        await withGracefulShutdownHandler {
            await waitUntilTerminated()
        } onGracefulShutdown: {
            self.close()
        }
        if state == .error, let error = lastError { throw error }
    }
}
