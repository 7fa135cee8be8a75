import Foundation
import Hummingbird
import Logging
import PSCAdmin
import PSCCore
import PSCStore
import PSCWeb
import ServiceLifecycle

/// `psc serve`: the HTTP server and the admin socket under one service group. On SIGTERM or SIGINT it stops
/// accepting, drains requests, closes the admin socket, then checkpoints (TRUNCATE) and closes the database, so
/// the `.db` file alone is complete afterwards (ARCHITECTURE §1).
public enum PlatformServer {
    public static func run(platform: Platform, logger: Logger, accessLog: AccessLogSink = AccessLogSink(enabled: true)) async throws {
        let background = try BackgroundWork(platform: platform, logger: logger)
        let admin = AdminSocketServer(
            path: platform.configuration.adminSocketPath,
            handler: AdminCommands(platform: platform, background: background, logger: logger)
        )
        try admin.start()
        let configuration = platform.configuration
        let application = try buildApplication(
            platform: platform, logger: logger, accessLog: accessLog, scheduler: background.scheduler
        ) { port in
            // One line each, so scripts and tests can read where to connect.
            let lines =
                "PittState Connect \(BuildInfo.version) is listening on http://\(displayHost(configuration.host)):\(port)/\n"
                + "admin socket: \(configuration.adminSocketPath)\n"
            FileHandle.standardOutput.write(Data(lines.utf8))
        }
        // Shut down in reverse order: live streams end, HTTP stops, then the scheduler, then the workers.
        var groupConfiguration = ServiceGroupConfiguration(
            services: (background.services + [
                UsageService(recorder: platform.usage), application, LiveStreamsService(live: platform.communication.live),
                SamplerService(platform: platform),
            ]).map {
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

    static func displayHost(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}
