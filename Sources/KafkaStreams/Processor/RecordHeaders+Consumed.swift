import RdKafka

extension RecordHeaders {
    /// The headers of a consumed message, and, when `takingSourceMark`, the value of its
    /// ``SourceHighWater`` header taken out of them (a view valid while the message is).
    ///
    /// Under exactly-once every repartition record carries that header. Read in place, it costs
    /// no `String`, array or `RecordHeaders` storage per record: the headers left are usually none.
    /// The last such header counts, and every one is left out, as `last` then `remove` would.
    static func read(
        from message: borrowing KafkaMessageView, takingSourceMark: Bool
    ) -> (headers: RecordHeaders, sourceMark: UnsafeRawBufferPointer?) {
        // Most records: no header walk (a closure context and an array per record).
        if message.certainlyHasNoHeaders { return (RecordHeaders(), nil) }
        var headers: [RecordHeader] = []
        var sourceMark: UnsafeRawBufferPointer?
        message.forEachHeader { name, value in
            if takingSourceMark && SourceHighWater.isHeader(named: name) {
                sourceMark = value
            } else {
                headers.append(RecordHeader(key: String(cString: name), value: value.map { Array($0) }))
            }
        }
        return (RecordHeaders(headers), sourceMark)
    }
}
