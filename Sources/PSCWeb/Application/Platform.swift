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
    public let usage: UsageRecorder
    /// Figures, models and exports read from the store; stateless, so made where needed.
    public var analytics: AnalyticsStore { AnalyticsStore(store: store) }
    public var analyticsExports: AnalyticsExports { AnalyticsExports(store: store) }
    public let companies: CompanyStore
    public let jobPostings: JobPostingStore
    public let jobApplications: JobApplicationStore
    public let notifications: NotificationStore
    /// The notification hub, deliveries, preferences and the live streams.
    public let communication: Communication
    /// The scholarship catalogue, matching, applications and reviews.
    public let scholarships: ScholarshipHub
    /// Announcements, forums, webinars and mentorship.
    public let community: CommunitySpaces
    /// Feature flags (with their in-process copy) and A/B tests.
    public let experiments: Experiments
    /// Consent records and the member's own audit trail (SEC-14..16).
    public let securityRecords: SecurityRecordStore
    public let accountPurge: AccountPurge
    /// How the composition root schedules and cancels a purge job inside a transaction.
    public let purges: PurgeScheduling
    /// Resolved sessions, dropped whenever a committed change could take rights away.
    let sessionCache: SessionCache
    public let startedAt: Date
    /// CPU sampled every 15 s by the server, for MON-3.
    public let process = ProcessSampler()
    /// psc's own TLS certificate while `psc serve` serves HTTPS (shown by the health page and MON-3).
    public let certificate = ServedCertificate()
    /// True when this start created the database.
    public let createdDatabase: Bool

    /// Everything the composition root built; the session cache is made here because only the HTTP layer reads it.
    public init(
        configuration: Configuration, sources: ConfigurationSources, store: Store, migrator: Migrator, metrics: PlatformMetrics,
        health: HealthRegistry, backups: BackupService, departments: DepartmentStore, cache: LRUCache, rateLimiter: SlidingWindowLimiter,
        jobs: JobQueue, keyRing: KeyRing, accounts: AccountStore, sessions: SessionStore, signInThrottle: SignInThrottle,
        twoFactor: TwoFactorStore, challenges: ChallengeStore, apiTokens: APITokenStore, passkeys: PasskeyStore, signIn: SignInService,
        profiles: ProfileStore, connections: ConnectionStore, posts: PostStore, events: EventStore, search: SearchStore,
        uploads: UploadStore, usage: UsageRecorder, companies: CompanyStore, jobPostings: JobPostingStore,
        jobApplications: JobApplicationStore, communication: Communication, scholarships: ScholarshipHub, community: CommunitySpaces,
        experiments: Experiments, securityRecords: SecurityRecordStore, accountPurge: AccountPurge, purges: PurgeScheduling,
        startedAt: Date, createdDatabase: Bool
    ) {
        self.configuration = configuration
        self.sources = sources
        self.store = store
        self.migrator = migrator
        self.metrics = metrics
        self.health = health
        self.backups = backups
        self.departments = departments
        self.cache = cache
        self.rateLimiter = rateLimiter
        self.jobs = jobs
        self.keyRing = keyRing
        self.accounts = accounts
        self.sessions = sessions
        self.signInThrottle = signInThrottle
        self.twoFactor = twoFactor
        self.challenges = challenges
        self.apiTokens = apiTokens
        self.passkeys = passkeys
        self.signIn = signIn
        self.profiles = profiles
        self.connections = connections
        self.posts = posts
        self.events = events
        self.search = search
        self.uploads = uploads
        self.usage = usage
        self.companies = companies
        self.jobPostings = jobPostings
        self.jobApplications = jobApplications
        self.notifications = communication.notifications
        self.communication = communication
        self.scholarships = scholarships
        self.community = community
        self.experiments = experiments
        self.securityRecords = securityRecords
        self.accountPurge = accountPurge
        self.purges = purges
        sessionCache = SessionCache(changes: AuthChangeObserver.install(on: store))
        self.startedAt = startedAt
        self.createdDatabase = createdDatabase
    }
}
