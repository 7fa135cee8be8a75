import ArgumentParser
import Foundation
import Logging
import PSCApp
import PSCCore
import PSCStore
import PSCWeb

@main
struct PSCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psc",
        abstract: "PittState Connect: the campus community platform in one binary.",
        subcommands: [Serve.self, Migrate.self, Check.self, Restore.self, Seed.self, Version.self],
        defaultSubcommand: nil
    )
}

/// The options every command that opens the data directory shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "A TOML configuration file.") var config: String?
    @Option(name: .customLong("data-dir"), help: "The data directory (default ./data).") var dataDirectory: String?

    var flags: [String: String] {
        var flags: [String: String] = [:]
        if let dataDirectory { flags["data_dir"] = dataDirectory }
        return flags
    }

    func load(extra: [String: String] = [:]) throws -> (Configuration, Platform.ConfigurationSources) {
        // The database, its WAL, backups and held mail (live sign-in links) are for this user alone, whatever umask
        // the shell or service manager left: files 0600, directories 0700. The admin socket sets its own 0660.
        umask(0o077)
        let allFlags = flags.merging(extra) { _, new in new }
        do {
            let configuration = try Configuration.load(flags: allFlags, configFile: config)
            return (configuration, Platform.ConfigurationSources(flags: allFlags, configFile: config))
        } catch {
            throw Failure("configuration: " + error.problems.joined(separator: "\n  "))
        }
    }
}

func makeLogger() -> Logger {
    var logger = Logger(label: "psc")
    logger.logLevel = .info
    return logger
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the platform: HTTP, admin socket, database.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default 8080; 0 picks a free one).") var port: Int?
    @Flag(name: .customLong("no-demo"), help: "Do not create demo accounts in a new development database.") var noDemo = false

    func run() async throws {
        var extra: [String: String] = [:]
        if let host { extra["http.host"] = host }
        if let port { extra["http.port"] = String(port) }
        if noDemo { extra["demo_accounts"] = "false" }
        let (configuration, sources) = try common.load(extra: extra)
        let logger = makeLogger()
        guard let lock = try InstanceLock(dataDirectory: configuration.dataDirectory) else {
            throw Failure("another psc is already running on \(configuration.dataDirectory)")
        }
        let platform: Platform
        do {
            platform = try Platform.open(configuration: configuration, sources: sources, logger: logger)
        } catch let error as StoreError {
            throw Failure(error.description)
        }
        logger.info(
            "database open",
            metadata: [
                "path": "\(platform.store.path)", "sqlite_version": "\(platform.store.sqliteVersion)",
                "journal_mode": "\(platform.store.pragmas.journalMode)", "synchronous": "\(platform.store.pragmas.synchronous)",
            ]
        )
        if platform.createdDatabase {
            print("created a new database at \(platform.store.path) with Pittsburg State's colleges and departments")
            if configuration.demoAccounts {
                let accounts = try DemoAccounts.create(in: platform.store, hash: { PasswordHasher.hash($0) })
                // Printed once: the passwords are stored only as hashes.
                print("demo accounts (development only; these passwords are shown once):")
                for account in accounts {
                    print(
                        "  \(account.role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(account.email)  \(account.password)"
                    )
                }
                var plan = CampusSeeder.Plan.demo
                plan.alsoConnect = accounts.map(\.email)
                let made = try CampusSeeder(store: platform.store).seed(plan)
                let awards = try ScholarshipSeeder(store: platform.store, keyRing: platform.keyRing).seed(.demo)
                let spaces = try CommunitySeeder(store: platform.store).seed(.demo)
                print(
                    "demo campus: \(made.users) people, \(made.posts) posts, \(made.events) events, \(made.jobs) jobs, "
                        + "\(made.connections) connections, \(awards.scholarships) scholarships with \(awards.applications) applications, "
                        + "\(spaces.threads) forum threads, \(spaces.webinars) webinars, \(spaces.announcements) announcements "
                        + "(invented people; nobody can sign in as them)")
            }
            fflush(nil)  // flushes stdout: the lines must reach a log file before requests do
        }
        try await PlatformServer.run(platform: platform, logger: logger)
        // The lock is held until the database is closed.
        withExtendedLifetime(lock) {}
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the embedded migrations (server stopped).")
    @OptionGroup var common: CommonOptions

    func run() throws {
        let (configuration, _) = try common.load()
        guard let lock = try InstanceLock(dataDirectory: configuration.dataDirectory) else {
            throw Failure("psc is running on \(configuration.dataDirectory); it migrates at start-up")
        }
        try withExtendedLifetime(lock) {
            do {
                let store = try Store(path: configuration.databasePath)
                let migrator = try Migrator.embedded()
                let applied = try DatabaseSetup.prepare(store, migrator: migrator).applied
                try store.close()
                print(
                    applied.isEmpty
                        ? "schema is up to date (version \(migrator.latestVersion))"
                        : "applied \(applied.map(\.name).joined(separator: ", ")); schema version \(migrator.latestVersion)")
            } catch let error as StoreError {
                throw Failure(error.description)
            }
        }
    }
}

struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add generated data to the database (server stopped): the benchmarks' synthetic campus.")
    @OptionGroup var common: CommonOptions
    @Flag(help: "Generate a synthetic campus: ten posts per person, an event per ten, a job per hundred.") var synthetic = false
    @Option(help: "How many people to generate.") var users: Int = 50_000

    func run() throws {
        guard synthetic else { throw Failure("say what to seed: psc seed --synthetic --users N") }
        guard (1...2_000_000).contains(users) else { throw Failure("--users must be from 1 to 2000000") }
        let (configuration, _) = try common.load()
        guard !configuration.isProduction else { throw Failure("refusing to add generated people to a production database") }
        guard let lock = try InstanceLock(dataDirectory: configuration.dataDirectory) else {
            throw Failure("psc is running on \(configuration.dataDirectory); stop it before seeding")
        }
        try withExtendedLifetime(lock) {
            do {
                let store = try Store(path: configuration.databasePath)
                _ = try DatabaseSetup.prepare(store, migrator: try Migrator.embedded())
                let started = Date()
                let made = try CampusSeeder(store: store).seed(.synthetic(users: users))
                let spaces = try CommunitySeeder(store: store).seed(.synthetic)
                _ = try store.checkpoint(truncate: true)
                try store.close()
                print(
                    "seeded \(made.users) people, \(made.posts) posts, \(made.events) events, \(made.jobs) jobs, "
                        + "\(made.connections) connections, \(spaces.threads) forum threads with \(spaces.posts) posts and "
                        + "\(spaces.announcements) announcements in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
                if let hub = made.hubEmail {
                    print("the member with \(min(200, users - 1)) connections: \(hub)")
                    // Generated people have no password; the benchmarks read (and the backup benchmark posts) as this member with a
                    // day-long token.
                    let reopened = try Store(path: configuration.databasePath)
                    let id = try reopened.read { db in
                        try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE email_norm = ?", arguments: [hub])
                    }
                    if let id {
                        let token = try APITokenStore(store: reopened).create(
                            userID: id, name: "psc seed benchmark", scopes: ["content:read", "content:write", "profile:read"], validFor: 1,
                            origin: RequestOrigin(ip: nil, userAgent: "psc seed"))
                        print("token for that member (1 day; reads and posts): \(token.token)")
                    }
                    try reopened.close()
                }
            } catch let error as StoreError {
                throw Failure(error.description)
            }
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration and the database: pragmas, SQLite and schema versions, quick_check."
    )
    @OptionGroup var common: CommonOptions

    func run() throws {
        let configuration = Configuration.check(flags: common.flags, configFile: common.config)
        var failed = false
        if configuration.problems.isEmpty {
            print("configuration: ok")
        } else {
            failed = true
            for problem in configuration.problems { print("configuration: \(problem)") }
        }
        let path = configuration.databasePath
        print("sqlite library: \(Store.librarySQLiteVersion())")
        guard FileManager.default.fileExists(atPath: path) else {
            print("database: \(path) does not exist yet (psc serve or psc migrate creates it)")
            throw ExitCode(failed ? 1 : 0)
        }
        let migrator = try Migrator.embedded()
        if let lock = try InstanceLock(dataDirectory: configuration.dataDirectory) {
            try withExtendedLifetime(lock) {
                let store = try Store(path: path, options: .init(durableCommits: configuration.durableCommits))
                defer { try? store.close() }
                let pragmas = store.pragmas
                print(
                    "pragmas: journal_mode=\(pragmas.journalMode) synchronous=\(pragmas.synchronous) foreign_keys=\(pragmas.foreignKeys) busy_timeout=\(pragmas.busyTimeoutMilliseconds) journal_size_limit=\(pragmas.journalSizeLimit)"
                )
                let version = try store.read { db in try Migrator.schemaVersion(db) }
                print("schema version: \(version) (this binary: \(migrator.latestVersion))")
                do { try migrator.verify(store) } catch {
                    failed = true
                    print("migrations: \(error)")
                }
                let quick = try store.quickCheck()
                print("quick_check: \(quick)")
                if quick != "ok" || version != migrator.latestVersion { failed = true }
            }
        } else {
            print("server: running; checking read-only")
            let result = try BackupService.verify(file: path, expectedSchemaVersion: migrator.latestVersion)
            print("schema version: \(result.schemaVersion) (this binary: \(migrator.latestVersion))")
            print("integrity_check: \(result.integrity)")
            if !result.ok { failed = true }
        }
        if failed { throw ExitCode(1) }
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the database with a backup (server stopped); the current file is kept aside."
    )
    @OptionGroup var common: CommonOptions
    @Argument(help: "The backup file.") var file: String

    func run() throws {
        let (configuration, _) = try common.load()
        let service = RestoreService(
            dataDirectory: configuration.dataDirectory, databasePath: configuration.databasePath,
            migrator: try Migrator.embedded()
        )
        do {
            let outcome = try service.restore(from: file)
            print("restored \(outcome.database) from \(outcome.restoredFrom) (schema version \(outcome.schemaVersion))")
            if let kept = outcome.previousKeptAs { print("the previous database is kept as \(kept)") }
        } catch let error as RestoreService.Failure {
            throw Failure(error.description)
        } catch let error as StoreError {
            throw Failure(error.description)
        }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() {
        print("psc \(BuildInfo.version) (SQLite \(Store.librarySQLiteVersion()))")
    }
}

/// A failure to report in one line, without the usage text a `ValidationError` would add.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
