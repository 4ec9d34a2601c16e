// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-kafka-streams",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KafkaStreams", targets: ["KafkaStreams"]),
        .library(name: "KafkaStreamsTesting", targets: ["KafkaStreamsTesting"]),
        .library(name: "RdKafka", targets: ["RdKafka"]),
        .library(name: "RocksDB", targets: ["RocksDB"]),
        .executable(name: "wordcount", targets: ["WordCount"]),
        .executable(name: "joins", targets: ["Joins"]),
        .executable(name: "windowed-counts", targets: ["WindowedCounts"]),
        .executable(name: "eos-crash-test", targets: ["CrashTest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // C libraries, found through pkg-config and installed from Debian's packages.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]
        ),
        .systemLibrary(
            name: "CRocksDB",
            pkgConfig: "rocksdb",
            providers: [.apt(["librocksdb-dev"]), .brew(["rocksdb"])]
        ),

        // What RocksDB's C API cannot make (a logger), in C++.
        .target(
            name: "CRocksDBSupport",
            dependencies: ["CRocksDB"]
        ),

        // Thin, safe Swift wrappers: they know nothing of streams.
        .target(
            name: "RdKafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "RocksDB",
            dependencies: ["CRocksDB", "CRocksDBSupport"]
        ),

        // The streams library and its shipped testing library.
        .target(
            name: "KafkaStreams",
            dependencies: [
                "RdKafka",
                "RocksDB",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "KafkaStreamsTesting",
            dependencies: ["KafkaStreams", "RdKafka"]
        ),

        // Examples: one executable per app, on the embedded broker by default.
        .executableTarget(
            name: "WordCount",
            dependencies: [
                "KafkaStreams",
                "KafkaStreamsTesting",
                "RdKafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/WordCount"
        ),
        .executableTarget(
            name: "Joins",
            dependencies: [
                "KafkaStreams",
                "KafkaStreamsTesting",
                "RdKafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/Joins"
        ),
        .executableTarget(
            name: "WindowedCounts",
            dependencies: [
                "KafkaStreams",
                "KafkaStreamsTesting",
                "RdKafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/WindowedCounts"
        ),

        // The crash test of exactly-once (docs/testing.md): kills the wordcount example at random
        // points against a real broker; scripts/test runs it after the external-broker pass.
        .executableTarget(
            name: "CrashTest",
            dependencies: [
                "RdKafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CrashTest"
        ),

        .testTarget(
            name: "RdKafkaTests",
            dependencies: ["RdKafka", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "RocksDBTests", dependencies: ["RocksDB"]),
        .testTarget(name: "KafkaStreamsTests", dependencies: ["KafkaStreams", "KafkaStreamsTesting"]),
        .testTarget(
            name: "KafkaStreamsIntegrationTests",
            dependencies: [
                "KafkaStreams", "KafkaStreamsTesting", "RdKafka", "Joins", "WindowedCounts",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6],
    // RocksDB's headers need C++17.
    cxxLanguageStandard: .cxx17
)
