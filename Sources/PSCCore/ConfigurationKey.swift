/// One configuration key of 00-conventions §13: its name, the kind of value it takes and its default.
public struct ConfigurationKey: Sendable {
    public enum Kind: Sendable, Equatable {
        case string
        case integer(ClosedRange<Int>)
        case float(ClosedRange<Double>)
        case boolean
        case list
        case map
        case choice([String])
        /// A path to a secret file (keys ending in `_file`); shown redacted.
        case secretFile
        /// A route's limits in the `Limit` column's notation (`"20/min"`, `"5/min, 20/h"`, `"none"`).
        case rateLimit
    }

    public let name: String
    public let kind: Kind
    /// The default as it would be written in the environment; nil means unset. A default that depends on
    /// other keys (`admin.socket` under `data_dir`) is resolved by ``Configuration``.
    public let defaultValue: String?

    public init(_ name: String, _ kind: Kind, default defaultValue: String? = nil) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
    }

    /// `PSC_` + the key upper-cased with dots as underscores.
    public var environmentName: String {
        "PSC_" + name.uppercased().map { $0 == "." ? "_" : $0 }.map(String.init).joined()
    }
}

extension ConfigurationKey {
    /// Every fixed key of 00-conventions §13. Keys with a free segment (`rate_limits.<id>`, `sso.<name>.*`) are
    /// matched by ``ConfigurationKey/pattern(for:)``.
    public static let all: [ConfigurationKey] = [
        .init("environment", .choice(["development", "production"]), default: "development"),
        .init("data_dir", .string, default: "./data"),
        .init("demo_accounts", .boolean, default: "true"),
        .init("durability", .choice(["normal", "full"]), default: "normal"),
        .init("http.host", .string, default: "127.0.0.1"),
        .init("http.port", .integer(0...65535), default: "8080"),
        .init("http.public_origin", .string),
        .init("http.trusted_proxies", .list, default: ""),
        .init("http.cors_origins", .list, default: ""),
        // Not in the spec's table (issue "HTTPS and HTTP/2 from the binary itself"): TLS served by psc itself.
        .init("http.tls_certificate_file", .string),
        .init("http.tls_key_file", .secretFile),
        .init("http.redirect_port", .integer(1...65535)),
        .init("http.acme_webroot", .string),
        .init("admin.socket", .string),
        .init("registration.student_domains", .list, default: "gus.pittstate.edu,pittstate.edu"),
        .init("registration.semester_ends", .list, default: "05-31,07-31,12-31"),
        .init("security.require_2fa_for_admins", .boolean, default: "true"),
        .init("security.keyring_file", .secretFile),
        .init("rate_limits.enabled", .boolean, default: "true"),
        .init("rate_limits.exempt_networks", .list, default: ""),
        .init("cache.max_bytes", .integer(0...Int.max), default: "67108864"),
        .init("cache.max_entries", .integer(0...Int.max), default: "50000"),
        .init("analytics.record_ip", .boolean, default: "false"),
        .init("metrics.allow_from", .list, default: "127.0.0.1/32,::1/128"),
        .init("mail.transport", .choice(["smtp", "sendmail", "file"])),
        .init("mail.smtp_host", .string),
        .init("mail.smtp_port", .integer(1...65535), default: "587"),
        .init("mail.starttls", .choice(["required", "optional", "off"]), default: "required"),
        .init("mail.username", .string),
        .init("mail.password_file", .secretFile),
        .init("mail.sendmail_path", .string, default: "sendmail"),
        // Not in the spec's table: a campus relay with a private certificate authority needs its PEM to verify TLS.
        .init("mail.ca_file", .string),
        .init("mail.from", .string, default: "PittState Connect <no-reply@localhost>"),
        .init("ai.base_url", .string),
        .init("ai.api_key_file", .secretFile),
        .init("ai.model", .string),
        .init("ai.timeout_s", .integer(1...600), default: "30"),
        .init("ai.max_tokens", .integer(1...100_000), default: "800"),
        .init("ai.temperature", .float(0...2), default: "0.7"),
        .init("ai.daily_tokens_per_user", .integer(0...Int.max), default: "20000"),
        .init("payments.api_base", .string, default: "https://api.stripe.com"),
        .init("payments.secret_key_file", .secretFile),
        .init("payments.webhook_secret_file", .secretFile),
        .init("payments.publishable_key", .string),
        .init("twilio.api_base", .string, default: "https://api.twilio.com"),
        .init("twilio.account_sid", .string),
        .init("twilio.auth_token_file", .secretFile),
        .init("twilio.from_number", .string),
        .init("twilio.messaging_service_sid", .string),
        .init("twilio.whatsapp_from", .string),
        .init("fcm.api_base", .string, default: "https://fcm.googleapis.com"),
        .init("fcm.project_id", .string),
        .init("fcm.service_account_file", .secretFile),
        .init("canvas.base_url", .string),
        .init("canvas.token_file", .secretFile),
        .init("canvas.department_map", .map, default: ""),
        .init("sync.job_feeds", .list, default: ""),
        .init("sync.scholarship_feeds", .list, default: ""),
        .init("sync.trusted_feeds", .list, default: ""),
        .init("backup.dir", .string),
        .init("backup.copy_to", .string),
        // Not in the spec's key table: the queue issue asks for these to be configurable. 30-jobs §1's values are
        // the defaults.
        .init("jobs.concurrency", .map, default: "deliveries=4,default=2,maintenance=2"),
        .init("jobs.retry_base_s", .integer(1...3600), default: "10"),
        .init("jobs.retry_cap_s", .integer(1...86400), default: "3600"),
        .init("jobs.keep_finished_days", .integer(1...3650), default: "7"),
        .init("jobs.keep_dead_days", .integer(1...3650), default: "30"),
        .init("governance.reference_groups", .map, default: ""),
        .init("governance.bias_attributes", .list, default: "first_generation"),
    ]

    private static let byName: [String: ConfigurationKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    private static let ssoFields: [String: Kind] = [
        "issuer": .string, "client_id": .string, "client_secret_file": .secretFile,
        "role_claim": .string, "role_map": .map, "trusted_domain": .string,
    ]

    /// The key definition for a name, fixed or from a pattern; nil for an unknown key.
    public static func definition(for name: String) -> ConfigurationKey? {
        if let key = byName[name] { return key }
        return pattern(for: name)
    }

    /// `rate_limits.<id>` (a limit like `"20/min"` or `"none"`) and `sso.<name>.<field>`.
    public static func pattern(for name: String) -> ConfigurationKey? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 2, parts[0] == "rate_limits", isIdentifier(parts[1]) {
            return ConfigurationKey(name, .rateLimit)
        }
        if parts.count == 3, parts[0] == "sso", isIdentifier(parts[1], allowUnderscore: false),
            let kind = ssoFields[parts[2]]
        {
            return ConfigurationKey(name, kind)
        }
        return nil
    }

    /// Maps an environment variable back to its key: fixed keys first, then the patterns.
    public static func key(forEnvironmentName variable: String) -> String? {
        if let key = all.first(where: { $0.environmentName == variable }) { return key.name }
        guard variable.hasPrefix("PSC_") else { return nil }
        let rest = String(variable.dropFirst(4)).lowercased()
        if rest.hasPrefix("rate_limits_") {
            let id = String(rest.dropFirst("rate_limits_".count))
            return isIdentifier(id) ? "rate_limits.\(id)" : nil
        }
        if rest.hasPrefix("sso_") {
            let tail = rest.dropFirst(4)
            for field in ssoFields.keys where tail.hasSuffix("_" + field) {
                let provider = String(tail.dropLast(field.count + 1))
                if isIdentifier(provider, allowUnderscore: false) { return "sso.\(provider).\(field)" }
            }
        }
        return nil
    }

    private static func isIdentifier(_ text: String, allowUnderscore: Bool = true) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || (allowUnderscore && $0 == "_")
            }
    }
}
