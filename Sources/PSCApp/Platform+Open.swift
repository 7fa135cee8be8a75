import Foundation
import Logging
import PSCCore
import PSCJobs
import PSCStore
import PSCWeb

extension Platform {
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
        health.register(MemoryHealthCheck())
        health.register(CacheHealthCheck(cache: cache))
        // Development generates its ring on first run; production refuses to start without one (install.sh writes it).
        let keyRing = try KeyRing.load(path: configuration.keyringFile, generate: !configuration.isProduction)
        let jobs = JobQueue(
            store: store, observer: metrics, retryBase: Double(configuration.integer("jobs.retry_base_s") ?? 10),
            retryCap: Double(configuration.integer("jobs.retry_cap_s") ?? 3600))
        let live = LiveNotifications()
        store.outbox.install(
            .init(
                enqueue: { deliveries, db in try jobs.enqueue(deliveries.map(NotificationDelivery.request), in: db) },
                configuredChannels: try NotificationDelivery.configuredChannels(configuration), published: live.publish))
        store.timers.install(
            .init(
                enqueue: { timed, db in try jobs.enqueue(try timed.map(CommunityJobs.request), in: db) },
                cancel: { keys, db in for key in keys { _ = try jobs.cancel(uniqueKey: key, in: db) } }))
        let alert = AccountNotices.alertHook(store: store)
        let (accounts, sessions, throttle) = (AccountStore(store: store), SessionStore(store: store), SignInThrottle(store: store))
        let twoFactor = TwoFactorStore(store: store, keyRing: keyRing, alert: alert)
        let (challenges, passkeys) = (ChallengeStore(store: store, keyRing: keyRing), PasskeyStore(store: store, alert: alert))
        let purges = PurgeScheduling(
            schedule: { userID, runAt, db in _ = try jobs.enqueue(AccountJobs.purgeRequest(userID: userID, runAt: runAt), in: db) },
            cancel: { userID, db in try jobs.cancel(uniqueKey: AccountPurge.uniqueKey(userID: userID), in: db) })
        let signIn = SignInService(
            store: store, accounts: accounts, sessions: sessions, throttle: throttle, twoFactor: twoFactor, challenges: challenges,
            passkeys: passkeys, keyRing: keyRing, securityAlert: alert, purges: purges)
        let uploads = UploadStore(store: store, keyRing: keyRing)
        let scholarships = ScholarshipHub(
            store: store, keyRing: keyRing, uploads: uploads,
            matching: MatchScheduling { id, db in _ = try jobs.enqueue(ScholarshipJobs.matchRequest(scholarshipID: id), in: db) })
        return Platform(
            configuration: configuration, sources: sources, store: store, migrator: migrator, metrics: metrics,
            health: health,
            backups: BackupService(store: store, migrator: migrator, defaultDirectory: configuration.backupDirectory),
            departments: departments, cache: cache, rateLimiter: SlidingWindowLimiter(),
            jobs: jobs, keyRing: keyRing, accounts: accounts, sessions: sessions, signInThrottle: throttle, twoFactor: twoFactor,
            challenges: challenges, apiTokens: APITokenStore(store: store, alert: alert), passkeys: passkeys, signIn: signIn,
            profiles: ProfileStore(store: store, matches: scholarships.matches),
            connections: ConnectionStore(store: store), posts: PostStore(store: store),
            events: EventStore(store: store), search: SearchStore(store: store),
            uploads: uploads, usage: UsageRecorder(store: store),
            companies: CompanyStore(store: store), jobPostings: JobPostingStore(store: store),
            jobApplications: JobApplicationStore(store: store), communication: Communication(store: store, keyRing: keyRing, live: live),
            scholarships: scholarships,
            community: CommunitySpaces(store: store), experiments: try Experiments(store: store),
            securityRecords: SecurityRecordStore(store: store), accountPurge: AccountPurge(store: store), purges: purges,
            startedAt: Date(), createdDatabase: setup.created
        )
    }
}
