/// The bytes that the read caches of one stream thread's RocksDB stores may hold together
/// (``ReadCacheTable``, in front of key-value, window and session stores): each store takes its
/// table at once, grows it in steps, and gives it back when it closes.
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

    /// Takes `bytes` if that many remain; returns `false`, taking nothing, when they do not.
    func take(_ bytes: Int) -> Bool {
        guard bytes <= remaining else { return false }
        remaining -= bytes
        return true
    }

    /// Gives back bytes taken earlier.
    func giveBack(_ bytes: Int) {
        remaining += bytes
    }
}
