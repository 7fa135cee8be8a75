import Foundation
import Hummingbird
import PSCCore
import PSCStore
import ServiceLifecycle

/// Records usage for analytics, only into the recorder's buffers: each page served (GET, 200, outside `/api`,
/// `/static`, `/calendar` and the monitoring routes) as a page view named by 20-services §5.7, each `/api` request as an
/// `api_usage` row under its route template, and each signed-in request as the member's activity. The client's IP is
/// kept only when `analytics.record_ip` says so.
struct UsageMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let recorder: UsageRecorder
    let recordIP: Bool

    static let skippedPrefixes = ["/api/", "/static/", "/metrics", "/health", "/favicon", "/robots.txt", "/calendar/"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        if let user = context.identity?.user.id { recorder.recordActivity(userID: user) }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            record(request, context, status: ErrorMiddleware.status(of: error), since: start)
            throw error
        }
        record(request, context, status: Int(response.status.code), since: start)
        return response
    }

    private func record(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        let path = request.uri.path
        if path.hasPrefix("/api/") {
            let elapsed = ContinuousClock.now - start
            let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            recorder.record(
                APICall(
                    endpoint: context.endpointPath ?? "unmatched", method: request.method.rawValue, statusCode: status,
                    responseTimeMS: milliseconds, userID: context.identity?.user.id, tokenID: context.identity?.token?.id,
                    ip: recordIP ? context.remoteAddress : nil, occurredAt: Date()))
            return
        }
        guard request.method == .get, status == 200, let template = context.endpointPath,
            !Self.skippedPrefixes.contains(where: { path.hasPrefix($0) })
        else { return }
        recorder.record(
            PageView(
                pageName: PageName.from(template: template), objectID: Self.objectID(template: template, context: context),
                userID: context.identity?.user.id, ip: recordIP ? context.remoteAddress : nil,
                userAgent: request.headers[.userAgent], referrer: request.headers[.referer], occurredAt: Date()))
    }

    /// The id a path ends in, when its last segment is a numeric parameter.
    static func objectID(template: String, context: Context) -> Int64? {
        guard let last = template.split(separator: "/").last, last.hasPrefix("{") || last.hasPrefix(":") else { return nil }
        let name = last.trimmingCharacters(in: CharacterSet(charactersIn: "{}:"))
        return context.parameters.get(name).flatMap { Int64($0) }
    }
}

/// Flushes the usage buffers every two seconds while the server runs, and once more as it stops.
public struct UsageService: Service {
    let recorder: UsageRecorder
    public init(recorder: UsageRecorder) { self.recorder = recorder }
    public func run() async throws {
        await cancelWhenGracefulShutdown { await recorder.run() }
    }
}
