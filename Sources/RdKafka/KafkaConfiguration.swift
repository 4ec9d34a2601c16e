/// librdkafka configuration properties shared by ``KafkaProducer``, ``KafkaConsumer``,
/// ``KafkaAdmin`` and ``MockCluster``.
///
/// Keys and values are librdkafka's own (see its `CONFIGURATION.md`), for example
/// `bootstrap.servers`, `group.id`, `transactional.id`, `enable.partition.eof`.
/// Nothing is validated until a client is created: an unknown key or an invalid value then
/// throws a ``KafkaError`` of kind ``KafkaError/Kind-swift.enum/configuration`` naming the key.
///
/// ```swift
/// var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
/// configuration["group.id"] = "orders"
/// let consumer = try KafkaConsumer(configuration: configuration)
/// ```
public struct KafkaConfiguration: Sendable, Hashable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// The properties, as librdkafka keys and string values.
    public var properties: [String: String]

    /// Creates a configuration from librdkafka properties.
    public init(_ properties: [String: String] = [:]) {
        self.properties = properties
    }

    /// Creates a configuration with `bootstrap.servers` and further properties.
    public init(bootstrapServers: String, _ properties: [String: String] = [:]) {
        self.properties = properties
        self.properties["bootstrap.servers"] = bootstrapServers
    }

    /// Creates a configuration from a dictionary literal of librdkafka properties.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.properties = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    /// Reads or sets one property; `nil` removes it (librdkafka's default applies).
    public subscript(key: String) -> String? {
        get { properties[key] }
        set { properties[key] = newValue }
    }

    /// `bootstrap.servers`: a comma-separated list of `host:port`.
    public var bootstrapServers: String? {
        get { properties["bootstrap.servers"] }
        set { properties["bootstrap.servers"] = newValue }
    }

    /// Returns a copy with the given properties added or replaced.
    public func merging(_ other: [String: String]) -> KafkaConfiguration {
        KafkaConfiguration(properties.merging(other, uniquingKeysWith: { _, new in new }))
    }

    /// The properties sorted by key, with values of secret-looking keys masked.
    public var description: String {
        let items = properties.sorted { $0.key < $1.key }.map { key, value in
            let secret = key.contains("password") || key.contains("secret") || key.hasSuffix(".key.pem")
            return "\(key)=\(secret ? "***" : value)"
        }
        return "KafkaConfiguration(\(items.joined(separator: ", ")))"
    }
}
