import CRdKafka

/// Facts about the librdkafka library loaded at run time.
public enum LibRdKafka {
    /// The version string of the loaded librdkafka, such as `"2.0.2"`.
    ///
    /// This is the library found at run time (for example through `LD_LIBRARY_PATH`), which may be
    /// newer than the headers this module was built against.
    public static var version: String { rd_kafka_version_str().map { String(cString: $0) } ?? "" }

    /// The version of the loaded librdkafka as a hex number `0xMMmmrrxx`, for comparisons.
    public static var versionNumber: Int { Int(rd_kafka_version()) }
}
