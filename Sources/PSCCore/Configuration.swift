import Foundation

/// A problem with the configuration, naming the key (or environment variable) at fault.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let problems: [String]
    public init(problems: [String]) { self.problems = problems }
    public var description: String { problems.joined(separator: "; ") }
}

/// The resolved configuration of 00-conventions §13: flags > `PSC_*` environment > TOML file > defaults.
///
/// Values are kept in their environment text form (lists comma-separated, maps `name=value` pairs) and were
/// validated against their ``ConfigurationKey`` when loaded, so the typed accessors cannot fail.
public struct Configuration: Sendable {
    public enum Source: String, Sendable { case defaultValue = "default", file, environment, flag }

    public struct Entry: Sendable {
        public let value: String
        public let source: Source
    }

    private var entries: [String: Entry]
    /// Problems found while loading; `load` throws when there are any, `check` returns them.
    public let problems: [String]

    /// Loads and validates. `flags` are already keyed by configuration key (`http.port`).
    public static func load(
        flags: [String: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        configFile: String? = nil
    ) throws(ConfigurationError) -> Configuration {
        let configuration = check(flags: flags, environment: environment, configFile: configFile)
        guard configuration.problems.isEmpty else { throw ConfigurationError(problems: configuration.problems) }
        return configuration
    }

    /// Loads without throwing, collecting every problem (for `psc check` and `psc-admin config check`).
    public static func check(
        flags: [String: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        configFile: String? = nil
    ) -> Configuration {
        var problems: [String] = []
        var entries: [String: Entry] = [:]
        for key in ConfigurationKey.all {
            if let value = key.defaultValue { entries[key.name] = Entry(value: value, source: .defaultValue) }
        }

        func set(_ name: String, _ value: String, _ source: Source, label: String) {
            guard let key = ConfigurationKey.definition(for: name) else {
                problems.append("unknown configuration key \(label)")
                return
            }
            if let reason = validate(value, as: key.kind) {
                problems.append("invalid value for \(label): \(reason)")
                return
            }
            entries[name] = Entry(value: normalise(value, as: key.kind), source: source)
        }

        if let path = configFile {
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                for (name, value) in try fileEntries(TOMLParser.parse(text)).sorted(by: { $0.key < $1.key }) {
                    set(name, value, .file, label: "'\(name)' in \(path)")
                }
            } catch let error as TOMLParser.ParseError {
                problems.append("cannot parse \(path): \(error)")
            } catch let error as ConfigurationError {
                problems.append(contentsOf: error.problems.map { "\($0) in \(path)" })
            } catch {
                problems.append("cannot read \(path): \(error.localizedDescription)")
            }
        }
        for (variable, value) in environment.sorted(by: { $0.key < $1.key }) where variable.hasPrefix("PSC_") {
            guard let name = ConfigurationKey.key(forEnvironmentName: variable) else {
                problems.append("unknown configuration key in environment variable \(variable)")
                continue
            }
            set(name, value, .environment, label: "\(name) (environment variable \(variable))")
        }
        for (name, value) in flags.sorted(by: { $0.key < $1.key }) {
            set(name, value, .flag, label: "\(name) (command-line flag)")
        }

        var configuration = Configuration(entries: entries, problems: [])
        problems.append(contentsOf: configuration.crossKeyProblems())
        configuration = Configuration(entries: entries, problems: problems)
        return configuration
    }

    private init(entries: [String: Entry], problems: [String]) {
        self.entries = entries
        self.problems = problems
    }

    /// Turns parsed TOML into key → environment-style text. A TOML table under a map key becomes its pairs.
    private static func fileEntries(_ parsed: [String: TOMLParser.Value]) throws -> [String: String] {
        var result: [String: String] = [:]
        var mapPairs: [String: [String]] = [:]
        var problems: [String] = []
        for (name, value) in parsed {
            if let mapKey = ConfigurationKey.all.first(where: { $0.kind == .map && name.hasPrefix($0.name + ".") }) {
                let entry = String(name.dropFirst(mapKey.name.count + 1))
                guard let text = scalarText(value) else {
                    problems.append("invalid value for '\(name)': expected a string")
                    continue
                }
                mapPairs[mapKey.name, default: []].append("\(entry)=\(text)")
                continue
            }
            switch value {
            case .array(let items):
                let texts = items.compactMap(scalarText)
                guard texts.count == items.count else {
                    problems.append("invalid value for '\(name)': arrays hold plain values only")
                    continue
                }
                result[name] = texts.joined(separator: ",")
            default:
                if let text = scalarText(value) { result[name] = text }
            }
        }
        for (name, pairs) in mapPairs { result[name] = pairs.sorted().joined(separator: ",") }
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
        return result
    }

    private static func scalarText(_ value: TOMLParser.Value) -> String? {
        switch value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .float(let number): return String(number)
        case .boolean(let flag): return flag ? "true" : "false"
        case .array, .table: return nil
        }
    }

    /// nil when the text is a valid value of the kind, else the reason.
    static func validate(_ text: String, as kind: ConfigurationKey.Kind) -> String? {
        switch kind {
        case .string, .secretFile, .list:
            return nil
        case .rateLimit:
            return RateLimitRule.parseList(text) == nil ? "'\(text)' is not a limit like \"20/min\", \"5/min, 20/h\" or \"none\"" : nil
        case .integer(let range):
            guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
                return "'\(text)' is not an integer"
            }
            return range.contains(number) ? nil : "\(number) is outside \(range.lowerBound)...\(range.upperBound)"
        case .float(let range):
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite else {
                return "'\(text)' is not a number"
            }
            return range.contains(number) ? nil : "\(number) is outside \(range.lowerBound)...\(range.upperBound)"
        case .boolean:
            return ["true", "false"].contains(text) ? nil : "'\(text)' is not true or false"
        case .choice(let choices):
            return choices.contains(text) ? nil : "'\(text)' is not one of \(choices.joined(separator: ", "))"
        case .map:
            let bad = splitList(text).filter { pair in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return parts.count != 2 || parts[0].trimmingCharacters(in: .whitespaces).isEmpty
            }
            return bad.isEmpty ? nil : "'\(bad[0])' is not a name=value pair"
        }
    }

    private static func normalise(_ text: String, as kind: ConfigurationKey.Kind) -> String {
        switch kind {
        case .integer, .float: return text.trimmingCharacters(in: .whitespaces)
        case .list, .map: return splitList(text).joined(separator: ",")
        default: return text
        }
    }

    static func splitList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private func crossKeyProblems() -> [String] {
        var problems: [String] = []
        if isProduction {
            if string("http.public_origin") == nil {
                problems.append("http.public_origin must be set when environment is production")
            }
            if mailTransport == "file" {
                problems.append("mail.transport 'file' is for development; production needs smtp or sendmail")
            } else if mailTransport == "smtp", string("mail.smtp_host") == nil {
                problems.append("mail.smtp_host must be set when environment is production and mail.transport is smtp")
            }
        }
        if mailTransport == "smtp", string("mail.starttls") == "off", let host = string("mail.smtp_host"),
            !["localhost", "::1"].contains(host.lowercased()), !host.hasPrefix("127.")
        {
            problems.append("invalid value for mail.starttls: 'off' is allowed only for a loopback mail.smtp_host, not '\(host)'")
        }
        problems += tlsProblems()
        if let origin = string("http.public_origin"), !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) {
            problems.append("invalid value for http.public_origin: '\(origin)' must start with http:// or https://")
        }
        for pair in list("jobs.concurrency") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if !Self.jobQueues.contains(parts[0]) {
                problems.append(
                    "invalid value for jobs.concurrency: unknown queue '\(parts[0])' (queues: \(Self.jobQueues.joined(separator: ", ")))")
            } else if parts.count != 2 || !(1...32).contains(Int(parts[1]) ?? 0) {
                problems.append("invalid value for jobs.concurrency: '\(pair)' needs a worker count from 1 to 32")
            }
        }
        if let base = integer("jobs.retry_base_s"), let cap = integer("jobs.retry_cap_s"), cap < base {
            problems.append("jobs.retry_cap_s (\(cap)) must not be below jobs.retry_base_s (\(base))")
        }
        for cidr in list("http.trusted_proxies") + list("metrics.allow_from") + list("rate_limits.exempt_networks")
        where IPNetwork(cidr) == nil {
            problems.append("invalid network '\(cidr)': expected an address or CIDR block")
        }
        return problems
    }

    // MARK: - Reading values

    public func string(_ name: String) -> String? {
        guard let value = entries[name]?.value, !value.isEmpty else { return nil }
        return value
    }

    public func integer(_ name: String) -> Int? { string(name).flatMap { Int($0) } }

    public func boolean(_ name: String) -> Bool { string(name) == "true" }

    public func list(_ name: String) -> [String] { string(name).map(Self.splitList) ?? [] }

    public func source(of name: String) -> Source? { entries[name]?.source }

    /// Every key with a value that starts with the prefix (`rate_limits.`).
    public func keys(withPrefix prefix: String) -> [String] { entries.keys.filter { $0.hasPrefix(prefix) }.sorted() }

    /// Every key with a value, secrets files shown as set or not, for `config show`.
    public func redactedEntries() -> [(key: String, value: String, source: Source)] {
        var names = Set(entries.keys)
        names.formUnion(["admin.socket", "backup.dir", "security.keyring_file", "mail.transport"])
        return names.sorted().compactMap { name in
            let value: String?
            switch name {
            case "admin.socket": value = adminSocketPath
            case "backup.dir": value = backupDirectory
            case "security.keyring_file": value = keyringFile
            case "mail.transport": value = mailTransport
            default: value = entries[name]?.value
            }
            guard let value else { return nil }
            let kind = ConfigurationKey.definition(for: name)?.kind
            let shown = kind == .secretFile || name.hasSuffix("_file") ? "[redacted]" : value
            return (name, shown, entries[name]?.source ?? .defaultValue)
        }
    }

    // MARK: - Typed accessors for the keys the platform reads

    public var isProduction: Bool { string("environment") == "production" }
    public var dataDirectory: String { string("data_dir") ?? "./data" }
    public var databasePath: String { (dataDirectory as NSString).appendingPathComponent("psc.db") }
    public var host: String { string("http.host") ?? "127.0.0.1" }
    public var port: Int { integer("http.port") ?? 8080 }
    public var publicOrigin: String? { string("http.public_origin") }
    /// Where links in emails sent outside a request point: the public origin, else the listening address.
    public var siteOrigin: String { publicOrigin ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }
    public var requireTwoFactorForPrivileged: Bool { boolean("security.require_2fa_for_admins") }
    public var demoAccounts: Bool { boolean("demo_accounts") && !isProduction }
    public var durableCommits: Bool { string("durability") == "full" }
    public var adminSocketPath: String {
        string("admin.socket") ?? (dataDirectory as NSString).appendingPathComponent("admin.sock")
    }
    public var backupDirectory: String {
        string("backup.dir") ?? (dataDirectory as NSString).appendingPathComponent("backups")
    }
    public var backupCopyTo: String? { string("backup.copy_to") }

    /// The job queues of 30-jobs §1; `jobs.concurrency` may only set their worker counts.
    public static let jobQueues = ["deliveries", "default", "maintenance"]

    /// Queue → workers, from `jobs.concurrency` (validated at load).
    public var jobConcurrency: [String: Int] {
        var result: [String: Int] = [:]
        for pair in list("jobs.concurrency") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, let count = Int(parts[1]) { result[parts[0]] = count }
        }
        return result
    }
    public var keyringFile: String {
        string("security.keyring_file") ?? (dataDirectory as NSString).appendingPathComponent("keyring.json")
    }
    public var mailTransport: String { string("mail.transport") ?? (isProduction ? "smtp" : "file") }
    public var metricsAllowFrom: [IPNetwork] { list("metrics.allow_from").compactMap(IPNetwork.init) }
    public var trustedProxies: [IPNetwork] { list("http.trusted_proxies").compactMap(IPNetwork.init) }
    /// HSTS is sent only when people reach the platform over https.
    /// Whether people reach the site over HTTPS: psc's own certificate, or an https origin behind a trusted proxy
    /// (the session cookie's `__Host-` and `Secure`, and HSTS, follow it).
    public var usesTLS: Bool { servesTLS || (publicOrigin?.hasPrefix("https://") ?? false) }

    /// Whether psc serves HTTPS itself (a certificate and its key are configured).
    public var servesTLS: Bool { string("http.tls_certificate_file") != nil }

    /// The TLS keys' rules: the certificate and its key together, both readable; a redirect port only beside TLS; in
    /// production an https origin needs either psc's own certificate or a trusted proxy that terminates TLS.
    func tlsProblems() -> [String] {
        var problems: [String] = []
        let certificate = string("http.tls_certificate_file")
        let key = string("http.tls_key_file")
        if (certificate == nil) != (key == nil) {
            problems.append("http.tls_certificate_file and http.tls_key_file must be set together")
        }
        for (name, path) in [("http.tls_certificate_file", certificate), ("http.tls_key_file", key)] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                problems.append("invalid value for \(name): cannot read '\(path)'")
            }
        }
        if string("http.redirect_port") != nil, certificate == nil {
            problems.append("http.redirect_port needs http.tls_certificate_file: it redirects plain HTTP to psc's own HTTPS")
        }
        if let port = integer("http.redirect_port"), port == integer("http.port") {
            problems.append("http.redirect_port must differ from http.port")
        }
        if let webroot = string("http.acme_webroot") {
            var directory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: webroot, isDirectory: &directory) || !directory.boolValue {
                problems.append("invalid value for http.acme_webroot: '\(webroot)' is not a directory")
            }
        }
        if isProduction, publicOrigin?.hasPrefix("https://") == true, certificate == nil, list("http.trusted_proxies").isEmpty {
            problems.append(
                "http.public_origin is https but psc has no certificate: set http.tls_certificate_file and http.tls_key_file, "
                    + "or http.trusted_proxies for the proxy that terminates TLS")
        }
        return problems
    }
}
