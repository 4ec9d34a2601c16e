/// A byte store whose keys stop being readable once they fall behind its retention period
/// (``SegmentedBytesStore``): what a read cache in front of it asks before it answers.
protocol RetentionBoundedBytesStore: KeyValueBytesStore {
    /// Whether a read of `key` may find it: `false` once the key has expired, when ``get(_:)``
    /// answers `nil` whatever was written.
    func isReadable(_ key: [UInt8]) throws -> Bool
}
