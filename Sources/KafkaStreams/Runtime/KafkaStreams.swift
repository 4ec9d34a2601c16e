import Foundation
import Logging
import Synchronization

/// A running stream processing application: a topology, its stream threads, and its state.
///
/// ```swift
/// let streams = try KafkaStreams(topology: builder.build(),
///                                config: StreamsConfig(applicationID: "wordcount", bootstrapServers: "localhost:9092"))
/// try streams.start()
/// let counts = try streams.store(.keyValue(name: "counts", key: .string, value: .int64))
/// print(try counts.get("kafka") ?? 0)
/// streams.close()
/// ```
///
/// States: `created → rebalancing ⇄ running → pendingShutdown → notRunning`, or `error` when a
/// stream thread fails and the uncaught exception handler shuts the client down. All methods are
/// safe to call from any thread.
public final class KafkaStreams: Sendable {
    /// The life of the application.
    public enum State: String, Sendable, Hashable {
        case created
        case rebalancing
        case running
        case pendingShutdown
        case notRunning
        case error
        case pendingError

        /// Whether the application is started and not shutting down.
        public var isRunningOrRebalancing: Bool { self == .running || self == .rebalancing }
    }

    /// What to do when a stream thread fails.
    public enum StreamThreadExceptionResponse: Sendable {
        /// Start a new thread in place of the failed one.
        case replaceThread
        /// Stop this instance; its state becomes `error`.
        case shutdownClient
        /// Stop this instance (other instances keep running: this runtime does not signal them).
        case shutdownApplication
    }

    private struct Shared {
        var state: State = .created
        var stateListener: (@Sendable (State, State) -> Void)?
        var exceptionHandler: @Sendable (any Error) -> StreamThreadExceptionResponse = { _ in .shutdownClient }
        var threads: [StreamThreadControl] = []
        /// The global thread, when the topology has global tables.
        var globalThread: GlobalStreamThread.Control?
        /// Read from (or created in) the state directory at start: part of each stream thread's
        /// `transactional.id` under exactly-once.
        var processID = UUID()
        var lastError: (any Error)?
        var terminationWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The settings the application runs with.
    public let config: StreamsConfig
    let plan: TopologyPlan
    let registry = StoreRegistry()
    private let logger: Logger
    private let topicCreator: TopicCreator
    private let shared = Mutex(Shared())

    /// Creates an application; nothing connects until ``start()``.
    ///
    /// - Throws: ``StreamsConfigError`` for an invalid setting, ``TopologyError`` for a topology
    ///   that cannot run.
    public init(
        topology: Topology, config: StreamsConfig, topicCreator: TopicCreator = .adminClient,
        logger: Logger = Logger(label: "kafka-streams")
    ) throws {
        try config.validate()
        self.plan = try topology.plan()
        self.config = config
        self.topicCreator = topicCreator
        var logger = logger
        logger[metadataKey: "application"] = "\(config.applicationID)"
        self.logger = logger
    }

    /// The current state.
    public var state: State { shared.withLock { $0.state } }

    /// The error that stopped the application, if one did.
    public var lastError: (any Error)? { shared.withLock { $0.lastError } }

    /// The global tables' stores of this instance (empty before `start()` or without global tables).
    var globalStores: [String: any KeyValueBytesStore & Sendable] {
        shared.withLock { $0.globalThread?.stores ?? [:] }
    }

    /// Calls `listener(new, old)` on every state change, on the thread that caused it.
    public func setStateListener(_ listener: @escaping @Sendable (_ newState: State, _ oldState: State) -> Void) {
        shared.withLock { $0.stateListener = listener }
    }

    /// Decides what happens when a stream thread fails. Default: shut this client down.
    public func setUncaughtExceptionHandler(
        _ handler: @escaping @Sendable (any Error) -> StreamThreadExceptionResponse
    ) {
        shared.withLock { $0.exceptionHandler = handler }
    }

    /// Checks source topics, creates internal topics and starts the stream threads.
    ///
    /// - Throws: ``StreamsError/missingSourceTopics(_:)`` naming missing topics,
    ///   ``StreamsError/brokerUnavailable(_:)`` when the cluster cannot be reached within 15 s,
    ///   ``StreamsError/invalidState(_:)`` when called twice.
    public func start() throws {
        try shared.withLock { shared in
            guard shared.state == .created else {
                throw StreamsError.invalidState("start() can be called once, in state created; state is \(shared.state)")
            }
        }
        _ = try InternalTopicManager.prepare(plan: plan, config: config, creator: topicCreator, logger: logger)
        try FileManager.default.createDirectory(
            atPath: "\(config.stateDir)/\(config.applicationID)", withIntermediateDirectories: true)
        let processID = try ProcessIdentity.load(directory: "\(config.stateDir)/\(config.applicationID)")
        shared.withLock { $0.processID = processID }
        if !plan.globalStores.isEmpty {
            // Global tables are read to their end before any stream thread processes.
            let global = try GlobalStreamThread.start(plan: plan, config: config, logger: logger) { [weak self] error in
                self?.globalThreadFailed(error)
            }
            shared.withLock { $0.globalThread = global }
        }
        transition(to: .rebalancing)
        for index in 0..<config.numStreamThreads {
            startThread(index: index)
        }
    }

    private func startThread(index: Int) {
        let control = StreamThreadControl(index: index) { [weak self] index, state in
            self?.threadStateChanged(index: index, state: state)
        }
        let (globalStores, processID) = shared.withLock { shared in
            shared.threads.append(control)
            return (shared.globalThread?.stores ?? [:], shared.processID)
        }
        StreamThread.start(
            control: control, plan: plan, config: config, registry: registry, logger: logger, processID: processID,
            globalStores: globalStores)
    }

    private func threadStateChanged(index: Int, state: StreamThreadState) {
        if state == .dead {
            threadDied(index: index)
            return
        }
        let threadStates = shared.withLock { $0.threads.filter { !$0.isFinished }.map(\.state) }
        let current = self.state
        guard current == .rebalancing || current == .running else { return }
        if threadStates.allSatisfy({ $0 == .running }) {
            transition(to: .running)
        } else if threadStates.contains(where: { $0 == .partitionsAssigned || $0 == .partitionsRevoked || $0 == .starting }) {
            transition(to: .rebalancing)
        }
    }

    private func threadDied(index: Int) {
        let (control, handler) = shared.withLock { shared in
            (shared.threads.first { $0.index == index }, shared.exceptionHandler)
        }
        guard let control, let error = control.error else {
            checkAllThreadsFinished()
            return
        }
        let current = state
        guard current == .running || current == .rebalancing else {
            checkAllThreadsFinished()
            return
        }
        shared.withLock { $0.lastError = error }
        switch handler(error) {
        case .replaceThread:
            logger.warning("replacing failed stream thread", metadata: ["thread": "\(index)", "error": "\(error)"])
            shared.withLock { $0.threads.removeAll { $0 === control } }
            startThread(index: index)
        case .shutdownClient, .shutdownApplication:
            logger.error("stream thread failed: shutting down", metadata: ["thread": "\(index)", "error": "\(error)"])
            transition(to: .pendingError)
            let threads = shared.withLock { $0.threads }
            for thread in threads { thread.requestStop() }
            checkAllThreadsFinished()
        }
    }

    /// The global thread failed: as Kafka Streams does, the client stops with that error.
    private func globalThreadFailed(_ error: any Error) {
        let current = state
        guard current == .running || current == .rebalancing else { return }
        logger.error("global stream thread failed: shutting down", metadata: ["error": "\(error)"])
        shared.withLock { $0.lastError = error }
        transition(to: .pendingError)
        let threads = shared.withLock { $0.threads }
        for thread in threads { thread.requestStop() }
        checkAllThreadsFinished()
    }

    private func checkAllThreadsFinished() {
        let (allFinished, global) = shared.withLock { ($0.threads.allSatisfy(\.isFinished), $0.globalThread) }
        guard allFinished else { return }
        // No stream thread needs the global tables any more.
        global?.requestStop()
        switch state {
        case .pendingError: transition(to: .error)
        case .pendingShutdown: transition(to: .notRunning)
        default: break
        }
    }

    /// Stops the stream threads: each commits, closes its tasks and leaves the group.
    ///
    /// - Returns: whether every thread stopped within `timeout`.
    @discardableResult
    public func close(timeout: Duration = .seconds(60)) -> Bool {
        let threads: [StreamThreadControl] = shared.withLock { shared in
            shared.threads
        }
        switch state {
        case .created:
            transition(to: .notRunning)
            return true
        case .notRunning, .error:
            return true
        case .rebalancing, .running:
            transition(to: .pendingShutdown)
        case .pendingShutdown, .pendingError:
            break
        }
        for thread in threads { thread.requestStop() }
        let deadline = ContinuousClock.now + timeout
        var allStopped = true
        for thread in threads {
            let remaining = deadline - ContinuousClock.now
            if !thread.waitUntilFinished(timeout: max(.zero, remaining)) { allStopped = false }
        }
        // The global thread last: stream threads read its stores until they stop.
        if let global = shared.withLock({ $0.globalThread }) {
            global.requestStop()
            if !global.waitUntilFinished(timeout: max(.zero, deadline - ContinuousClock.now)) { allStopped = false }
        }
        if allStopped { checkAllThreadsFinished() }
        if allStopped, state == .pendingShutdown { transition(to: .notRunning) }
        return allStopped
    }

    /// Pauses processing on every stream thread and waits until each has committed and stopped
    /// (Kafka Streams' `pause()`). The application stays in the group and keeps its state;
    /// interactive queries then see a state that no longer changes.
    ///
    /// - Returns: whether every thread paused within `timeout`.
    @discardableResult
    public func pause(timeout: Duration = .seconds(30)) -> Bool {
        let threads = shared.withLock { $0.threads }
        for thread in threads { thread.requestPause(true) }
        let deadline = ContinuousClock.now + timeout
        // Checked once more after the deadline, so a caller descheduled past it still sees a pause.
        while true {
            if threads.allSatisfy({ $0.isPaused || $0.isFinished }) { return true }
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// Resumes processing after ``pause(timeout:)``.
    public func resume() {
        let threads = shared.withLock { $0.threads }
        for thread in threads { thread.requestPause(false) }
    }

    /// Whether ``pause(timeout:)`` was called without ``resume()``.
    public var isPaused: Bool {
        shared.withLock { $0.threads }.allSatisfy { $0.shouldPause }
    }

    /// Deletes this application's local state directory. Only allowed when not running.
    public func cleanUp() throws {
        guard state == .created || state == .notRunning || state == .error else {
            throw StreamsError.invalidState("cleanUp() needs a stopped application; state is \(state)")
        }
        let directory = "\(config.stateDir)/\(config.applicationID)"
        if FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Waits until the application is `notRunning` or `error`.
    public func waitUntilTerminated() async {
        await withCheckedContinuation { continuation in
            let done = shared.withLock { shared -> Bool in
                if shared.state == .notRunning || shared.state == .error { return true }
                shared.terminationWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func transition(to newState: State) {
        let (old, listener, waiters) = shared.withLock { shared -> (State, (@Sendable (State, State) -> Void)?, [CheckedContinuation<Void, Never>]) in
            let old = shared.state
            guard old != newState, Self.isValidTransition(from: old, to: newState) else { return (old, nil, []) }
            shared.state = newState
            var waiters: [CheckedContinuation<Void, Never>] = []
            if newState == .notRunning || newState == .error {
                waiters = shared.terminationWaiters
                shared.terminationWaiters = []
            }
            return (old, shared.stateListener, waiters)
        }
        guard old != newState, Self.isValidTransition(from: old, to: newState) else { return }
        logger.info("state transition", metadata: ["from": "\(old)", "to": "\(newState)"])
        listener?(newState, old)
        for waiter in waiters { waiter.resume() }
    }

    private static func isValidTransition(from old: State, to new: State) -> Bool {
        switch (old, new) {
        case (.created, .rebalancing), (.created, .pendingShutdown), (.created, .notRunning), (.created, .pendingError):
            true
        case (.rebalancing, .running), (.rebalancing, .pendingShutdown), (.rebalancing, .pendingError):
            true
        case (.running, .rebalancing), (.running, .pendingShutdown), (.running, .pendingError):
            true
        case (.pendingShutdown, .notRunning), (.pendingError, .error):
            true
        default:
            false
        }
    }
}
