import CRdKafka

extension KafkaProducer {
    /// Queues a message for sending; librdkafka copies key, value and headers.
    ///
    /// - Parameters:
    ///   - topic: the topic to produce to.
    ///   - partition: the partition, or `nil` to let the configured partitioner choose (by key hash).
    ///   - key: the key, or `nil` for a null key.
    ///   - value: the value, or `nil` for a null value (a tombstone in compacted topics).
    ///   - headers: headers in order; names may repeat, values may be `nil`.
    ///   - timestamp: CreateTime in milliseconds since the epoch, or `nil` for now.
    ///   - tag: an application value returned in the message's ``DeliveryReport``.
    /// - Throws: ``KafkaError/Code/queueFull`` when the local queue is full (serve delivery reports
    ///   with ``poll(timeout:)`` and retry), ``KafkaError/Code/fatal``-class errors once the
    ///   producer is unusable, or errors for unknown topics and partitions.
    public func produce(
        topic: String,
        partition: Int32? = nil,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestamp: Int64? = nil,
        tag: UInt64 = 0
    ) throws(KafkaError) {
        let error: KafkaError? = withOptionalBytes(key) { key in
            withOptionalBytes(value) { value in
                produceNative(topic: topic, partition: partition, key: key, value: value, headers: headers, timestamp: timestamp, tag: tag)
            }
        }
        if let error { throw error }
    }

    /// Queues a message for sending from borrowed memory; librdkafka copies key, value and headers
    /// before returning, so the buffers may be reused at once.
    ///
    /// This is the allocation-free variant: serialize into a reusable buffer and pass a view of it.
    /// A `nil` buffer is a null key or value; an empty non-`nil` buffer is an empty one.
    /// `lastHeader`, when given, is sent after `headers`, its value read from borrowed memory
    /// too (a header written per record needs no array then). Other parameters and errors are
    /// those of the `[UInt8]` variant.
    public func produce(
        topic: String,
        partition: Int32? = nil,
        key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader] = [],
        lastHeader: (name: String, value: UnsafeRawBufferPointer?)? = nil,
        timestamp: Int64? = nil,
        tag: UInt64 = 0
    ) throws(KafkaError) {
        if let error = produceNative(
            topic: topic, partition: partition, key: key, value: value, headers: headers, lastHeader: lastHeader,
            timestamp: timestamp, tag: tag)
        {
            throw error
        }
    }

    /// Queues a message without headers for sending through a topic handle (``topic(_:)``),
    /// from borrowed memory; librdkafka copies key and value before returning.
    ///
    /// The cheapest way to produce: no lookup of the topic by name, no header buffers. Other
    /// parameters and errors are those of
    /// ``produce(topic:partition:key:value:headers:lastHeader:timestamp:tag:)``.
    /// - Throws: ``KafkaError/Code/invalidArgument`` when `topic` belongs to another producer.
    public func produce(
        to topic: Topic,
        partition: Int32? = nil,
        key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer?,
        timestamp: Int64? = nil,
        tag: UInt64 = 0
    ) throws(KafkaError) {
        try checkOwned(topic)
        // librdkafka reads a NULL pointer as a null key/value and (pointer, 0) as an empty one,
        // so an empty buffer without a base address needs some valid non-NULL address.
        let nonNull = UnsafeMutableRawPointer(topic.handle)
        var fields = (
            Self.field(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = topic.handle },
            Self.field(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition ?? -1 },  // RD_KAFKA_PARTITION_UA
            Self.field(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = 0x2 },  // RD_KAFKA_MSG_F_COPY
            Self.field(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: tag)) },
            Self.field(RD_KAFKA_VTYPE_KEY) { field in
                field.u.mem.ptr = key.map { UnsafeMutableRawPointer(mutating: $0.baseAddress) ?? nonNull }
                field.u.mem.size = key?.count ?? 0
            },
            Self.field(RD_KAFKA_VTYPE_VALUE) { field in
                field.u.mem.ptr = value.map { UnsafeMutableRawPointer(mutating: $0.baseAddress) ?? nonNull }
                field.u.mem.size = value?.count ?? 0
            },
            // Last, so that it is left out (librdkafka stamps the message) without it.
            Self.field(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp ?? 0 }
        )
        let count = timestamp == nil ? 6 : 7
        let error = withUnsafeMutableBytes(of: &fields) { bytes in
            rd_kafka_produceva(handle, bytes.baseAddress!.assumingMemoryBound(to: rd_kafka_vu_t.self), count)
        }
        guard let error else { return }
        defer { rd_kafka_error_destroy(error) }
        throw produceError(error, topic: topic.name)
    }

    /// Throws unless `topic` is a handle of this producer.
    @inline(__always)
    private func checkOwned(_ topic: Topic) throws(KafkaError) {
        guard topic.producer === self else {
            throw KafkaError(
                code: .invalidArgument, message: "produce to \(topic.name): the topic handle belongs to another producer")
        }
    }

    @inline(__always)
    private static func field(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) -> rd_kafka_vu_t {
        var field = rd_kafka_vu_t()
        field.vtype = type
        set(&field)
        return field
    }

    /// Queues a message for sending through a topic handle (``topic(_:)``), from borrowed
    /// memory, with headers; librdkafka copies key, value and headers before returning.
    ///
    /// Parameters and errors are those of
    /// ``produce(topic:partition:key:value:headers:lastHeader:timestamp:tag:)``. Without headers
    /// it is ``produce(to:partition:key:value:timestamp:tag:)``.
    /// - Throws: ``KafkaError/Code/invalidArgument`` when `topic` belongs to another producer.
    public func produce(
        to topic: Topic,
        partition: Int32? = nil,
        key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader],
        lastHeader: (name: String, value: UnsafeRawBufferPointer?)? = nil,
        timestamp: Int64? = nil,
        tag: UInt64 = 0
    ) throws(KafkaError) {
        if headers.isEmpty && lastHeader == nil {
            return try produce(to: topic, partition: partition, key: key, value: value, timestamp: timestamp, tag: tag)
        }
        try checkOwned(topic)
        if let error = produceNative(
            topic: topic.name, topicHandle: topic.handle, partition: partition, key: key, value: value, headers: headers,
            lastHeader: lastHeader, timestamp: timestamp, tag: tag)
        {
            throw error
        }
    }

    /// Builds the `rd_kafka_vu_t` array on the stack and calls `rd_kafka_produceva`, with the
    /// topic's handle when given, else its name.
    private func produceNative(
        topic: String,
        topicHandle: OpaquePointer? = nil,
        partition: Int32?,
        key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader],
        lastHeader: (name: String, value: UnsafeRawBufferPointer?)? = nil,
        timestamp: Int64?,
        tag: UInt64
    ) -> KafkaError? {
        // Header names (NUL-terminated) and values are packed into one scratch buffer, which is
        // enough because librdkafka copies headers when the message is created.
        var headerBytes = 0
        for header in headers { headerBytes += header.name.utf8.count + 1 + (header.value?.count ?? 0) }
        if let lastHeader { headerBytes += lastHeader.name.utf8.count + 1 + (lastHeader.value?.count ?? 0) }
        let fieldCount = 7 + headers.count + (lastHeader == nil ? 0 : 1)

        if let topicHandle {
            return produceFields(
                topic: topic, topicField: Self.field(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = topicHandle },
                nonNull: UnsafeRawPointer(topicHandle), partition: partition, key: key, value: value, headers: headers,
                lastHeader: lastHeader, headerBytes: headerBytes, fieldCount: fieldCount, timestamp: timestamp, tag: tag)
        }
        return topic.withCString { topicName -> KafkaError? in
            produceFields(
                topic: topic, topicField: Self.field(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topicName },
                nonNull: UnsafeRawPointer(topicName), partition: partition, key: key, value: value, headers: headers,
                lastHeader: lastHeader, headerBytes: headerBytes, fieldCount: fieldCount, timestamp: timestamp, tag: tag)
        }
    }

    /// ``produceNative(topic:topicHandle:partition:key:value:headers:lastHeader:timestamp:tag:)``
    /// once the topic's field (handle or name) is made; `nonNull` is some valid address.
    private func produceFields(
        topic: String,
        topicField: rd_kafka_vu_t,
        nonNull: UnsafeRawPointer,
        partition: Int32?,
        key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader],
        lastHeader: (name: String, value: UnsafeRawBufferPointer?)?,
        headerBytes: Int,
        fieldCount: Int,
        timestamp: Int64?,
        tag: UInt64
    ) -> KafkaError? {
        // librdkafka reads a NULL pointer as a null key/value and (pointer, 0) as an empty one,
        // so an empty buffer without a base address needs some valid non-NULL address.
        func memory(_ buffer: UnsafeRawBufferPointer?) -> (UnsafeMutableRawPointer?, Int) {
            guard let buffer else { return (nil, 0) }
            return (UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? nonNull), buffer.count)
        }

        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(headerBytes, 1)) { scratch -> KafkaError? in
            withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: fieldCount) { fields -> KafkaError? in
                var count = 0
                func append(_ field: rd_kafka_vu_t) {
                    fields.initializeElement(at: count, to: field)
                    count += 1
                }
                func append(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                    append(Self.field(type, set))
                }
                append(topicField)
                append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition ?? -1 }  // RD_KAFKA_PARTITION_UA
                append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = 0x2 }  // RD_KAFKA_MSG_F_COPY
                append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: tag)) }
                let (keyPointer, keyCount) = memory(key)
                append(RD_KAFKA_VTYPE_KEY) { $0.u.mem.ptr = keyPointer; $0.u.mem.size = keyCount }
                let (valuePointer, valueCount) = memory(value)
                append(RD_KAFKA_VTYPE_VALUE) { $0.u.mem.ptr = valuePointer; $0.u.mem.size = valueCount }
                if let timestamp {
                    append(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp }
                }
                if headerBytes > 0, let base = scratch.baseAddress {
                    var offset = 0
                    func appendHeader<Value: Collection<UInt8>>(_ headerName: String, _ headerValue: Value?) {
                        let name = base + offset
                        for byte in headerName.utf8 { base[offset] = byte; offset += 1 }
                        base[offset] = 0
                        offset += 1
                        var valuePointer: UnsafeRawPointer?
                        var valueCount = 0
                        if let headerValue {
                            valuePointer = UnsafeRawPointer(base + offset)
                            for byte in headerValue { base[offset] = byte; offset += 1 }
                            valueCount = headerValue.count
                        }
                        let nameC = UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self)
                        append(RD_KAFKA_VTYPE_HEADER) {
                            $0.u.header.name = nameC
                            $0.u.header.val = valuePointer
                            $0.u.header.size = valueCount
                        }
                    }
                    for header in headers { appendHeader(header.name, header.value) }
                    if let lastHeader { appendHeader(lastHeader.name, lastHeader.value) }
                }
                guard let error = rd_kafka_produceva(handle, fields.baseAddress, count) else { return nil }
                defer { rd_kafka_error_destroy(error) }
                return produceError(error, topic: topic)
            }
        }
    }

    private func produceError(_ error: OpaquePointer, topic: String) -> KafkaError {
        // After a fatal error librdkafka answers _FATAL: report the underlying cause instead.
        if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__FATAL, let fatal = fatalError {
            return fatal
        }
        return KafkaError(borrowing: error, context: "produce to \(topic)")
    }
}

/// Calls `body` with a view of the bytes, or `nil`, without copying the array.
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
