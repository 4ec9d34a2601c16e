/// A table update: the new value and the value it replaces; `nil` is absent (a tombstone for new).
///
/// Tables forward changes so that downstream aggregations can subtract old values.
struct Change<Value> {
    var newValue: Value?
    var oldValue: Value?

    /// Always inlined: called out of line from unspecialized node code, it would look up
    /// `Change<Value>`'s metadata once more per record.
    @inline(__always)
    init(newValue: Value?, oldValue: Value?) {
        self.newValue = newValue
        self.oldValue = oldValue
    }
}

/// Detects `nil` in values of generic type, decided once per node instead of per record.
protocol OptionalProtocol {
    var isNone: Bool { get }
}

extension Optional: OptionalProtocol {
    var isNone: Bool { self == nil }
}

/// Returns a check for "is Kafka's null" for values of `T`, or `nil` when `T` cannot be null.
func nullCheck<T>(_: T.Type) -> (@Sendable (T) -> Bool)? {
    guard T.self is any OptionalProtocol.Type else { return nil }
    return { value in (value as? any OptionalProtocol)?.isNone ?? false }
}
