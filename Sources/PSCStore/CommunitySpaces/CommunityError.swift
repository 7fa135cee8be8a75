/// What the community stores refuse, mapped to answers by the HTTP layer: one shape for announcements, forums,
/// webinars and mentorship, since their refusals differ only in code and words.
public enum CommunityError: Error, Equatable, Sendable {
    /// Missing, deleted, or not the caller's to see.
    case notFound
    case forbidden(String)
    /// A state conflict with its 00-conventions code (`thread_locked`, `webinar_full`, `mentor_full`, `invalid_state`, …).
    case conflict(code: String, message: String)
    /// A field that is well-formed but wrong here (a parent post of another thread, voting on one's own post).
    case invalid(field: String, message: String)
}
