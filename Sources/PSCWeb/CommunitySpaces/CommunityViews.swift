import Foundation
import PSCCore
import PSCStore

/// What clients see for the community stores' refusals.
extension CommunityError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .notFound: APIError.notFound()
        case .forbidden(let message): APIError.forbidden(message)
        case .conflict(let code, let message): APIError(.conflict, code, message)
        case .invalid(let field, let message): APIError.validation([field: [message]])
        }
    }
}

/// The JSON shapes of 10-api §1 for the community spaces, with the people in them as UserCards.
enum CommunityViews {
    /// UserCards for these people as the viewer may see them (an anonymous viewer gets the public fields).
    static func cards(_ ids: [Int64], viewer: Int64?, profiles: ProfileStore) async throws -> [Int64: JSONValue] {
        let unique = Array(Set(ids))
        let found = try await Offload.run { try profiles.cards(ids: unique, viewer: viewer ?? 0) }
        return found.mapValues { entry in .object(ProfileViews.card(entry.record, relation: entry.relation, anonymous: viewer == nil)) }
    }

    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

    static func announcement(_ record: AnnouncementRecord, author: JSONValue?) -> JSONValue {
        [
            "id": .int(record.id), "title": .string(record.title), "content": .string(record.content), "priority": .string(record.priority),
            "audience_roles": strings(record.audienceRoles), "department_id": record.departmentID.map(JSONValue.int) ?? .null,
            "author": author ?? .null, "published_at": .string(record.publishedAt), "expires_at": text(record.expiresAt),
        ]
    }

    static func category(_ record: ForumCategoryRecord) -> JSONValue {
        [
            "id": .int(record.id), "name": .string(record.name), "slug": .string(record.slug), "description": text(record.description),
            "icon": text(record.icon), "color": text(record.color), "display_order": .int(Int64(record.displayOrder)),
            "thread_count": .int(Int64(record.threadCount)), "last_activity_at": text(record.lastActivityAt),
            "allowed_roles": strings(record.allowedRoles),
        ]
    }

    static func thread(_ record: ForumThreadRecord, author: JSONValue?) -> JSONValue {
        [
            "id": .int(record.id),
            "category": ["id": .int(record.categoryID), "slug": .string(record.categorySlug), "name": .string(record.categoryName)],
            "title": .string(record.title), "author": author ?? .null, "content": .string(record.content), "tags": strings(record.tags),
            "is_pinned": .bool(record.isPinned), "is_locked": .bool(record.isLocked), "is_solved": .bool(record.isSolved),
            "best_post_id": record.bestPostID.map(JSONValue.int) ?? .null, "score": .int(Int64(record.score)),
            "views_count": .int(Int64(record.viewsCount)), "reply_count": .int(Int64(record.replyCount)),
            "last_activity_at": .string(record.lastActivityAt), "subscribed": .bool(record.subscribed),
            "created_at": .string(record.createdAt),
        ]
    }

    static func post(_ record: ForumPostRecord, author: JSONValue?, bestPostID: Int64?) -> JSONValue {
        [
            "id": .int(record.id), "thread_id": .int(record.threadID), "author": author ?? .null, "content": .string(record.content),
            "parent_post_id": record.parentPostID.map(JSONValue.int) ?? .null, "score": .int(Int64(record.score)),
            "my_vote": .int(Int64(record.myVote)), "is_best_answer": .bool(record.id == bestPostID),
            "created_at": .string(record.createdAt),
            "edited_at": text(record.editedAt),
        ]
    }

    /// The meeting link only for those §15 lets see it.
    static func webinar(_ record: WebinarRecord, host: JSONValue?, viewer: Actor?) -> JSONValue {
        let manages = viewer.map { WebinarPolicy.mayManage($0, hostID: record.hostID, departmentID: record.departmentID) } ?? false
        let sees = WebinarPolicy.seesMeetingURL(
            registrationRequired: record.registrationRequired, isRegistrant: record.myRegistration != nil, manages: manages,
            signedIn: viewer != nil)
        return [
            "id": .int(record.id), "title": .string(record.title), "description": text(record.description), "host": host ?? .null,
            "scheduled_at": .string(record.scheduledAt), "duration_minutes": .int(Int64(record.durationMinutes)),
            "meeting_url": sees ? text(record.meetingURL) : .null, "recording_url": text(record.recordingURL),
            "max_participants": record.maxParticipants.map { .int(Int64($0)) } ?? .null,
            "registered_count": .int(Int64(record.registeredCount)), "registration_required": .bool(record.registrationRequired),
            "status": .string(record.status),
            "my_registration": record.myRegistration.map { registration in
                [
                    "id": .int(registration.id), "registered_at": .string(registration.registeredAt),
                    "attended": registration.attended.map(JSONValue.bool) ?? .null,
                ]
            } ?? .null,
            "timezone": .string(record.timeZone),
            "department": record.departmentID.map { ["id": .int($0), "name": text(record.departmentName)] } ?? .null,
        ]
    }

    static func mentorProfile(_ record: MentorProfileRecord, user: JSONValue?) -> JSONValue {
        [
            "user": user ?? .null, "expertise": strings(record.expertise), "industries": strings(record.industries),
            "bio": text(record.bio),
            "max_mentees": .int(Int64(record.maxMentees)), "current_mentees": .int(Int64(record.currentMentees)),
            "is_accepting_mentees": .bool(record.isAccepting), "rating": record.rating.map { JSONValue.decimal($0, places: 1) } ?? .null,
            "availability": text(record.availability),
        ]
    }

    static func request(_ record: MentorshipRequestRecord, cards: [Int64: JSONValue]) -> JSONValue {
        var body: [String: JSONValue] = [
            "id": .int(record.id), "mentor": cards[record.mentorID] ?? .null, "mentee": cards[record.menteeID] ?? .null,
            "message": .string(record.message), "goals": text(record.goals), "status": .string(record.status),
            "expires_at": .string(record.expiresAt), "created_at": .string(record.createdAt),
        ]
        if let mentorship = record.mentorshipID { body["mentorship_id"] = .int(mentorship) }
        return .object(body)
    }

    static func mentorship(_ record: MentorshipRecord, cards: [Int64: JSONValue]) -> JSONValue {
        [
            "id": .int(record.id), "mentor": cards[record.mentorID] ?? .null, "mentee": cards[record.menteeID] ?? .null,
            "status": .string(record.status), "started_at": .string(record.startedAt), "ended_at": text(record.endedAt),
            "sessions_completed": .int(Int64(record.sessionsCompleted)),
        ]
    }

    static func session(_ record: MentorSessionRecord) -> JSONValue {
        [
            "id": .int(record.id), "mentorship_id": .int(record.mentorshipID), "scheduled_at": .string(record.scheduledAt),
            "duration_minutes": .int(Int64(record.durationMinutes)), "status": .string(record.status),
            "meeting_link": text(record.meetingLink), "agenda": text(record.agenda), "notes": text(record.notes),
            "action_items": strings(record.actionItems),
        ]
    }
}
