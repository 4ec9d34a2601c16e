/// What a ``Processor`` sees of its task: the record's origin, time, stores, forwarding and
/// punctuation.
///
/// One context per processor per task, used on the task's thread only.
public final class ProcessorContext<KeyOut, ValueOut> {
    let task: TaskContext
    let nodeName: String
    let downstream = Forwarder<KeyOut, ValueOut>()
    /// The stores connected to this processor; others are not visible to it.
    var connectedStores: Set<String> = []

    init(task: TaskContext, nodeName: String) {
        self.task = task
        self.nodeName = nodeName
    }

    /// The application id.
    public var applicationID: String { task.applicationID }

    /// The task, as `subtopology_partition`.
    public var taskID: TaskID { task.taskID }

    /// Topic, partition and offset of the record being processed; `nil` in punctuations.
    public var recordMetadata: RecordMetadata? { task.recordMetadata }

    /// The task's stream time: the largest record timestamp it has processed, or -1 before any.
    public var currentStreamTime: Int64 { task.streamTime }

    /// Wall-clock time in epoch milliseconds (the test driver's mock clock under test).
    public var currentSystemTime: Int64 { task.wallClock() }

    /// Sends a record to every child of this processor.
    public func forward(_ record: Record<KeyOut, ValueOut>) throws {
        try downstream.forward(record)
    }

    /// Sends a record to the child with this name only.
    public func forward(_ record: Record<KeyOut, ValueOut>, to child: String) throws {
        try downstream.forward(record, to: child)
    }

    /// The store named `name`, connected to this processor, with the store's types.
    ///
    /// ```swift
    /// let store: KeyValueStore<String, Int64> = try context.stateStore(named: "counts")
    /// ```
    public func stateStore<S: StateStore>(named name: String, as _: S.Type = S.self) throws -> S {
        guard connectedStores.contains(name), let store = task.stores[name] else {
            throw StreamsError.unknownStore(
                name: name, message: "is not connected to processor \(nodeName) in task \(task.taskID)")
        }
        guard let typed = store as? S else {
            throw StreamsError.unknownStore(name: name, message: "is a \(type(of: store)), not a \(S.self)")
        }
        return typed
    }

    /// Calls `punctuator` every `interval` of stream time or wall-clock time, with that time in
    /// epoch milliseconds.
    @discardableResult
    public func schedule(
        interval: Duration, type: PunctuationType, _ punctuator: @escaping (Int64) throws -> Void
    ) throws -> Cancellable {
        let millis = interval.milliseconds
        guard millis >= 1 else {
            throw StreamsError.invalidState("punctuation interval must be at least 1 ms, got \(interval)")
        }
        let next: Int64 =
            switch type {
            case .streamTime: 0
            case .wallClockTime: task.wallClock() + millis
            }
        let entry = PunctuationSchedule.Entry(interval: millis, next: next, nodeName: nodeName) { [unowned task] time in
            try NodeFailure.unwrapping(into: task) { try punctuator(time) }
        }
        task.punctuations.add(entry, type: type)
        return entry.cancellable
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
