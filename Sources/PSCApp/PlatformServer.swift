import Foundation
import Hummingbird
import Logging
import PSCAdmin
import PSCCore
import PSCStore
import PSCWeb
import ServiceLifecycle
import UnixSignals

/// `psc serve`: the HTTP server and the admin socket under one service group. On SIGTERM or SIGINT it stops
/// accepting, drains requests, closes the admin socket, then checkpoints (TRUNCATE) and closes the database, so
/// the `.db` file alone is complete afterwards (ARCHITECTURE §1).
public enum PlatformServer {
    public static func run(platform: Platform, logger: Logger, accessLog: AccessLogSink = AccessLogSink(enabled: true)) async throws {
        let tls = try TLSCertificates(configuration: platform.configuration)
        if let tls { platform.metrics.recordCertificate(daysLeft: tls.loaded.daysLeft()) }
        platform.certificate.set(tls)
        let background = try BackgroundWork(platform: platform, logger: logger)
        let admin = AdminSocketServer(
            path: platform.configuration.adminSocketPath,
            handler: AdminCommands(platform: platform, background: background, logger: logger, tls: tls)
        )
        try admin.start()
        let configuration = platform.configuration
        if tls == nil, configuration.usesTLS {
            logger.notice("http.public_origin is https and psc serves plain HTTP: a trusted proxy is expected to terminate TLS")
        }
        let scheme = tls == nil ? "http" : "https"
        let httpsPort = BoundPort(configuration.port)
        let application = try buildApplication(
            platform: platform, logger: logger, accessLog: accessLog, scheduler: background.scheduler, tls: tls
        ) { port in
            httpsPort.set(port)
            // One line each, so scripts and tests can read where to connect.
            let lines =
                "PittState Connect \(BuildInfo.version) is listening on \(scheme)://\(displayHost(configuration.host)):\(port)/\n"
                + "admin socket: \(configuration.adminSocketPath)\n"
            FileHandle.standardOutput.write(Data(lines.utf8))
        }
        // Shut down in reverse order: live streams end, HTTP stops, then the scheduler, then the workers.
        var groupConfiguration = ServiceGroupConfiguration(
            services: (background.services + [
                UsageService(recorder: platform.usage), application, LiveStreamsService(live: platform.communication.live),
                SamplerService(platform: platform),
                CertificateReloadService(tls: tls, metrics: platform.metrics, logger: logger),
            ]
                + (buildRedirectApplication(configuration: configuration, httpsPort: httpsPort, logger: logger).map { [$0] } ?? [])).map {
                    ServiceGroupConfiguration.ServiceConfiguration(service: $0)
                },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(60)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            admin.stop()
            try? platform.store.close()
            throw error
        }
        admin.stop()
        try platform.store.close()
        logger.info("stopped; the database was checkpointed and closed")
    }

    /// Ends the open notification streams first on shutdown, so draining HTTP does not wait on them.
    struct LiveStreamsService: Service {
        let live: LiveNotifications
        func run() async throws {
            try? await gracefulShutdown()
            live.closeAll()
        }
    }

    /// Samples the CPU share and the database file sizes every 15 s (10-api MON-3, 20-services §9.3).
    struct SamplerService: Service {
        let platform: Platform
        func run() async throws {
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                platform.process.sample()
                platform.metrics.sampleFileSizes(platform.store)
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(15)) }
            }
        }
    }

    /// SIGHUP loads the certificate files again (certbot's deploy hook sends it, or runs `psc-admin tls reload`). It
    /// is trapped on plain HTTP too, where it changes nothing: its default action would stop the server.
    struct CertificateReloadService: Service {
        let tls: TLSCertificates?
        let metrics: PlatformMetrics
        let logger: Logger
        func run() async throws {
            await cancelWhenGracefulShutdown {
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    guard let tls else {
                        logger.notice("SIGHUP: psc serves plain HTTP, so there is no certificate to reload")
                        continue
                    }
                    do {
                        let loaded = try tls.reload()
                        metrics.recordCertificate(daysLeft: loaded.daysLeft())
                        logger.info("TLS certificate reloaded on SIGHUP", metadata: ["serial": "\(loaded.serial)"])
                    } catch {
                        logger.error("TLS certificate not reloaded; the one in use stays", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }

    static func displayHost(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}
