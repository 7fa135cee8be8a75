import Foundation
import HTTPTypes
import Hummingbird

/// Keeps an incoming `X-Request-Id` of 8..64 safe characters, else makes one; every response carries it
/// (00-conventions §4).
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let header = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let incoming = request.headers[Self.header], Self.isSafe(incoming) {
            context.requestID = incoming
        } else {
            context.requestID = Self.generate()
        }
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        var response = try await next(request, context)
        response.headers[Self.header] = context.requestID
        return response
    }

    static func isSafe(_ value: String) -> Bool {
        (8...64).contains(value.utf8.count)
            && value.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || byte == 0x2d || byte == 0x5f || byte == 0x2e
            }
    }

    /// 96 random bits as 24 hex digits, from two draws: each draw from the system generator is a system call.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(generator.next() as UInt64, digits: 16) + hex(UInt64(generator.next() as UInt32), digits: 8)
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: digits - text.count) + text
    }
}
