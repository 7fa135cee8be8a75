import Foundation
import Logging
import PSCCore
import PSCJobs
import PSCStore

/// Everything a running platform holds, opened once and passed explicitly to the HTTP routes, the admin
/// channel and the tests (ARCHITECTURE §7: no global singletons).
public struct Platform: Sendable {
    /// Where the configuration came from, so `config check` can re-read the same sources.
    public struct ConfigurationSources: Sendable {
        public let flags: [String: String]
        public let configFile: String?
        public init(flags: [String: String], configFile: String?) {
            self.flags = flags
            self.configFile = configFile
        }
    }

    public let configuration: Configuration
    public let sources: ConfigurationSources
    public let store: Store
    public let migrator: Migrator
    public let metrics: PlatformMetrics
    public let health: HealthRegistry
    public let backups: BackupService
    public let departments: DepartmentStore
    /// The in-process response cache (00-conventions §9).
    public let cache: LRUCache
    /// Request counters of the rate limits; in memory, so a restart resets them (00-conventions §8).
    public let rateLimiter: SlidingWindowLimiter
    /// The background job queue (ARCHITECTURE §3); its workers run under ``PlatformServer``.
    public let jobs: JobQueue
    /// Encryption and lookup-hash keys (20-services §4.6).
    public let keyRing: KeyRing
    public let accounts: AccountStore
    public let sessions: SessionStore
    public let signInThrottle: SignInThrottle
    public let twoFactor: TwoFactorStore
    public let challenges: ChallengeStore
    public let apiTokens: APITokenStore
    public let passkeys: PasskeyStore
    /// Sign-in, its second step, re-authentication and password changes, each one transaction.
    public let signIn: SignInService
    public let profiles: ProfileStore
    public let connections: ConnectionStore
    public let posts: PostStore
    public let events: EventStore
    public let search: SearchStore
    public let uploads: UploadStore
    public let pageViews: PageViewRecorder
    public let companies: CompanyStore
    public let jobPostings: JobPostingStore
    public let jobApplications: JobApplicationStore
    /// Resolved sessions, dropped whenever a committed change could take rights away.
    let sessionCache: SessionCache
    /// Queues a `security_alert` email inside the caller's transaction.
    public let securityAlert: SecurityAlertHook
    let mail: any MailTransport
    public let startedAt: Date
    /// True when this start created the database.
    public let createdDatabase: Bool

    /// Opens the database, applies migrations, loads fixtures into a brand-new database and registers the
    /// health checks.
    public static func open(configuration: Configuration, sources: ConfigurationSources, logger: Logger) throws -> Platform {
        let metrics = PlatformMetrics()
        let store = try Store(
            path: configuration.databasePath,
            options: .init(durableCommits: configuration.durableCommits) { kind, duration in
                metrics.recordQuery(kind: kind.rawValue, duration: duration)
            }
        )
        metrics.setBuildInfo(sqliteVersion: store.sqliteVersion)
        let migrator = try Migrator.embedded()
        let setup = try DatabaseSetup.prepare(store, migrator: migrator)
        for migration in setup.applied { logger.info("applied migration", metadata: ["file": "schema/\(migration.name)"]) }
        if setup.created {
            logger.info("loaded fixtures into the new database", metadata: ["departments": "\(setup.departmentsLoaded)"])
        }
        let cache = LRUCache(
            limits: .init(
                maxBytes: configuration.integer("cache.max_bytes") ?? 64 << 20,
                maxEntries: configuration.integer("cache.max_entries") ?? 50_000),
            observer: metrics
        )
        CacheInvalidator.install(on: store, cache: cache, dependencies: CachedResponses.dependencies)
        let departments = DepartmentStore(store: store)
        let health = HealthRegistry(metrics: metrics)
        health.register(DatabaseHealthCheck(store: store))
        health.register(DiskHealthCheck(directory: configuration.dataDirectory, store: store))
        // Development generates its ring on first run; production refuses to start without one (install.sh writes it).
        let keyRing = try KeyRing.load(path: configuration.keyringFile, generate: !configuration.isProduction)
        let mail = try mailTransport(configuration)
        let jobs = JobQueue(
            store: store, observer: metrics, retryBase: Double(configuration.integer("jobs.retry_base_s") ?? 10),
            retryCap: Double(configuration.integer("jobs.retry_cap_s") ?? 3600))
        let alert = AccountJobs.alertHook(jobs: jobs, origin: configuration.siteOrigin)
        let (accounts, sessions, throttle) = (AccountStore(store: store), SessionStore(store: store), SignInThrottle(store: store))
        let twoFactor = TwoFactorStore(store: store, keyRing: keyRing, alert: alert)
        let (challenges, passkeys) = (ChallengeStore(store: store, keyRing: keyRing), PasskeyStore(store: store, alert: alert))
        let signIn = SignInService(
            store: store, accounts: accounts, sessions: sessions, throttle: throttle, twoFactor: twoFactor, challenges: challenges,
            passkeys: passkeys, keyRing: keyRing, securityAlert: alert
        ) { userID, db in try jobs.cancel(uniqueKey: AccountPurge.uniqueKey(userID: userID), in: db) }
        return Platform(
            configuration: configuration, sources: sources, store: store, migrator: migrator, metrics: metrics,
            health: health,
            backups: BackupService(store: store, migrator: migrator, defaultDirectory: configuration.backupDirectory),
            departments: departments, cache: cache, rateLimiter: SlidingWindowLimiter(),
            jobs: jobs, keyRing: keyRing, accounts: accounts, sessions: sessions, signInThrottle: throttle, twoFactor: twoFactor,
            challenges: challenges, apiTokens: APITokenStore(store: store), passkeys: passkeys, signIn: signIn,
            profiles: ProfileStore(store: store),
            connections: ConnectionStore(store: store), posts: PostStore(store: store),
            events: EventStore(store: store), search: SearchStore(store: store),
            uploads: UploadStore(store: store, keyRing: keyRing), pageViews: PageViewRecorder(store: store),
            companies: CompanyStore(store: store), jobPostings: JobPostingStore(store: store),
            jobApplications: JobApplicationStore(store: store),
            sessionCache: SessionCache(changes: AuthChangeObserver.install(on: store)), securityAlert: alert,
            mail: mail,
            startedAt: Date(), createdDatabase: setup.created
        )
    }

    static func mailTransport(_ configuration: Configuration) throws -> any MailTransport {
        switch configuration.mailTransport {
        case "file": return FileMailTransport(directory: (configuration.dataDirectory as NSString).appendingPathComponent("mail"))
        case "sendmail": return SendmailTransport(path: configuration.string("mail.sendmail_path") ?? "sendmail")
        default:
            guard let host = configuration.string("mail.smtp_host") else { return UnconfiguredMailTransport() }
            let password = try configuration.string("mail.password_file").map {
                try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .newlines)
            }
            return SMTPMailTransport(
                host: host, port: configuration.integer("mail.smtp_port") ?? 587,
                startTLS: SMTPMailTransport.StartTLS(rawValue: configuration.string("mail.starttls") ?? "required") ?? .required,
                username: configuration.string("mail.username"), password: password, caFile: configuration.string("mail.ca_file"))
        }
    }
}
