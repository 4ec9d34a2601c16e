/// Hears how state stores are restored from their changelog topics when tasks are assigned.
///
/// Called on the stream thread that restores, so keep the closures short.
public struct StateRestoreListener: Sendable {
    /// A store starts restoring: changelog topic, partition, store name, start and end offsets.
    public var onRestoreStart: @Sendable (_ topic: String, _ partition: Int32, _ store: String, _ startOffset: Int64, _ endOffset: Int64) -> Void
    /// A batch was applied: the batch's last offset and its record count.
    public var onBatchRestored: @Sendable (_ topic: String, _ partition: Int32, _ store: String, _ batchEndOffset: Int64, _ records: Int) -> Void
    /// A store is restored: the total number of records applied.
    public var onRestoreEnd: @Sendable (_ topic: String, _ partition: Int32, _ store: String, _ totalRestored: Int) -> Void

    public init(
        onRestoreStart: @escaping @Sendable (String, Int32, String, Int64, Int64) -> Void = { _, _, _, _, _ in },
        onBatchRestored: @escaping @Sendable (String, Int32, String, Int64, Int) -> Void = { _, _, _, _, _ in },
        onRestoreEnd: @escaping @Sendable (String, Int32, String, Int) -> Void = { _, _, _, _ in }
    ) {
        self.onRestoreStart = onRestoreStart
        self.onBatchRestored = onBatchRestored
        self.onRestoreEnd = onRestoreEnd
    }
}
