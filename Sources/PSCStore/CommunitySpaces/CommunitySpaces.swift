import Foundation

/// The community spaces' stores, opened together on one database: announcements, forums, webinars and mentorship.
public struct CommunitySpaces: Sendable {
    public let announcements: AnnouncementStore
    public let forums: ForumStore
    public let webinars: WebinarStore
    public let mentorship: MentorshipStore

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        announcements = AnnouncementStore(store: store, clock: clock)
        forums = ForumStore(store: store, clock: clock)
        webinars = WebinarStore(store: store, clock: clock)
        mentorship = MentorshipStore(store: store, clock: clock)
    }
}
