import CRdKafka

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The topic names a consumer's batches have seen, so that each topic's name is one `String` from
/// batch to batch.
///
/// Callers compare a record's topic with the last one they saw (the streams runtime does, per
/// record); two equal names in separate `String`s compare their bytes, the same `String` only its
/// pointer. Names are matched by content, not by librdkafka's topic handle, whose address a
/// destroyed topic may pass on to another.
struct TopicNameCache {
    /// Enough for the topics of a consumer's subscription; older names make room for new ones.
    static let capacity = 32

    private var names: [String] = []

    /// The name of the message's topic ("" when it has none).
    mutating func name(of message: UnsafePointer<rd_kafka_message_t>) -> String {
        guard let pointer = NativeMessage.topicNamePointer(of: message) else { return "" }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
        if let known = names.first(where: { $0.utf8.count == bytes.count && $0.utf8.elementsEqual(bytes) }) {
            return known
        }
        let name = String(decoding: bytes, as: UTF8.self)
        if names.count >= Self.capacity { names.removeFirst() }
        names.append(name)
        return name
    }
}
