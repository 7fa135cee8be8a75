import Foundation
import NIOCore
import NIOSSL
import PSCCore
import Synchronization
import X509

/// psc's own certificate and key (`http.tls_certificate_file`, `http.tls_key_file`), read from PEM files. Each new
/// connection's handshake asks for the current pair, so `reload()` (SIGHUP, `psc-admin tls reload`) swaps the
/// certificate without a restart while connections already open keep the one they shook hands with; a file that does
/// not load leaves the current pair in use. TLS itself is swift-nio-ssl's; this only holds and swaps what it serves.
public final class TLSCertificates: Sendable {
    public struct Loaded: Sendable {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        public let subject: String
        public let issuer: String
        public let notValidAfter: Date
        public let serial: String
        public let loadedAt: Date

        public func daysLeft(at now: Date = Date()) -> Double { notValidAfter.timeIntervalSince(now) / 86_400 }
    }

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    public let certificateFile: String
    public let keyFile: String
    private let current: Mutex<Loaded>

    public init(certificateFile: String, keyFile: String) throws {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        current = Mutex(try Self.load(certificateFile: certificateFile, keyFile: keyFile))
    }

    /// The configured pair, or nil when psc serves plain HTTP.
    public convenience init?(configuration: Configuration) throws {
        guard let certificate = configuration.string("http.tls_certificate_file"), let key = configuration.string("http.tls_key_file")
        else { return nil }
        try self.init(certificateFile: certificate, keyFile: key)
    }

    public var loaded: Loaded { current.withLock { $0 } }

    /// Reads both files again and serves them to new connections; on any error the current pair stays.
    @discardableResult
    public func reload() throws -> Loaded {
        let fresh = try Self.load(certificateFile: certificateFile, keyFile: keyFile)
        current.withLock { $0 = fresh }
        return fresh
    }

    static func load(certificateFile: String, keyFile: String) throws -> Loaded {
        let chain: [NIOSSLCertificate]
        let pem: String
        do {
            pem = try String(contentsOfFile: certificateFile, encoding: .utf8)
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw LoadError(description: "http.tls_certificate_file: cannot read a PEM certificate from '\(certificateFile)' (\(error))")
        }
        guard !chain.isEmpty, let leafPEM = pem.components(separatedBy: "-----END CERTIFICATE-----").first else {
            throw LoadError(description: "http.tls_certificate_file: '\(certificateFile)' holds no certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw LoadError(description: "http.tls_key_file: cannot read a PEM private key from '\(keyFile)' (\(error))")
        }
        // BoringSSL refuses a context whose key does not match its certificate.
        do {
            _ = try NIOSSLContext(
                configuration: .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        } catch {
            throw LoadError(
                description: "http.tls_key_file: the key in '\(keyFile)' does not belong to the certificate in '\(certificateFile)'")
        }
        let parsed: Certificate
        do {
            parsed = try Certificate(pemEncoded: leafPEM + "-----END CERTIFICATE-----")
        } catch {
            throw LoadError(description: "http.tls_certificate_file: '\(certificateFile)' is not an X.509 certificate (\(error))")
        }
        return Loaded(
            chain: chain, key: key, subject: parsed.subject.description, issuer: parsed.issuer.description,
            notValidAfter: parsed.notValidAfter, serial: parsed.serialNumber.description, loadedAt: Date())
    }

    /// The server's TLS configuration: the current pair at start, and each handshake served the pair current then.
    public func serverConfiguration() -> TLSConfiguration {
        let first = loaded
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: first.chain.map { .certificate($0) }, privateKey: .privateKey(first.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.sslContextCallback = { [self] _, promise in
            let pair = loaded
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = pair.chain.map { .certificate($0) }
            override.privateKey = .privateKey(pair.key)
            promise.succeed(override)
        }
        return configuration
    }
}

/// The certificate as the health page, `/api/v1/status` and `psc-admin tls show` describe it.
public enum TLSState {
    public static func json(_ loaded: TLSCertificates.Loaded, at now: Date = Date()) -> JSONValue {
        [
            "subject": .string(loaded.subject), "issuer": .string(loaded.issuer),
            "not_valid_after": .string(Timestamp.string(from: loaded.notValidAfter)), "serial": .string(loaded.serial),
            "days_left": .int(Int64(loaded.daysLeft(at: now).rounded(.down))),
            "loaded_at": .string(Timestamp.string(from: loaded.loadedAt)),
        ]
    }
}

/// Which certificate `psc serve` serves, for the pages and routes that describe it; nil on plain HTTP.
public final class ServedCertificate: Sendable {
    private let slot = Mutex<TLSCertificates?>(nil)
    public init() {}
    public var certificates: TLSCertificates? { slot.withLock { $0 } }
    public func set(_ certificates: TLSCertificates?) { slot.withLock { $0 = certificates } }
}
