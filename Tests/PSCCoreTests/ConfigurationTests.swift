import Foundation
import Testing

@testable import PSCCore

@Suite("Configuration")
struct ConfigurationTests {
    func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "psc-config-\(UUID().uuidString).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("the environment name is PSC_ plus the key upper-cased with dots as underscores")
    func environmentNames() {
        #expect(ConfigurationKey.definition(for: "mail.smtp_port")?.environmentName == "PSC_MAIL_SMTP_PORT")
        #expect(ConfigurationKey.key(forEnvironmentName: "PSC_RATE_LIMITS_ENABLED") == "rate_limits.enabled")
        #expect(ConfigurationKey.key(forEnvironmentName: "PSC_RATE_LIMITS_AUTH_4") == "rate_limits.auth_4")
        #expect(ConfigurationKey.key(forEnvironmentName: "PSC_SSO_CAMPUS_CLIENT_ID") == "sso.campus.client_id")
        #expect(ConfigurationKey.key(forEnvironmentName: "PSC_NOT_A_KEY") == nil)
    }

    @Test("flags beat the environment, which beats the file, which beats the defaults")
    func precedence() throws {
        let path = try file("[http]\nport = 9000\nhost = \"0.0.0.0\"\n[mail]\nsmtp_port = 2525\n")
        let configuration = try Configuration.load(
            flags: ["http.port": "9100"],
            environment: ["PSC_HTTP_PORT": "9050", "PSC_HTTP_HOST": "127.0.0.2"],
            configFile: path
        )
        #expect(configuration.port == 9100)
        #expect(configuration.source(of: "http.port") == .flag)
        #expect(configuration.host == "127.0.0.2")
        #expect(configuration.integer("mail.smtp_port") == 2525)
        #expect(configuration.source(of: "mail.smtp_port") == .file)
        #expect(configuration.integer("cache.max_entries") == 50000)
        #expect(configuration.adminSocketPath == "./data/admin.sock")
    }

    @Test("an unknown key stops loading with its name")
    func unknownKey() throws {
        let path = try file("[http]\nprot = 1\n")
        let error = #expect(throws: ConfigurationError.self) {
            try Configuration.load(environment: ["PSC_HTTP_PROT": "1"], configFile: path)
        }
        #expect(error?.problems.contains { $0.contains("'http.prot'") } == true)
        #expect(error?.problems.contains { $0.contains("PSC_HTTP_PROT") } == true)
    }

    @Test(
        "an invalid value stops loading with the key's name",
        arguments: [
            ("PSC_HTTP_PORT", "eighty", "http.port"),
            ("PSC_HTTP_PORT", "70000", "http.port"),
            ("PSC_RATE_LIMITS_ENABLED", "yes", "rate_limits.enabled"),
            ("PSC_DURABILITY", "extreme", "durability"),
            ("PSC_METRICS_ALLOW_FROM", "10.0.0.0/33", "10.0.0.0/33"),
            ("PSC_CANVAS_DEPARTMENT_MAP", "CS", "canvas.department_map"),
            ("PSC_JOBS_CONCURRENCY", "reports=2", "jobs.concurrency"),
            ("PSC_JOBS_CONCURRENCY", "default=0", "jobs.concurrency"),
            ("PSC_JOBS_CONCURRENCY", "default=many", "jobs.concurrency"),
            ("PSC_JOBS_RETRY_BASE_S", "0", "jobs.retry_base_s"),
            ("PSC_JOBS_KEEP_FINISHED_DAYS", "-1", "jobs.keep_finished_days"),
        ])
    func invalidValue(variable: String, value: String, named: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try Configuration.load(environment: [variable: value])
        }
        #expect(error?.description.contains(named) == true)
    }

    @Test("job worker counts come from jobs.concurrency, queue by queue, over the defaults")
    func jobConcurrency() throws {
        let configuration = try Configuration.load(environment: ["PSC_JOBS_CONCURRENCY": "deliveries=8"])
        #expect(configuration.jobConcurrency == ["deliveries": 8])
        let defaults = try Configuration.load(environment: [:])
        #expect(defaults.jobConcurrency == ["deliveries": 4, "default": 2, "maintenance": 2])
        #expect(throws: ConfigurationError.self) {
            try Configuration.load(environment: ["PSC_JOBS_RETRY_BASE_S": "600", "PSC_JOBS_RETRY_CAP_S": "60"])
        }
    }

    @Test("production needs a public origin and a real mail transport")
    func productionRules() {
        let checked = Configuration.check(environment: ["PSC_ENVIRONMENT": "production", "PSC_MAIL_TRANSPORT": "file"])
        #expect(checked.problems.contains { $0.contains("http.public_origin") })
        #expect(checked.problems.contains { $0.contains("mail.transport") })
        #expect(!checked.demoAccounts)
    }

    @Test("config show redacts secret file keys")
    func redaction() throws {
        let configuration = try Configuration.load(environment: ["PSC_MAIL_PASSWORD_FILE": "/etc/psc/smtp.secret"])
        let entry = configuration.redactedEntries().first { $0.key == "mail.password_file" }
        #expect(entry?.value == "[redacted]")
    }
}

@Suite("IP networks")
struct IPNetworkTests {
    @Test(
        "membership",
        arguments: [
            ("127.0.0.1/32", "127.0.0.1", true),
            ("127.0.0.1/32", "127.0.0.2", false),
            ("10.0.0.0/8", "10.200.3.4", true),
            ("::1/128", "::1", true),
            ("::1/128", "::2", false),
            ("127.0.0.0/8", "::ffff:127.0.0.9", true),
            ("2001:db8::/32", "2001:db8:1::5", true),
            ("192.168.1.0/24", "192.168.2.1", false),
        ])
    func contains(network: String, address: String, expected: Bool) throws {
        let parsed = try #require(IPNetwork(network))
        #expect(parsed.contains(address) == expected)
    }

    @Test("bad networks are refused", arguments: ["", "1.2.3", "1.2.3.4/40", "300.1.1.1", "::1::2", "abc"])
    func refuses(text: String) {
        #expect(IPNetwork(text) == nil)
    }
}
