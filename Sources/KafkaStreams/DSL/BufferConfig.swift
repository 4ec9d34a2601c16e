/// The bounds of a suppression buffer and what happens when they are reached; for
/// ``Suppressed``.
///
/// ```swift
/// .untilWindowCloses(.unbounded())                              // never full
/// .untilWindowCloses(.maxRecords(10_000).shutDownWhenFull())     // fail rather than emit early
/// .untilTimeLimit(.seconds(30), bufferConfig: .maxBytes(1 << 20)) // emits early when full
/// ```
///
/// A bounded buffer emits its oldest records early when full (``emitEarlyWhenFull()``, the default
/// for `maxRecords` and `maxBytes`) or stops the stream thread with a ``StreamsError``
/// (``shutDownWhenFull()``). Final results (`untilWindowCloses`) must never be emitted early,
/// so they need an unbounded buffer or one that shuts down when full; `build()` throws a
/// ``TopologyError`` otherwise. The buffer is kept in memory and, unless logging is disabled,
/// backed by a changelog topic (`<store>-changelog`) from which it is restored.
public struct BufferConfig: Sendable, Hashable {
    /// What a full buffer does.
    public enum FullStrategy: Sendable, Hashable {
        /// Emit the oldest buffered records until the buffer fits again.
        case emitEarly
        /// Stop: the stream thread fails.
        case shutDown
    }

    /// The most records the buffer holds; `nil` is unbounded.
    public var maxRecords: Int?
    /// The most bytes (serialized keys and values, plus per-record overhead) the buffer holds;
    /// `nil` is unbounded.
    public var maxBytes: Int?
    /// What happens when a bound is exceeded.
    public var fullStrategy: FullStrategy
    /// Whether the buffer is backed by a changelog topic.
    public var loggingEnabled = true
    /// Extra topic configs of the changelog topic.
    public var changelogConfigs: [String: String] = [:]

    /// A buffer without bounds: it holds whatever is suppressed (memory permitting).
    public static func unbounded() -> BufferConfig {
        BufferConfig(maxRecords: nil, maxBytes: nil, fullStrategy: .shutDown)
    }

    /// A buffer of at most `maxRecords` records that emits early when full.
    public static func maxRecords(_ maxRecords: Int) -> BufferConfig {
        BufferConfig(maxRecords: maxRecords, maxBytes: nil, fullStrategy: .emitEarly)
    }

    /// A buffer of at most `maxBytes` bytes that emits early when full.
    public static func maxBytes(_ maxBytes: Int) -> BufferConfig {
        BufferConfig(maxRecords: nil, maxBytes: maxBytes, fullStrategy: .emitEarly)
    }

    /// The same buffer, also bounded to `maxRecords` records.
    public func withMaxRecords(_ maxRecords: Int) -> BufferConfig {
        var copy = self
        copy.maxRecords = maxRecords
        return copy
    }

    /// The same buffer, also bounded to `maxBytes` bytes.
    public func withMaxBytes(_ maxBytes: Int) -> BufferConfig {
        var copy = self
        copy.maxBytes = maxBytes
        return copy
    }

    /// When full, emit the oldest records early (results are then not final).
    public func emitEarlyWhenFull() -> BufferConfig {
        var copy = self
        copy.fullStrategy = .emitEarly
        return copy
    }

    /// When full, stop the stream thread with a ``StreamsError`` rather than emit early.
    public func shutDownWhenFull() -> BufferConfig {
        var copy = self
        copy.fullStrategy = .shutDown
        return copy
    }

    /// No changelog topic: buffered records are lost with the task's local state.
    public func withLoggingDisabled() -> BufferConfig {
        var copy = self
        copy.loggingEnabled = false
        return copy
    }

    /// A changelog topic (the default) with these extra topic configs.
    public func withLoggingEnabled(_ configs: [String: String] = [:]) -> BufferConfig {
        var copy = self
        copy.loggingEnabled = true
        copy.changelogConfigs = configs
        return copy
    }

    /// Whether the buffer can emit before the suppression's time is up.
    var emitsEarly: Bool { fullStrategy == .emitEarly && (maxRecords != nil || maxBytes != nil) }

    func validate(node: String) throws {
        if let maxRecords, maxRecords < 0 {
            throw TopologyError.invalidTopology("suppression \(node): maxRecords must not be negative, got \(maxRecords)")
        }
        if let maxBytes, maxBytes < 0 {
            throw TopologyError.invalidTopology("suppression \(node): maxBytes must not be negative, got \(maxBytes)")
        }
    }
}
