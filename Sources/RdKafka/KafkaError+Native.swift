import CRdKafka

extension KafkaError {
    /// An error from a plain `rd_kafka_resp_err_t`, with an optional context naming what failed.
    init(responseError: rd_kafka_resp_err_t, context: String? = nil, detail: String? = nil) {
        let code = Code(rawValue: responseError.rawValue)
        let text = detail ?? code.explanation
        self.init(code: code, message: context.map { "\($0): \(text)" } ?? text)
    }

    /// An error from an `rd_kafka_error_t`, keeping its classification flags. Does not destroy it.
    init(borrowing error: OpaquePointer, context: String? = nil) {
        let code = Code(rawValue: rd_kafka_error_code(error).rawValue)
        let text = rd_kafka_error_string(error).map { String(cString: $0) } ?? code.explanation
        self.init(
            code: code,
            message: context.map { "\($0): \(text)" } ?? text,
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            transactionRequiresAbort: rd_kafka_error_txn_requires_abort(error) != 0
        )
    }

    /// Converts and destroys an `rd_kafka_error_t` returned by librdkafka (nil means success).
    static func consuming(_ error: OpaquePointer?, context: String? = nil) -> KafkaError? {
        guard let error else { return nil }
        defer { rd_kafka_error_destroy(error) }
        return KafkaError(borrowing: error, context: context)
    }

    /// Throws for anything but `RD_KAFKA_RESP_ERR_NO_ERROR`.
    static func check(_ responseError: rd_kafka_resp_err_t, context: String? = nil) throws(KafkaError) {
        if responseError != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(responseError: responseError, context: context)
        }
    }

    /// The error carried by a consumed message (`rkmessage->err`), naming its partition.
    init(consumedMessage message: UnsafePointer<rd_kafka_message_t>) {
        let m = message.pointee
        let detail: String? = m.payload.map {
            String(decoding: UnsafeRawBufferPointer(start: $0, count: m.len).prefix { $0 != 0 }, as: UTF8.self)
        }
        let context = m.rkt == nil ? "consume" : "consume \(NativeMessage.topicName(of: message))[\(m.partition)]"
        self.init(responseError: m.err, context: context, detail: detail)
    }

    /// The client's fatal error, if one was raised (`rd_kafka_fatal_error`).
    static func fatal(of handle: OpaquePointer) -> KafkaError? {
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &text, text.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let detail = String(nativeBuffer: text)
        var error = KafkaError(responseError: code, detail: detail)
        error.isFatal = true
        return error
    }
}
