/// The array a source node reads a ``Serde/bytes`` key or value into, reused from record to record
/// (``BuiltInSerde/deserialize(_:reusing:)``).
///
/// Deserializing into a new array costs an allocation and a free per record (~15% of a
/// stateless topology's thread). When the previous record's array is no longer referenced
/// (nothing downstream kept it), its storage is overwritten instead; when something kept it,
/// copy-on-write gives this record a new array, so kept values never change. One per source
/// node, used on its task's thread only.
final class ReusedBytes {
    /// Larger values are not kept between records, so a few large ones do not pin memory.
    static let largestReused = 4096

    @exclusivity(unchecked) private var bytes: [UInt8] = []

    /// The bytes as an array that may share storage with the previous call's result.
    @inline(__always)
    func copy(_ source: UnsafeRawBufferPointer) -> [UInt8] {
        guard source.count <= Self.largestReused else { return Array(source) }
        // In place when the storage is not shared, else into a new array; one call rather than
        // `removeAll(keepingCapacity:)` then `append(contentsOf:)` (two uniqueness checks).
        bytes.replaceSubrange(bytes.startIndex..<bytes.endIndex, with: source)
        return bytes
    }
}
