import Foundation
import Hummingbird
import PSCCore

/// Cursor pagination of 00-conventions §6 for lists ordered by id: `limit` (clamped to the maximum;
/// zero, negative or not a number → 422) and an opaque `cursor` naming the last id of the previous page.
struct Pagination {
    let limit: Int
    /// The id of the previous page's last row (lists run newest first below it, or oldest first above it); nil on
    /// the first page.
    let lastID: Int64?

    init(_ request: Request, defaultLimit: Int = 20, maxLimit: Int = 100) throws {
        let query = request.uri.queryParameters
        if let text = query.get("limit") {
            guard let value = Int(text), value > 0 else { throw APIError.validation(["limit": ["must be a positive whole number"]]) }
            limit = min(value, maxLimit)
        } else {
            limit = defaultLimit
        }
        if let cursor = query.get("cursor"), !cursor.isEmpty {
            guard let id = Self.decode(cursor) else {
                throw APIError(.badRequest, "invalid_cursor", "This cursor is not one the server gave.")
            }
            lastID = id
        } else {
            lastID = nil
        }
    }

    /// The cursor for the page after `rows` when the page was full.
    func nextCursor(lastID: Int64?, count: Int) -> JSONValue {
        guard count == limit, let lastID else { return .null }
        return .string(SecureToken.base64URL(Data("id:\(lastID)".utf8)))
    }

    static func decode(_ cursor: String) -> Int64? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8), text.hasPrefix("id:"),
            let id = Int64(text.dropFirst(3)), id > 0
        else { return nil }
        return id
    }
}
