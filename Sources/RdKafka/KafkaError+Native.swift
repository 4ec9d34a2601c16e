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
}
