import CRdKafka

extension KafkaConfiguration {
    /// Builds an `rd_kafka_conf_t` from the properties. The caller owns the result: it passes it to
    /// `rd_kafka_new` (which takes ownership on success) or destroys it.
    func makeNativeConfiguration() throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .fail, message: "rd_kafka_conf_new failed")
        }
        // Sorted so that, with several bad properties, the same one is always reported.
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            if let error = Self.set(key, value, on: conf) {
                rd_kafka_conf_destroy(conf)
                throw error
            }
        }
        return conf
    }

    /// Sets one property on a native configuration, returning the error it caused, if any.
    static func set(_ key: String, _ value: String, on conf: OpaquePointer) -> KafkaError? {
        var errorText = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
        guard result != RD_KAFKA_CONF_OK else { return nil }
        let detail = String(nativeBuffer: errorText)
        let problem = result == RD_KAFKA_CONF_UNKNOWN ? "unknown configuration property" : "invalid value \"\(value)\""
        return .configuration(key: key, message: "\(key): \(problem): \(detail)")
    }
}
