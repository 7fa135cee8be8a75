import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import PSCCore
import PSCJobs
import PSCStore

/// Assembles the HTTP side: the middleware chain of ARCHITECTURE §5 in order, then every feature's routes.
/// Tests call the same function, so the code under test is the code that ships.
public func buildRouter(
    platform: Platform, accessLog: AccessLogSink, catalog: RouteCatalog = RouteCatalog(), scheduler: Scheduler? = nil
) throws -> Router<
    AppRequestContext
> {
    let (notifications, messages) = (platform.notifications, platform.communication.messages)
    let pages = try PageRenderer(flags: platform.experiments.flags) { user in
        guard let unread = try? notifications.unreadCount(userID: user), let letters = try? messages.unreadCount(userID: user) else {
            return nil
        }
        return (unread, letters)
    }
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    catalog.gate(with: platform.experiments.flags)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: AccessLogMiddleware(sink: accessLog))
    router.add(middleware: MetricsMiddleware(metrics: platform.metrics))
    router.add(middleware: SecurityHeadersMiddleware(strictTransportSecurity: platform.configuration.usesTLS))
    router.add(middleware: ErrorMiddleware(catalog: catalog, pages: pages, metrics: platform.metrics))
    // The caller is known before the rate limiter runs, which keys signed-in calls by user (00-conventions §8).
    router.add(
        middleware: SessionMiddleware(
            configuration: platform.configuration, accounts: platform.accounts, sessions: platform.sessions, apiTokens: platform.apiTokens,
            signIn: platform.signIn, sessionCache: platform.sessionCache))
    router.add(middleware: DeniedAuditMiddleware(records: platform.securityRecords, recent: RecentDenials()))
    router.add(
        middleware: RateLimitMiddleware(
            limiter: platform.rateLimiter, policy: RateLimitPolicy(configuration: platform.configuration), catalog: catalog,
            metrics: platform.metrics
        )
    )
    router.add(
        middleware: UsageMiddleware(recorder: platform.usage, recordIP: platform.configuration.boolean("analytics.record_ip")))
    router.add(middleware: BodyLimitMiddleware(limit: 1 << 20, uploads: UploadRoutes.bodyLimits))

    // Each feature's routes get only what they use; the views shape a feature's records for the API and the pages alike.
    let p = platform
    let postViews = PostViews(cache: p.cache, profiles: p.profiles)
    let eventViews = EventViews(events: p.events, profiles: p.profiles, departments: p.departments)
    let connectionViews = ConnectionViews(connections: p.connections, profiles: p.profiles)
    let directoryViews = DirectoryViews(profiles: p.profiles)
    let searchViews = SearchViews(search: p.search)
    let ownProfile = OwnProfileView(profiles: p.profiles, keyRing: p.keyRing)
    let postingViews = JobPostingViews(jobPostings: p.jobPostings, usage: p.usage)
    let applicationViews = JobApplicationViews(profiles: p.profiles)
    let routes: [any FeatureRoutes] = [
        MonitoringRoutes(
            health: p.health, metrics: p.metrics, store: p.store, allowFrom: p.configuration.metricsAllowFrom, jobs: p.jobs,
            startedAt: p.startedAt),
        DepartmentRoutes(departments: p.departments, scholarships: p.scholarships.catalogue, pages: pages, cache: p.cache),
        HomeRoutes(
            departments: p.departments, scholarships: p.scholarships.catalogue, announcements: p.community.announcements, pages: pages),
        InfoPageRoutes(pages: pages),
        AuthRoutes(configuration: p.configuration, hub: p.communication.hub, accounts: p.accounts, sessions: p.sessions, signIn: p.signIn),
        TwoFactorRoutes(sessions: p.sessions, twoFactor: p.twoFactor),
        PasskeyRoutes(
            configuration: p.configuration, accounts: p.accounts, challenges: p.challenges, passkeys: p.passkeys, signIn: p.signIn),
        AccountPageRoutes(configuration: p.configuration, sessions: p.sessions, pages: pages),
        PasswordRoutes(
            configuration: p.configuration, rateLimiter: p.rateLimiter, hub: p.communication.hub, keyRing: p.keyRing, accounts: p.accounts,
            signIn: p.signIn),
        TokenRoutes(apiTokens: p.apiTokens),
        SecurityRecordRoutes(securityRecords: p.securityRecords),
        ProfileRoutes(keyRing: p.keyRing, profiles: p.profiles, ownProfile: ownProfile),
        DirectoryRoutes(cache: p.cache, views: directoryViews),
        ConnectionRoutes(connections: p.connections, profiles: p.profiles, views: connectionViews),
        PostRoutes(cache: p.cache, posts: p.posts, profiles: p.profiles, views: postViews),
        EventRoutes(configuration: p.configuration, profiles: p.profiles, events: p.events, views: eventViews),
        SearchRoutes(cache: p.cache, search: p.search, views: searchViews),
        CalendarFeedRoutes(configuration: p.configuration, events: p.events),
        UploadRoutes(uploads: p.uploads),
        AccountDeletionRoutes(configuration: p.configuration, accountPurge: p.accountPurge, purges: p.purges),
        NotificationRoutes(notifications: p.notifications, pages: pages),
        NotificationSettingsRoutes(keyRing: p.keyRing, communication: p.communication, pages: pages),
        NotificationAdminRoutes(jobs: p.jobs, profiles: p.profiles, communication: p.communication),
        NotificationStreamRoutes(notifications: p.notifications, live: p.communication.live),
        NotificationPageRoutes(keyRing: p.keyRing, communication: p.communication, securityRecords: p.securityRecords, pages: pages),
        MessageRoutes(
            messages: p.communication.messages, notifications: p.notifications, profiles: p.profiles,
            announcements: p.community.announcements),
        InboxPageRoutes(messages: p.communication.messages, notifications: p.notifications, profiles: p.profiles, pages: pages),
        JobPostingRoutes(companies: p.companies, jobPostings: p.jobPostings, views: postingViews),
        JobApplicationRoutes(jobPostings: p.jobPostings, jobApplications: p.jobApplications, views: applicationViews),
        CompanyRoutes(companies: p.companies),
        ScholarshipRoutes(scholarships: p.scholarships, profiles: p.profiles, clock: Date.init),
        ScholarshipApplicationRoutes(scholarships: p.scholarships, profiles: p.profiles),
        ScholarshipReviewRoutes(scholarships: p.scholarships, profiles: p.profiles),
        ScholarshipPageRoutes(
            scholarships: p.scholarships, departments: p.departments, jobApplications: p.jobApplications, configuration: p.configuration,
            pages: pages, clock: Date.init),
        ScholarshipManagePageRoutes(
            scholarships: p.scholarships, profiles: p.profiles, departments: p.departments, pages: pages, clock: Date.init),
        AnnouncementRoutes(announcements: p.community.announcements, profiles: p.profiles, cache: p.cache),
        ForumRoutes(forums: p.community.forums, profiles: p.profiles, cache: p.cache),
        WebinarRoutes(webinars: p.community.webinars, profiles: p.profiles, configuration: p.configuration),
        MentorshipRoutes(mentorship: p.community.mentorship, profiles: p.profiles),
        AnnouncementPageRoutes(announcements: p.community.announcements, departments: p.departments, pages: pages),
        ForumPageRoutes(forums: p.community.forums, profiles: p.profiles, cache: p.cache, pages: pages),
        WebinarPageRoutes(webinars: p.community.webinars, profiles: p.profiles, departments: p.departments, pages: pages),
        MentorshipPageRoutes(mentorship: p.community.mentorship, profiles: p.profiles, pages: pages),
        ModerationRoutes(
            moderation: ModerationStore(store: p.store),
            administration: AccountAdministration(store: p.store, accounts: p.accounts, matches: p.scholarships.matches),
            profiles: p.profiles,
            pages: pages),
        FeatureFlagRoutes(flags: p.experiments.flags),
        PeopleAdminRoutes(
            administration: AccountAdministration(store: p.store, accounts: p.accounts, matches: p.scholarships.matches),
            profiles: p.profiles, configuration: p.configuration),
        ServiceKeyRoutes(apiTokens: p.apiTokens),
        VerificationRoutes(
            verifications: VerificationStore(store: p.store), profiles: p.profiles,
            semesterEnds: p.configuration.list("registration.semester_ends")),
        OperationsRoutes(platform: p, scheduler: scheduler),
        AnalyticsPageRoutes(analytics: p.analytics, departments: p.departments, pages: pages),
        AnalyticsRoutes(
            analytics: p.analytics, exports: p.analyticsExports, jobs: p.jobs, cache: p.cache, profiles: p.profiles, usage: p.usage),
        AdminPageRoutes(
            platform: p, scheduler: scheduler,
            administration: AccountAdministration(store: p.store, accounts: p.accounts, matches: p.scholarships.matches), pages: pages),
        ABTestRoutes(abTests: p.experiments.abTests),
        CommunityPageRoutes(
            departments: p.departments, profiles: p.profiles, posts: p.posts, events: p.events, securityRecords: p.securityRecords,
            postViews: postViews, eventViews: eventViews, connectionViews: connectionViews, directoryViews: directoryViews,
            searchViews: searchViews, ownProfile: ownProfile, scholarships: p.scholarships, community: p.community, pages: pages),
        EventPageRoutes(configuration: p.configuration, profiles: p.profiles, events: p.events, eventViews: eventViews, pages: pages),
        JobPostingPageRoutes(
            companies: p.companies, jobPostings: p.jobPostings, jobApplications: p.jobApplications, postingViews: postingViews,
            applicationViews: applicationViews, pages: pages),
    ]
    for feature in routes { feature.register(with: router, catalog: catalog) }
    OpenAPIRoutes(catalog: catalog, pages: pages).register(with: router)
    return router
}

/// The HTTP application on the configured host and port. `onListening` receives the bound port (useful with
/// port 0).
public func buildApplication(
    platform: Platform, logger: Logger, accessLog: AccessLogSink, scheduler: Scheduler? = nil, tls: TLSCertificates? = nil,
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let router = try buildRouter(platform: platform, accessLog: accessLog, scheduler: scheduler)
    // With a certificate: TLS with HTTP/2 negotiated by ALPN and HTTP/1.1 still offered (Hummingbird's own).
    let server: HTTPServerBuilder =
        try tls.map { certificates in
            try .http2Upgrade(
                tlsConfiguration: certificates.serverConfiguration(),
                configuration: .init(streamConfiguration: .init(additionalChannelHandlers: [MalformedRequestHandler()])))
        } ?? .http1(configuration: .init(additionalChannelHandlers: [MalformedRequestHandler()]))
    return Application(
        router: router,
        server: server,
        configuration: .init(
            address: .hostname(platform.configuration.host, port: platform.configuration.port),
            serverName: nil
        ),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? platform.configuration.port) },
        logger: logger
    )
}
