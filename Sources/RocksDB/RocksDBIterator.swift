internal import CRocksDB

/// A cursor over the keys of a ``RocksDB``, or of one of its column families, in bytewise order,
/// optionally limited to `[lowerBound, upperBound)`.
///
/// It reads a consistent snapshot taken when it was made: later writes are not visible.
/// A new iterator is not positioned; call one of the `seek` methods first.
///
/// ```swift
/// let iterator = try db.makeIterator(lowerBound: [0x10], upperBound: [0x20])
/// iterator.seekToFirst()
/// while let key = iterator.key, let value = iterator.value {
///     // …
///     iterator.next()
/// }
/// try iterator.checkStatus()
/// ```
///
/// When the iterator becomes invalid, call ``checkStatus()``: it distinguishes the end of the range
/// from a read error. Moving an invalid iterator with ``next()`` or ``previous()`` does nothing.
///
/// An iterator keeps its database's files open until it is deinitialized, even past
/// ``RocksDB/close()`` or ``RocksDB/dropColumnFamily(named:)``. It is a single-thread object: it is
/// not `Sendable`.
public final class RocksDBIterator {
    private let iterator: OpaquePointer
    // RocksDB keeps pointers to the read options and to the bound bytes; both must outlive the iterator.
    private let readOptions: OpaquePointer
    private let lowerBound: BoundBytes?
    private let upperBound: BoundBytes?
    // Keeps the database open while the iterator exists. Released after `deinit` has destroyed the
    // iterator, as RocksDB requires.
    private let handle: DatabaseHandle

    /// Makes an iterator over the default column family, or over `family`, a C handle of `handle`'s
    /// that the caller keeps in use until this returns: the iterator does not need it afterwards.
    init(handle: DatabaseHandle, family: OpaquePointer? = nil, lowerBound: [UInt8]?, upperBound: [UInt8]?) {
        self.handle = handle
        let readOptions = rocksdb_readoptions_create()!
        self.lowerBound = lowerBound.map(BoundBytes.init)
        self.upperBound = upperBound.map(BoundBytes.init)
        if let lowerBound = self.lowerBound {
            rocksdb_readoptions_set_iterate_lower_bound(readOptions, lowerBound.pointer, lowerBound.count)
        }
        if let upperBound = self.upperBound {
            rocksdb_readoptions_set_iterate_upper_bound(readOptions, upperBound.pointer, upperBound.count)
        }
        self.readOptions = readOptions
        self.iterator =
            if let family {
                rocksdb_create_iterator_cf(handle.db, readOptions, family)!
            } else {
                rocksdb_create_iterator(handle.db, readOptions)!
            }
    }

    deinit {
        rocksdb_iter_destroy(self.iterator)
        rocksdb_readoptions_destroy(self.readOptions)
        self.lowerBound?.deallocate()
        self.upperBound?.deallocate()
    }

    /// Whether the iterator is positioned on an entry.
    public var isValid: Bool {
        rocksdb_iter_valid(self.iterator) != 0
    }

    /// Positions the iterator on the first entry (at or after the lower bound).
    public func seekToFirst() {
        rocksdb_iter_seek_to_first(self.iterator)
    }

    /// Positions the iterator on the last entry (before the upper bound).
    public func seekToLast() {
        rocksdb_iter_seek_to_last(self.iterator)
    }

    /// Positions the iterator on the first entry whose key is at or after `key`.
    public func seek(_ key: UnsafeRawBufferPointer) {
        rocksdb_iter_seek(self.iterator, key.cBytes, key.count)
    }

    /// Positions the iterator on the first entry whose key is at or after `key`.
    public func seek(_ key: [UInt8]) {
        key.withUnsafeBytes { self.seek($0) }
    }

    /// Positions the iterator on the last entry whose key is at or before `key`.
    public func seekForPrev(_ key: UnsafeRawBufferPointer) {
        rocksdb_iter_seek_for_prev(self.iterator, key.cBytes, key.count)
    }

    /// Positions the iterator on the last entry whose key is at or before `key`.
    public func seekForPrev(_ key: [UInt8]) {
        key.withUnsafeBytes { self.seekForPrev($0) }
    }

    /// Moves to the next entry. Does nothing if the iterator is not valid.
    public func next() {
        // RocksDB only asserts validity, in debug builds; moving an invalid iterator is undefined.
        guard self.isValid else { return }
        rocksdb_iter_next(self.iterator)
    }

    /// Moves to the previous entry. Does nothing if the iterator is not valid.
    public func previous() {
        guard self.isValid else { return }
        rocksdb_iter_prev(self.iterator)
    }

    /// The current key without copying, or `nil` if the iterator is not valid.
    ///
    /// The buffer is valid until the iterator moves or is deinitialized; copy what must live longer.
    public var unsafeKey: UnsafeRawBufferPointer? {
        guard self.isValid else { return nil }
        var length = 0
        let key = rocksdb_iter_key(self.iterator, &length)
        return UnsafeRawBufferPointer(start: key, count: length)
    }

    /// The current value without copying, or `nil` if the iterator is not valid.
    ///
    /// The buffer is valid until the iterator moves or is deinitialized; copy what must live longer.
    public var unsafeValue: UnsafeRawBufferPointer? {
        guard self.isValid else { return nil }
        var length = 0
        let value = rocksdb_iter_value(self.iterator, &length)
        return UnsafeRawBufferPointer(start: value, count: length)
    }

    /// A copy of the current key, or `nil` if the iterator is not valid.
    public var key: [UInt8]? {
        self.unsafeKey.map { [UInt8]($0) }
    }

    /// A copy of the current value, or `nil` if the iterator is not valid.
    public var value: [UInt8]? {
        self.unsafeValue.map { [UInt8]($0) }
    }

    /// Throws the error that made the iterator invalid, if any.
    ///
    /// An iterator that ran past its last entry is invalid without an error.
    public func checkStatus() throws {
        try withStatus { error in rocksdb_iter_get_error(self.iterator, error) }
    }
}

/// A copy of bound bytes in stable memory, with a non-NULL address even when empty: NULL would mean
/// "no bound", while an empty upper bound means "nothing".
private struct BoundBytes {
    let pointer: UnsafeMutablePointer<CChar>
    let count: Int

    init(_ bytes: [UInt8]) {
        self.pointer = .allocate(capacity: max(bytes.count, 1))
        self.count = bytes.count
        bytes.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(self.pointer).copyMemory(from: bytes.cBytes, byteCount: bytes.count)
        }
    }

    func deallocate() {
        self.pointer.deallocate()
    }
}

@available(*, unavailable, message: "A RocksDBIterator is a single-thread object")
extension RocksDBIterator: Sendable {}
