import Foundation
import Logging
import PSCCore
import PSCJobs
import PSCStore
import PSCWeb
import ServiceLifecycle

/// The job workers and the scheduler of a running server, built once so the admin channel can reach them.
public struct BackgroundWork: Sendable {
    public let workers: JobWorkers
    public let scheduler: Scheduler

    /// `mail` defaults to the transport the configuration names; a configuration it cannot use fails the start.
    public init(platform: Platform, logger: Logger, mail: (any MailTransport)? = nil) throws {
        let mail = try mail ?? MailTransports.make(platform.configuration)
        scheduler = Scheduler(
            queue: platform.jobs, schedules: try PlatformSchedules.all(platform: platform), logger: logger, observer: platform.metrics
        )
        // The server holds the instance lock (InstanceLock), so no other process works this queue.
        var configuration = JobWorkers.Configuration.standard
        configuration.soleProcess = true
        configuration.concurrency.merge(platform.configuration.jobConcurrency) { _, configured in configured }
        let day = 86400
        configuration.keepFinished = .seconds(day * (platform.configuration.integer("jobs.keep_finished_days") ?? 7))
        configuration.keepDead = .seconds(day * (platform.configuration.integer("jobs.keep_dead_days") ?? 30))
        let adapters = try NotificationDelivery.Adapters(configuration: platform.configuration, mail: mail)
        let handlers =
            scheduler.handlers + AccountJobHandlers.all(platform: platform)
            + [
                NotificationDelivery.handler(platform: platform, adapters: adapters),
                NotificationDelivery.broadcastHandler(platform: platform),
                ScholarshipJobs.matchHandler(platform: platform),
                AnalyticsJobs.exportHandler(exports: platform.analyticsExports),
            ] + CommunityJobs.handlers(platform: platform)
        workers = JobWorkers(
            queue: platform.jobs, handlers: handlers, configuration: configuration, logger: logger, observer: platform.metrics)
        platform.metrics.initialiseKnownSeries(
            jobKinds: handlers.map(\.kind), schedules: scheduler.schedules.map(\.name),
            cacheNamespaces: CachedResponses.namespaces)
        platform.health.register(JobQueueHealthCheck(queue: platform.jobs, queues: workers.queueNames))
    }

    /// The two as lifecycle services: on graceful shutdown they stop claiming and ticking; running jobs finish
    /// within the group's shutdown bound, after which they are cancelled and their attempt is retried later.
    var services: [any Service] { [WorkersService(workers: workers), SchedulerService(scheduler: scheduler)] }

    struct WorkersService: Service {
        let workers: JobWorkers
        func run() async throws {
            await withGracefulShutdownHandler {
                await workers.run()
            } onGracefulShutdown: {
                workers.stop()
            }
        }
    }

    struct SchedulerService: Service {
        let scheduler: Scheduler
        func run() async throws {
            await withGracefulShutdownHandler {
                await scheduler.run()
            } onGracefulShutdown: {
                scheduler.stop()
            }
        }
    }
}
