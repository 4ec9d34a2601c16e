import Synchronization

/// Which local tasks have which stores open: what interactive queries read from other threads.
///
/// Stream threads register a task's byte stores when it is created and remove them before it
/// closes. Stores guard themselves; this registry only guards the map.
final class StoreRegistry: Sendable {
    private let stores = Mutex<[TaskID: [String: any KeyValueBytesStore & Sendable]]>([:])

    func register(_ task: TaskID, _ taskStores: [String: any KeyValueBytesStore & Sendable]) {
        stores.withLock { $0[task] = taskStores }
    }

    func unregister(_ task: TaskID) {
        stores.withLock { _ = $0.removeValue(forKey: task) }
    }

    /// The stores named `name` of all local tasks, in task order.
    func stores(named name: String) -> [any KeyValueBytesStore & Sendable] {
        stores.withLock { all in
            all.keys.sorted().compactMap { all[$0]?[name] }
        }
    }

    var taskIDs: [TaskID] { stores.withLock { $0.keys.sorted() } }
}
