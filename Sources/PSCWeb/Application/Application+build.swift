import Foundation
import Hummingbird
import Logging
import PSCCore

/// Assembles the HTTP side: the middleware chain of ARCHITECTURE §5 in order, then every feature's routes.
/// Tests call the same function, so the code under test is the code that ships.
public func buildRouter(platform: Platform, accessLog: AccessLogSink, catalog: RouteCatalog = RouteCatalog()) throws -> Router<
    AppRequestContext
> {
    let pages = try PageRenderer()
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: AccessLogMiddleware(sink: accessLog))
    router.add(middleware: MetricsMiddleware(metrics: platform.metrics))
    router.add(middleware: SecurityHeadersMiddleware(strictTransportSecurity: platform.configuration.usesTLS))
    router.add(middleware: ErrorMiddleware(catalog: catalog, pages: pages, metrics: platform.metrics))
    // The caller is known before the rate limiter runs, which keys signed-in calls by user (00-conventions §8).
    router.add(middleware: SessionMiddleware(platform: platform))
    router.add(middleware: DeniedAuditMiddleware(platform: platform, recent: RecentDenials()))
    router.add(
        middleware: RateLimitMiddleware(
            limiter: platform.rateLimiter, policy: RateLimitPolicy(configuration: platform.configuration), catalog: catalog,
            metrics: platform.metrics
        )
    )
    router.add(
        middleware: PageViewMiddleware(recorder: platform.pageViews, recordIP: platform.configuration.boolean("analytics.record_ip")))
    router.add(middleware: BodyLimitMiddleware(limit: 1 << 20, uploads: UploadRoutes.bodyLimits))

    MonitoringRoutes(
        health: platform.health, metrics: platform.metrics, store: platform.store,
        allowFrom: platform.configuration.metricsAllowFrom, jobs: platform.jobs
    ).register(with: router, catalog: catalog)
    OpenAPIRoutes(catalog: catalog).register(with: router)
    DepartmentRoutes(departments: platform.departments, pages: pages, cache: platform.cache).register(with: router, catalog: catalog)
    HomeRoutes(departments: platform.departments, pages: pages).register(with: router, catalog: catalog)
    InfoPageRoutes(pages: pages).register(with: router, catalog: catalog)
    AuthRoutes(platform: platform).register(with: router, catalog: catalog)
    TwoFactorRoutes(platform: platform).register(with: router, catalog: catalog)
    PasskeyRoutes(platform: platform).register(with: router, catalog: catalog)
    AccountPageRoutes(platform: platform, pages: pages).register(with: router, catalog: catalog)
    PasswordRoutes(platform: platform).register(with: router, catalog: catalog)
    TokenRoutes(platform: platform).register(with: router, catalog: catalog)
    SecurityRecordRoutes(platform: platform).register(with: router, catalog: catalog)
    ProfileRoutes(platform: platform).register(with: router, catalog: catalog)
    DirectoryRoutes(platform: platform).register(with: router, catalog: catalog)
    ConnectionRoutes(platform: platform).register(with: router, catalog: catalog)
    PostRoutes(platform: platform).register(with: router, catalog: catalog)
    EventRoutes(platform: platform).register(with: router, catalog: catalog)
    SearchRoutes(platform: platform).register(with: router, catalog: catalog)
    CalendarFeedRoutes(platform: platform).register(with: router, catalog: catalog)
    UploadRoutes(platform: platform).register(with: router, catalog: catalog)
    AccountDeletionRoutes(platform: platform).register(with: router, catalog: catalog)
    NotificationRoutes(platform: platform, pages: pages).register(with: router, catalog: catalog)
    JobPostingRoutes(platform: platform).register(with: router, catalog: catalog)
    JobApplicationRoutes(platform: platform).register(with: router, catalog: catalog)
    CompanyRoutes(platform: platform).register(with: router, catalog: catalog)
    CommunityPageRoutes(platform: platform, pages: pages).register(with: router, catalog: catalog)
    EventPageRoutes(platform: platform, pages: pages).register(with: router, catalog: catalog)
    JobPostingPageRoutes(platform: platform, pages: pages).register(with: router, catalog: catalog)
    return router
}

/// The HTTP application on the configured host and port. `onListening` receives the bound port (useful with
/// port 0).
public func buildApplication(
    platform: Platform, logger: Logger, accessLog: AccessLogSink,
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let router = try buildRouter(platform: platform, accessLog: accessLog)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(platform.configuration.host, port: platform.configuration.port),
            serverName: nil
        ),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? platform.configuration.port) },
        logger: logger
    )
}
