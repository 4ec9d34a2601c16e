/// A step of a topology written by hand: the Processor API.
///
/// A processor is created once per task with its context, sees each record of its input with
/// ``process(_:)``, forwards results through the context, and is closed when the task closes.
///
/// ```swift
/// struct Dedupe: Processor {
///     let context: ProcessorContext<String, String>
///     let seen: KeyValueStore<String, Int64>
///     init(context: ProcessorContext<String, String>) throws {
///         self.context = context
///         self.seen = try context.stateStore(named: "seen")
///     }
///     mutating func process(_ record: Record<String, String>) throws {
///         if try seen.get(record.key) == nil {
///             try seen.put(record.key, record.timestamp)
///             try context.forward(record)
///         }
///     }
/// }
/// ```
public protocol Processor: SendableMetatype {
    associatedtype KeyIn
    associatedtype ValueIn
    associatedtype KeyOut
    associatedtype ValueOut

    /// Creates the processor of one task.
    init(context: ProcessorContext<KeyOut, ValueOut>) throws

    /// Handles one record.
    mutating func process(_ record: Record<KeyIn, ValueIn>) throws

    /// Releases what the processor holds; the task is closing.
    mutating func close() throws
}

extension Processor {
    public mutating func close() throws {}
}
