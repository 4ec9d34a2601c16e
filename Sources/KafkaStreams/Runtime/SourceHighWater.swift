/// Client-side isolation of aborted repartition records under exactly-once.
///
/// Brokers that do not filter aborted transactions (Tansu; see docs/exactly-once.md) hand
/// `read_committed` readers the repartition records of aborted transactions, and the upstream task
/// then writes the same records again when it reprocesses. Each repartition record written while
/// processing an input record therefore names its source: the upstream input topic, partition and
/// offset, and its sequence among the repartition records of that input record. Reprocessing is
/// deterministic, so a copy carries the same source as the original. The downstream task accepts
/// a record only if its source is past the highest one it accepted from that upstream partition,
/// so each source counts once, whichever copy comes first.
///
/// The high-water marks are kept with the task's state: written in the commit's atomic store
/// write and read back when the task is created. Records without a source (punctuations, record
/// cache flushes, at-least-once writers) are always accepted.
struct SourceHighWater {
    /// The header carrying a repartition record's source:
    /// `[partition: 4 bytes BE][offset: 8 bytes BE][sequence: 4 bytes BE][topic, UTF-8]`, the
    /// topic left out when the writing task reads only one (its upstream is then named by the
    /// partition alone, which is unique: one subtopology writes each repartition topic).
    static let header = "\(headerName)"
    private static let headerName: StaticString = "__streams.source"

    struct Upstream: Hashable {
        var topic: String
        var partition: Int32
    }

    struct Position: Comparable {
        var offset: Int64
        var sequence: UInt32

        static func < (a: Position, b: Position) -> Bool {
            (a.offset, a.sequence) < (b.offset, b.sequence)
        }
    }

    private(set) var marks: [Upstream: Position] = [:]
    /// Records dropped as copies since the task started.
    private(set) var duplicatesSkipped = 0

    /// Whether a record with this source header is new (and remembers it), or a copy.
    mutating func accept(_ header: [UInt8]) -> Bool {
        header.withUnsafeBytes { accept($0) }
    }

    /// ``accept(_:)-([UInt8])`` of a header value read in place.
    mutating func accept(_ header: UnsafeRawBufferPointer) -> Bool {
        guard let (upstream, position) = Self.decode(header) else { return true }
        if let mark = marks[upstream], position <= mark {
            duplicatesSkipped += 1
            return false
        }
        marks[upstream] = position
        return true
    }

    static func encode(topic: String?, partition: Int32, offset: Int64, sequence: UInt32) -> [UInt8] {
        withEncoded(topic: topic, partition: partition, offset: offset, sequence: sequence) { Array($0) }
    }

    /// Calls `body` with the header value of ``encode(topic:partition:offset:sequence:)``, built on
    /// the stack: one is written per repartition record.
    static func withEncoded<Result>(
        topic: String?, partition: Int32, offset: Int64, sequence: UInt32,
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        let count = 16 + (topic?.utf8.count ?? 0)
        return try withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { buffer in
            buffer.storeBytes(of: partition.bigEndian, toByteOffset: 0, as: Int32.self)
            buffer.storeBytes(of: offset.bigEndian, toByteOffset: 4, as: Int64.self)
            buffer.storeBytes(of: sequence.bigEndian, toByteOffset: 12, as: UInt32.self)
            if let topic {
                var index = 16
                for byte in topic.utf8 { buffer[index] = byte; index += 1 }
            }
            return try body(UnsafeRawBufferPointer(buffer))
        }
    }

    static func decode(_ bytes: [UInt8]) -> (Upstream, Position)? {
        bytes.withUnsafeBytes { decode($0) }
    }

    static func decode(_ raw: UnsafeRawBufferPointer) -> (Upstream, Position)? {
        guard raw.count >= 16 else { return nil }
        let partition = Int32(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: Int32.self))
        let offset = Int64(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: Int64.self))
        let sequence = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        let topic = raw.count > 16 ? String(decoding: UnsafeRawBufferPointer(rebasing: raw[16...]), as: UTF8.self) : ""
        return (Upstream(topic: topic, partition: partition), Position(offset: offset, sequence: sequence))
    }

    /// Whether a header name, as librdkafka hands it (NUL-terminated), is ``header``; compared in
    /// place, without making a `String` of every header of every repartition record.
    static func isHeader(named name: UnsafePointer<CChar>) -> Bool {
        headerName.withUTF8Buffer { bytes in
            for index in bytes.indices where UInt8(bitPattern: name[index]) != bytes[index] { return false }
            return name[bytes.count] == 0
        }
    }

    // MARK: - Persistence

    /// The marks as bytes: per upstream `[topic length: 2 BE][topic][partition 4][offset 8][sequence 4]`.
    var serialized: [UInt8] {
        var bytes: [UInt8] = []
        for (upstream, position) in marks.sorted(by: { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }) {
            let topic = Array(upstream.topic.utf8)
            withUnsafeBytes(of: UInt16(clamping: topic.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: topic.prefix(Int(UInt16.max)))
            withUnsafeBytes(of: upstream.partition.bigEndian) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: position.offset.bigEndian) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: position.sequence.bigEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Marks read back from ``serialized``; `nil` if the bytes are not such a list.
    init?(serialized bytes: [UInt8]) {
        var index = 0
        func read<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard index + MemoryLayout<T>.size <= bytes.count else { return nil }
            defer { index += MemoryLayout<T>.size }
            return bytes.withUnsafeBytes { T(bigEndian: $0.loadUnaligned(fromByteOffset: index, as: T.self)) }
        }
        while index < bytes.count {
            guard let length = read(UInt16.self), index + Int(length) <= bytes.count else { return nil }
            let topic = String(decoding: bytes[index..<index + Int(length)], as: UTF8.self)
            index += Int(length)
            guard let partition = read(Int32.self), let offset = read(Int64.self), let sequence = read(UInt32.self)
            else { return nil }
            marks[Upstream(topic: topic, partition: partition)] = Position(offset: offset, sequence: sequence)
        }
    }

    init() {}
}
