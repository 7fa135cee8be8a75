// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "psc",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "psc", targets: ["psc"]),
        .executable(name: "psc-admin", targets: ["psc-admin"]),
        .executable(name: "psc-bench", targets: ["psc-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.0.0"),
    ],
    targets: [
        // Build-time embedding of schema/, fixtures/ and web assets, so the installed binary needs no files beside it.
        .executableTarget(name: "EmbedFiles", path: "Sources/EmbedFiles"),
        .plugin(
            name: "EmbedFilesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedFiles"],
            path: "Sources/EmbedFilesPlugin"
        ),
        .target(
            name: "PSCCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            exclude: ["WordLists"],
            plugins: [.plugin(name: "EmbedFilesPlugin")]
        ),
        .target(
            name: "PSCStore",
            dependencies: [
                "PSCCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedFilesPlugin"]
        ),
        .target(
            name: "PSCJobs",
            dependencies: [
                "PSCCore", "PSCStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PSCAdmin",
            dependencies: [
                "PSCCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PSCWeb",
            dependencies: [
                "PSCCore",
                "PSCStore",
                "PSCAdmin",
                "PSCJobs",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "MultipartKit", package: "multipart-kit"),
            ],
            exclude: ["Templates", "Static"],
            plugins: ["EmbedFilesPlugin"]
        ),
        // The composition root: builds the store, the queue and its handlers, the schedules, the mail transport, the
        // features, the HTTP application and the admin channel from the configuration. `psc serve`, the tests and the
        // benchmarks all start the platform through it.
        .target(
            name: "PSCApp",
            dependencies: [
                "PSCCore", "PSCStore", "PSCJobs", "PSCAdmin", "PSCWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "psc",
            dependencies: [
                "PSCCore", "PSCStore", "PSCWeb", "PSCAdmin", "PSCApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "psc-admin",
            dependencies: [
                "PSCCore", "PSCAdmin",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "psc-bench",
            dependencies: [
                "PSCCore", "PSCStore", "PSCJobs", "PSCWeb", "PSCApp", .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks/psc-bench"
        ),
        .testTarget(name: "PSCCoreTests", dependencies: ["PSCCore", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "PSCStoreTests", dependencies: ["PSCStore", "PSCCore"]),
        .testTarget(name: "PSCJobsTests", dependencies: ["PSCJobs", "PSCStore", "PSCCore"]),
        .testTarget(
            name: "PSCWebTests",
            dependencies: [
                "PSCWeb", "PSCStore", "PSCCore", "PSCApp", "PSCJobs",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["PSCCore", "PSCAdmin", "PSCStore", .product(name: "Crypto", package: "swift-crypto")]
        ),
    ]
)
