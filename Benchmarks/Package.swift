// swift-tools-version: 6.1
import PackageDescription

// The benchmarks of swift-kafka-streams, as a package of their own so that the main build stays
// light (package-benchmark and its dependencies are built only here). See docs/benchmarks.md.
let package = Package(
    name: "swift-kafka-streams-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-kafka-streams", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Store micro-benchmarks: `swift package --package-path Benchmarks benchmark`.
        // package-benchmark expects them under Benchmarks/<target>/.
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                .product(name: "KafkaStreams", package: "swift-kafka-streams"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/StoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // End-to-end throughput against raw librdkafka:
        // `swift run -c release --package-path Benchmarks streams-bench`.
        .executableTarget(
            name: "streams-bench",
            dependencies: [
                .product(name: "KafkaStreams", package: "swift-kafka-streams"),
                .product(name: "KafkaStreamsTesting", package: "swift-kafka-streams"),
                .product(name: "RdKafka", package: "swift-kafka-streams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/StreamsBench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
