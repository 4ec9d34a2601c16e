/// Overwriting an array with a record's bytes in place, as a source node's slot for a
/// ``Serde/bytes`` key or value does from record to record (``BuiltInSerde/read(_:into:)``).
///
/// Deserializing into a new array costs an allocation and a free per record (~15% of a
/// stateless topology's thread). When the previous record's array is no longer referenced
/// (nothing downstream kept it), its storage is overwritten instead; when something kept it,
/// copy-on-write gives this record a new array, so kept values never change.
enum ReusedBytes {
    /// Larger values are not kept between records, so a few large ones do not pin memory.
    static let largestReused = 4096

    /// Makes `array` hold a copy of `source`, in its own storage when that is not shared and
    /// both are small.
    @inline(__always)
    static func overwrite(_ array: inout [UInt8], with source: UnsafeRawBufferPointer) {
        guard source.count <= largestReused, array.capacity <= largestReused else {
            array = Array(source)
            return
        }
        // Bytes of the same length as the last record's (keys of one length, say): copied over
        // them, which skips `replaceSubrange`'s bookkeeping (~70 instructions).
        if array.count == source.count, let base = source.baseAddress {
            array.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: base, byteCount: source.count) }
            return
        }
        // In place when the storage is not shared, else into a new array; one call rather than
        // `removeAll(keepingCapacity:)` then `append(contentsOf:)` (two uniqueness checks).
        array.replaceSubrange(array.startIndex..<array.endIndex, with: source)
    }
}
