/// One `Windowed<Key>` kept in memory and overwritten field by field, for nodes that forward a
/// windowed key per record from unspecialized generic code.
///
/// Building a `Windowed<Key>` there costs lookups of its generic metadata (for the value's size
/// and in its initializer). The slot looks its layout up once, then writes the key and the
/// window at their offsets (`MemoryLayout.offset(of:)`), which needs only `Key`'s metadata.
/// Used on one task's thread only, like the node that owns it.
final class WindowedSlot<Key> {
    private let slot = UnsafeMutablePointer<Windowed<Key>>.allocate(capacity: 1)
    private let keyOffset = MemoryLayout<Windowed<Key>>.offset(of: \Windowed<Key>.key)!
    private let windowOffset = MemoryLayout<Windowed<Key>>.offset(of: \Windowed<Key>.window)!
    /// Whether the slot holds a value (from the first ``set(key:window:)`` on).
    private var holdsValue = false

    deinit {
        if holdsValue { slot.deinitialize(count: 1) }
        slot.deallocate()
    }

    /// Makes the slot's value `Windowed(key: key, window: window)` and returns the slot. The
    /// value stays until the next call, so that forwarding it needs no copy.
    @inline(__always)
    func set(key: Key, window: TimeWindow) -> UnsafeMutablePointer<Windowed<Key>> {
        let raw = UnsafeMutableRawPointer(slot)
        let keyField = (raw + keyOffset).assumingMemoryBound(to: Key.self)
        if holdsValue {
            keyField.pointee = key
        } else {
            keyField.initialize(to: key)
        }
        (raw + windowOffset).assumingMemoryBound(to: TimeWindow.self).initialize(to: window)
        holdsValue = true
        return slot
    }
}
