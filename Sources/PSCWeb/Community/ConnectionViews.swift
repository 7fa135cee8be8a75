import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// Connection suggestions as the viewer may see them (CON-6, the feed and the `/connections` page).
struct ConnectionViews {
    let connections: ConnectionStore
    let profiles: ProfileStore

    /// People the viewer may know, each with the reasons the viewer may see (CON-6 and the `/connections` page).
    func suggestions(viewer: Int64, limit: Int) async throws -> [JSONValue] {
        let (connections, profiles) = (connections, profiles)
        let found = try await Offload.run { try connections.suggestions(for: viewer, limit: limit) }
        let cards = try await Offload.run { try profiles.cards(ids: found.map(\.userID), viewer: viewer) }
        return found.compactMap { suggestion in
            guard let card = cards[suggestion.userID] else { return nil }
            let viewerKind = ProfileViews.viewer(for: card.relation)
            var reasons: [JSONValue] = []
            if suggestion.mutual > 0 {
                reasons.append(.string("\(suggestion.mutual) mutual connection\(suggestion.mutual == 1 ? "" : "s")"))
            }
            // A shared department or major is a reason only when that person lets the caller see it.
            if suggestion.sameDepartment, card.record.shows("department", to: viewerKind) { reasons.append("your department") }
            if suggestion.sameMajor, card.record.shows("major", to: viewerKind) { reasons.append("your major") }
            guard !reasons.isEmpty else { return nil }
            return ["user": .object(ProfileViews.card(card.record, relation: card.relation)), "reasons": .array(reasons)]
        }
    }

    /// One page of the viewer's connections or requests (CON-1 and the `/connections` page).
    func list(viewer: Int64, status: ConnectionStatus, beforeID: Int64?, limit: Int) async throws -> (
        items: [JSONValue], lastID: Int64?, count: Int
    ) {
        let (connections, profiles) = (connections, profiles)
        let rows = try await Offload.run { try connections.list(userID: viewer, status: status, beforeID: beforeID, limit: limit) }
        let cards = try await Offload.run { try profiles.cards(ids: rows.map { $0.other(than: viewer) }, viewer: viewer) }
        let items: [JSONValue] = rows.compactMap { row in
            guard let card = cards[row.other(than: viewer)] else { return nil }
            return [
                "id": .int(row.id), "user": .object(ProfileViews.card(card.record, relation: card.relation)),
                "status": .string(status.rawValue), "note": row.note.map(JSONValue.string) ?? .null,
                "created_at": .string(row.createdAt),
            ]
        }
        return (items, rows.last?.id, rows.count)
    }
}
