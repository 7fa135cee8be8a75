import Foundation

/// Who reads, writes and moderates in the forums (10-api §14).
public enum ForumPolicy {
    /// A category with no roles listed is open to everyone, anonymous readers included; otherwise only the listed
    /// roles see it (and admins, who moderate everything).
    public static func mayRead(allowedRoles: [Role], _ actor: Actor?) -> Bool {
        if allowedRoles.isEmpty { return true }
        guard let actor else { return false }
        return actor.role == .admin || allowedRoles.contains(actor.role)
    }

    /// Writing needs an account that may read the category.
    public static func mayWrite(allowedRoles: [Role], _ actor: Actor?) -> Bool {
        actor != nil && mayRead(allowedRoles: allowedRoles, actor)
    }

    /// Pin, lock, move, hide and resolve reports: `moderate_content` (admins hold it).
    public static func mayModerate(_ actor: Actor?) -> Bool { actor?.has(.moderateContent) ?? false }

    /// Editing and deleting a post or thread: its author or a moderator.
    public static func mayEdit(_ actor: Actor, authorID: Int64) -> Bool { actor.userID == authorID || mayModerate(actor) }

    /// Choosing the best answer: the thread's author or a moderator.
    public static func maySolve(_ actor: Actor, threadAuthorID: Int64) -> Bool { mayEdit(actor, authorID: threadAuthorID) }

    /// A category's slug: 2..60 of a-z, 0-9 and hyphens.
    public static func isSlug(_ text: String) -> Bool {
        (2...60).contains(text.count) && text.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// `#RRGGBB`.
    public static func isColor(_ text: String) -> Bool {
        text.count == 7 && text.first == "#" && text.dropFirst().allSatisfy(\.isHexDigit)
    }
}
