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
        let query = request.uri.formQuery
        limit = try Self.limit(request, defaultLimit: defaultLimit, maxLimit: maxLimit)
        if let cursor = query.get("cursor"), !cursor.isEmpty {
            guard let id = Self.decode(cursor) else { throw Self.invalidCursor }
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
        guard let data = SecureToken.base64URLDecode(cursor), let text = String(data: data, encoding: .utf8), text.hasPrefix("id:"),
            let id = Int64(text.dropFirst(3)), id > 0
        else { return nil }
        return id
    }

    /// `limit` from the query: a positive whole number, capped at `maxLimit`.
    static func limit(_ request: Request, defaultLimit: Int = 20, maxLimit: Int = 100) throws -> Int {
        guard let text = request.uri.formQuery.get("limit") else { return defaultLimit }
        guard let value = Int(text), value > 0 else { throw APIError.validation(["limit": ["must be a positive whole number"]]) }
        return min(value, maxLimit)
    }

    static let invalidCursor = APIError(.badRequest, "invalid_cursor", "This cursor is not one the server gave.")
}

/// Cursors for lists ranked by something other than id (directory relevance, search score): the offset of the
/// next page, opaque to clients.
enum OffsetCursor {
    static func next(_ offset: Int) -> JSONValue { .string(SecureToken.base64URL(Data("offset:\(offset)".utf8))) }

    /// The offset a cursor names, 0 without one; 400 `invalid_cursor` for anything the server did not give.
    static func offset(_ cursor: String?) throws -> Int {
        guard let cursor, !cursor.isEmpty else { return 0 }
        guard let data = SecureToken.base64URLDecode(cursor), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("offset:"), let offset = Int(text.dropFirst(7)), offset >= 0
        else { throw Pagination.invalidCursor }
        return offset
    }
}
