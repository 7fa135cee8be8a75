import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PSCApp
import PSCCore
import PSCStore

@testable import PSCWeb

/// A platform on a temporary data directory, built by the same functions `psc serve` uses.
final class TestPlatform: Sendable {
    let directory: String
    let platform: Platform

    init(environment: [String: String] = [:]) throws {
        directory = NSTemporaryDirectory() + "psc-web-test-\(UUID().uuidString)"
        let configuration = try Configuration.load(flags: ["data_dir": directory], environment: environment)
        platform = try Platform.open(
            configuration: configuration, sources: .init(flags: ["data_dir": directory], configFile: nil),
            logger: Logger(label: "test")
        )
    }

    /// The shipped router, plus any routes a test adds to exercise a shared mechanism.
    func application(extraRoutes: (Router<AppRequestContext>, RouteCatalog) -> Void = { _, _ in }) throws -> some ApplicationProtocol {
        let catalog = RouteCatalog()
        let router = try buildRouter(platform: platform, accessLog: AccessLogSink(enabled: false), catalog: catalog)
        extraRoutes(router, catalog)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    deinit {
        try? platform.store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
}
