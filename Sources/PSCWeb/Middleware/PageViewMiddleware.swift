import Foundation
import Hummingbird
import PSCStore
import ServiceLifecycle

/// Records a page view for each page served (GET, 200, outside `/api`, `/static` and the monitoring routes), named
/// by its route template with the `{id}` parameter as the object. Recording only appends to the recorder's buffer;
/// the client's IP is kept only when `analytics.record_ip` says so.
struct PageViewMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let recorder: PageViewRecorder
    let recordIP: Bool

    static let skippedPrefixes = ["/api/", "/static/", "/metrics", "/health", "/favicon", "/robots.txt", "/calendar/"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        let path = request.uri.path
        guard request.method == .get, response.status == .ok, let template = context.endpointPath,
            !Self.skippedPrefixes.contains(where: { path.hasPrefix($0) })
        else { return response }
        recorder.record(
            PageView(
                pageName: template, objectID: context.parameters.get("id").flatMap { Int64($0) }, userID: context.identity?.user.id,
                ip: recordIP ? context.remoteAddress : nil, userAgent: request.headers[.userAgent], referrer: request.headers[.referer],
                occurredAt: Date()))
        return response
    }
}

/// Flushes the page-view buffer every two seconds while the server runs, and once more as it stops.
public struct PageViewService: Service {
    let recorder: PageViewRecorder
    public init(recorder: PageViewRecorder) { self.recorder = recorder }
    public func run() async throws {
        await cancelWhenGracefulShutdown { await recorder.run() }
    }
}
