import CRdKafka

extension KafkaProducer {
    /// A handle to one topic of a producer: messages produced through it skip librdkafka's
    /// lookup of the topic by name.
    ///
    /// Producing by name (``KafkaProducer/produce(topic:partition:key:value:headers:lastHeader:timestamp:tag:)``)
    /// makes librdkafka take its client-wide write lock, find the topic among the client's topics
    /// by comparing names, and count a reference to it, for every message; a topic handle is
    /// found once. Get one with ``KafkaProducer/topic(_:)`` and produce with
    /// ``KafkaProducer/produce(to:partition:key:value:timestamp:tag:)``.
    ///
    /// The handle keeps its producer alive: librdkafka wants every topic handle destroyed before
    /// its client.
    public final class Topic: @unchecked Sendable {
        // Sendable: librdkafka's topic handles (`rd_kafka_topic_t`) are reference-counted and
        // thread-safe; produce may use one from any thread at once. It is destroyed once, in
        // deinit, while `producer` (and so the client) is still alive.
        /// The topic's name.
        public let name: String
        /// The producer the handle belongs to; only it can produce through the handle.
        public let producer: KafkaProducer
        let handle: OpaquePointer

        fileprivate init(name: String, producer: KafkaProducer, handle: OpaquePointer) {
            self.name = name
            self.producer = producer
            self.handle = handle
        }

        deinit {
            rd_kafka_topic_destroy(handle)
        }
    }

    /// A handle to `name`, for producing without a lookup of the topic per message.
    ///
    /// Getting a handle does not contact the broker: a topic that does not exist fails when
    /// messages are produced to it, as when producing by name.
    /// - Throws: ``KafkaError`` when librdkafka refuses the name (for example an empty one).
    public func topic(_ name: String) throws(KafkaError) -> Topic {
        guard let handle = rd_kafka_topic_new(self.handle, name, nil) else {
            throw KafkaError(responseError: rd_kafka_last_error(), context: "topic handle for \(name)")
        }
        return Topic(name: name, producer: self, handle: handle)
    }
}
