import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// `/mentorship` (50-ui): find mentors (search, and "Recommended for you" with reasons), my mentor and mentee
/// profiles, requests in and out with the time left before expiry, and active mentorships with their sessions
/// (schedule, notes, action items, completion, feedback). Every change goes through MNT routes.
struct MentorshipPageRoutes: FeatureRoutes {
    let mentorship: MentorshipStore
    let profiles: ProfileStore
    let pages: PageRenderer

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (mentorship, profiles) = (mentorship, profiles)
        MemberPage.register(router, catalog, "PAGE-MENTORSHIP", "/mentorship", "Mentorship") { request, context in
            let identity = try MemberPage.identity(request, context)
            let user = identity.user.id
            let query = request.uri.formQuery
            var search = MentorshipStore.MentorQuery()
            search.text = query.get("q").map { String($0.prefix(100)) }.flatMap { $0.isEmpty ? nil : $0 }
            search.industry = query.get("industry").map { String($0.prefix(60)) }.flatMap { $0.isEmpty ? nil : $0 }
            search.limit = 24
            let chosen = search
            let data = try await Offload.run {
                (
                    mentors: try mentorship.mentors(chosen), recommended: try mentorship.recommended(for: user, limit: 6),
                    mine: try mentorship.mentorProfile(userID: user), mentee: try mentorship.menteeProfile(userID: user),
                    incoming: try mentorship.requests(userID: user, incoming: true, status: nil),
                    outgoing: try mentorship.requests(userID: user, incoming: false, status: nil),
                    matches: try mentorship.mentorships(userID: user, status: nil),
                    upcoming: try mentorship.sessions(userID: user, past: false), past: try mentorship.sessions(userID: user, past: true)
                )
            }
            let people =
                data.mentors.map(\.userID) + data.recommended.map(\.mentor.userID) + data.incoming.flatMap { [$0.mentorID, $0.menteeID] }
                + data.outgoing.flatMap { [$0.mentorID, $0.menteeID] } + data.matches.flatMap { [$0.mentorID, $0.menteeID] }
            let cards = try await CommunityViews.cards(people, viewer: user, profiles: profiles)
            let now = Date()
            func mentorItem(_ record: MentorProfileRecord) -> [String: Any] {
                [
                    "userID": Int(record.userID), "name": CommunityPageViews.name(cards[record.userID]),
                    "headline": cards[record.userID]?["headline"]?.stringValue as Any,
                    "expertise": record.expertise.joined(separator: ", "),
                    "industries": record.industries.joined(separator: ", "), "bio": record.bio as Any,
                    "room": record.isAccepting && record.currentMentees < record.maxMentees,
                    "rating": record.rating.map { String(format: "%.1f of 5", $0) } as Any, "availability": record.availability as Any,
                    "self": record.userID == user,
                ]
            }
            let recommendedIDs = data.recommended.map(\.mentor.userID)
            let recommendedProfiles = try await Offload.run { try recommendedIDs.compactMap { try mentorship.mentorProfile(userID: $0) } }
            let byID = Dictionary(recommendedProfiles.map { ($0.userID, $0) }, uniquingKeysWith: { first, _ in first })
            func requestItem(_ record: MentorshipRequestRecord, incoming: Bool) -> [String: Any] {
                let other = incoming ? record.menteeID : record.mentorID
                return [
                    "id": Int(record.id), "name": CommunityPageViews.name(cards[other]), "userID": Int(other), "message": record.message,
                    "status": record.status, "pending": record.status == "pending", "created_at": record.createdAt,
                    "timeLeft": CommunityPageViews.timeLeft(until: Timestamp.date(from: record.expiresAt) ?? now, now: now),
                ]
            }
            let sessionsByMatch = Dictionary(grouping: data.upcoming + data.past, by: \.mentorshipID)
            let matches = data.matches.map { match -> [String: Any] in
                let other = match.other(than: user)
                return [
                    "id": Int(match.id), "name": CommunityPageViews.name(cards[other]), "userID": Int(other),
                    "role": match.mentorID == user ? "You mentor them" : "Your mentor", "active": match.status == "active",
                    "started_at": match.startedAt, "ended_at": match.endedAt as Any, "completed": match.sessionsCompleted,
                    "sessions": (sessionsByMatch[match.id] ?? []).sorted { $0.scheduledAt > $1.scheduledAt }.map {
                        session -> [String: Any] in
                        [
                            "id": Int(session.id), "scheduled_at": session.scheduledAt, "duration": session.durationMinutes,
                            "status": session.status, "scheduled": session.status == "scheduled", "agenda": session.agenda as Any,
                            "notes": session.notes ?? "", "link": session.meetingLink as Any,
                            "actionItems": session.actionItems.joined(separator: ", "), "items": session.actionItems,
                            "canGiveFeedback": session.status == "completed" && !session.myFeedback, "feedbackGiven": session.myFeedback,
                        ]
                    },
                ]
            }
            return HTMLResponse.make(
                pages.render(
                    "mentorship",
                    [
                        "mentors": data.mentors.map(mentorItem), "hasMentors": !data.mentors.isEmpty,
                        "recommended": data.recommended.compactMap { entry in
                            byID[entry.mentor.userID].map { profile -> [String: Any] in
                                var item = mentorItem(profile)
                                item["reasons"] = entry.reasons.isEmpty ? "Has room for a mentee" : entry.reasons.joined(separator: " · ")
                                return item
                            }
                        },
                        "hasRecommended": !data.recommended.isEmpty,
                        "q": search.text ?? "", "industry": search.industry ?? "",
                        "canMentor": MentorshipPolicy.mayMentor(identity.user.role),
                        "mine": data.mine.map { record -> [String: Any] in
                            [
                                "expertise": record.expertise.joined(separator: ", "),
                                "industries": record.industries.joined(separator: ", "),
                                "bio": record.bio ?? "", "max": record.maxMentees, "accepting": record.isAccepting,
                                "availability": record.availability ?? "", "current": record.currentMentees,
                            ]
                        } as Any,
                        "mentee": [
                            "goals": data.mentee?.goals ?? "", "interests": data.mentee?.interests.joined(separator: ", ") ?? "",
                            "industries": data.mentee?.preferredIndustries.joined(separator: ", ") ?? "",
                        ],
                        "incoming": data.incoming.map { requestItem($0, incoming: true) }, "hasIncoming": !data.incoming.isEmpty,
                        "outgoing": data.outgoing.map { requestItem($0, incoming: false) }, "hasOutgoing": !data.outgoing.isEmpty,
                        "matches": matches, "hasMatches": !matches.isEmpty,
                    ], request: request, identity: identity))
        }
    }
}
