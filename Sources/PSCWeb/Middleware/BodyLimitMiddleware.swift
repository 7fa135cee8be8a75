import HTTPTypes
import Hummingbird

/// Refuses a declared body over the limit with 413 before reading it (00-conventions §4): 1 MiB, or the upload
/// limit on the routes that take files. Bodies without a length are bounded where they are read
/// (``Request/decodeJSON(as:context:)``, ``MultipartForm/read(_:limit:)``).
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limit: Int
    /// Larger limits by exact path.
    var uploads: [String: Int] = [:]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // A key ending in "/" covers the paths under it (a token or id follows).
        let path = request.uri.path
        let limit = uploads[path] ?? uploads.first { $0.key.hasSuffix("/") && path.hasPrefix($0.key) }?.value ?? limit
        if let declared = request.headers[.contentLength], let length = Int(declared), length > limit {
            throw APIError.payloadTooLarge(limit: limit)
        }
        return try await next(request, context)
    }
}
