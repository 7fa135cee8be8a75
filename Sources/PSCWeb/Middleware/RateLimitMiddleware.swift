import HTTPTypes
import Hummingbird
import PSCCore

/// Applies the route's limits per client (00-conventions §8): `RateLimit-*` headers on limited routes, 429
/// `rate_limited` with `Retry-After` when a limit is reached. Signed-in callers (session or token) are keyed by
/// user id, everyone else by client IP.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limiter: SlidingWindowLimiter
    let policy: RateLimitPolicy
    let catalog: RouteCatalog
    let metrics: PlatformMetrics

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let limitHeader = HTTPField.Name("RateLimit-Limit")!
    static let remainingHeader = HTTPField.Name("RateLimit-Remaining")!
    static let resetHeader = HTTPField.Name("RateLimit-Reset")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard policy.enabled else { return try await next(request, context) }
        let route = context.endpointPath.flatMap { catalog.route(method: request.method, template: $0) }
        let user = context.identity?.user.id
        guard let bucket = policy.bucket(for: route, path: request.uri.path, authenticated: user != nil),
            let key = user.map({ "user:\($0)" }) ?? anonymousKey(request, context),
            let decision = limiter.check(key: "\(bucket.name)|\(key)", rules: bucket.rules)
        else { return try await next(request, context) }
        var headers = HTTPFields()
        headers[Self.limitHeader] = String(decision.limit)
        headers[Self.remainingHeader] = String(decision.remaining)
        headers[Self.resetHeader] = String(decision.resetSeconds)
        guard decision.allowed else {
            metrics.recordRateLimited(limit: bucket.name)
            headers[.retryAfter] = String(decision.retryAfter)
            throw APIError(
                .tooManyRequests, "rate_limited", "Too many requests; try again in \(decision.retryAfter) s.", headers: headers
            )
        }
        var response = try await next(request, context)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// The client IP, or nil for monitoring hosts in `rate_limits.exempt_networks`.
    private func anonymousKey(_ request: Request, _ context: Context) -> String? {
        guard
            let client = ClientAddress.resolve(
                peer: context.remoteAddress, forwardedFor: request.headers[Self.forwardedFor], trustedProxies: policy.trustedProxies),
            !policy.exemptNetworks.contains(where: { $0.contains(client) })
        else { return nil }
        return "ip:\(client)"
    }
}
