import HTTPTypes
import Hummingbird

/// Refuses a declared body over the limit with 413 before reading it (00-conventions §4). Bodies without a
/// length are bounded where they are read (``Request/decodeJSON(as:context:)``).
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength], let length = Int(declared), length > limit {
            throw APIError.payloadTooLarge(limit: limit)
        }
        return try await next(request, context)
    }
}
