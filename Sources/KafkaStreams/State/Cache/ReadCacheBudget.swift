/// The bytes that the read caches of one stream thread's RocksDB stores may hold together
/// (``ReadCachingKeyValueBytesStore``), charged and refunded as entries come and go.
///
/// One per stream thread, used only on that thread.
final class ReadCacheBudget {
    /// Bytes not yet taken.
    private(set) var remaining: Int
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        self.remaining = self.capacity
    }

    /// Swaps an entry of `old` bytes for one of `new` bytes if the budget allows it.
    /// Returns `false`, changing nothing, when it does not.
    func exchange(old: Int, new: Int) -> Bool {
        guard remaining + old >= new else { return false }
        remaining += old - new
        return true
    }

    /// Gives back the bytes of entries that are gone.
    func refund(_ bytes: Int) {
        remaining = min(capacity, remaining + bytes)
    }
}
