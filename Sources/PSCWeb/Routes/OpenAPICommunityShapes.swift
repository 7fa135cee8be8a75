import PSCCore
import PSCStore

/// The response shapes of the community spaces (10-api §1, §13–§16).
extension OpenAPIDocument {
    static let userCard = Shape.ref("UserCard")
    static let cardOrNull: JSONValue = ["oneOf": [Shape.ref("UserCard"), ["type": "null"]]]
    static let strings = Shape.array(Shape.string)

    static let announcement = Shape.object([
        "id": Shape.integer, "title": Shape.string, "content": Shape.string, "priority": Shape.choice(AnnouncementRoutes.priorities),
        "audience_roles": Shape.array(Shape.choice(AnnouncementRoutes.roles)), "department_id": Shape.nullableInteger, "author": cardOrNull,
        "published_at": Shape.string, "expires_at": Shape.nullableString,
    ])

    static let forumCategory = Shape.object([
        "id": Shape.integer, "name": Shape.string, "slug": Shape.string, "description": Shape.nullableString, "icon": Shape.nullableString,
        "color": Shape.nullableString, "display_order": Shape.integer, "thread_count": Shape.integer,
        "last_activity_at": Shape.nullableString,
        "allowed_roles": Shape.array(Shape.choice(AnnouncementRoutes.roles)),
    ])

    static let forumThread = Shape.object([
        "id": Shape.integer, "category": Shape.object(["id": Shape.integer, "slug": Shape.string, "name": Shape.string]),
        "title": Shape.string, "author": cardOrNull, "content": Shape.string, "tags": strings, "is_pinned": Shape.boolean,
        "is_locked": Shape.boolean, "is_solved": Shape.boolean, "best_post_id": Shape.nullableInteger, "score": Shape.integer,
        "views_count": Shape.integer, "reply_count": Shape.integer, "last_activity_at": Shape.string, "subscribed": Shape.boolean,
        "created_at": Shape.string,
    ])

    static let forumPost = Shape.object([
        "id": Shape.integer, "thread_id": Shape.integer, "author": cardOrNull, "content": Shape.string,
        "parent_post_id": Shape.nullableInteger, "score": Shape.integer, "my_vote": Shape.integer, "is_best_answer": Shape.boolean,
        "created_at": Shape.string, "edited_at": Shape.nullableString,
    ])

    static let webinar = Shape.object([
        "id": Shape.integer, "title": Shape.string, "description": Shape.nullableString, "host": cardOrNull, "scheduled_at": Shape.string,
        "duration_minutes": Shape.integer, "meeting_url": Shape.nullableString, "recording_url": Shape.nullableString,
        "max_participants": Shape.nullableInteger, "registered_count": Shape.integer, "registration_required": Shape.boolean,
        "status": Shape.choice(["scheduled", "cancelled"]),
        "my_registration": [
            "oneOf": [
                Shape.object(["id": Shape.integer, "registered_at": Shape.string, "attended": nullableBoolean]), ["type": "null"],
            ]
        ],
        "timezone": Shape.string,
        "department": ["oneOf": [Shape.object(["id": Shape.integer, "name": Shape.nullableString]), ["type": "null"]]],
    ])

    static let mentorProfile = Shape.object([
        "user": cardOrNull, "expertise": strings, "industries": strings, "bio": Shape.nullableString, "max_mentees": Shape.integer,
        "current_mentees": Shape.integer, "is_accepting_mentees": Shape.boolean, "rating": nullableNumber,
        "availability": Shape.nullableString,
    ])

    static let requestStatuses = ["pending", "accepted", "declined", "withdrawn", "expired"]

    static let mentorshipRequest = Shape.object(
        [
            "id": Shape.integer, "mentor": cardOrNull, "mentee": cardOrNull, "message": Shape.string, "goals": Shape.nullableString,
            "status": Shape.choice(requestStatuses), "expires_at": Shape.string, "created_at": Shape.string,
            "mentorship_id": Shape.integer,
        ], optional: ["mentorship_id"])

    static let mentorship = Shape.object([
        "id": Shape.integer, "mentor": cardOrNull, "mentee": cardOrNull, "status": Shape.choice(["active", "ended"]),
        "started_at": Shape.string, "ended_at": Shape.nullableString, "sessions_completed": Shape.integer,
    ])

    static let mentorSession = Shape.object([
        "id": Shape.integer, "mentorship_id": Shape.integer, "scheduled_at": Shape.string, "duration_minutes": Shape.integer,
        "status": Shape.choice(["scheduled", "completed", "cancelled"]), "meeting_link": Shape.nullableString,
        "agenda": Shape.nullableString, "notes": Shape.nullableString, "action_items": strings,
    ])

    static let report = Shape.object([
        "id": Shape.integer, "target_type": Shape.choice(PostRoutes.reportTargets), "target_id": Shape.integer,
        "reason": Shape.choice(PostRoutes.reasons), "detail": Shape.nullableString,
        "status": Shape.choice(["open", "resolved", "dismissed"]),
        "resolution": Shape.nullableString, "created_at": Shape.string, "reporter": cardOrNull, "author": cardOrNull,
        "preview": Shape.nullableString, "target_hidden": Shape.boolean, "url": Shape.nullableString,
    ])

    static let communityShapes: [String: JSONValue] = [
        "Announcement": announcement,
        "AnnouncementList": Shape.object(["announcements": Shape.array(Shape.ref("Announcement"))]),
        "ForumCategory": forumCategory,
        "ForumCategoryList": Shape.object(["items": Shape.array(Shape.ref("ForumCategory"))]),
        "ForumThread": forumThread,
        "ForumThreadPage": Shape.object([
            "category": Shape.ref("ForumCategory"), "items": Shape.array(Shape.ref("ForumThread")), "next_cursor": Shape.nullableString,
            "limit": Shape.integer,
        ]),
        "ForumPost": forumPost,
        "ForumThreadWithPosts": Shape.object([
            "thread": Shape.ref("ForumThread"), "posts": Shape.array(Shape.ref("ForumPost")), "next_cursor": Shape.nullableString,
        ]),
        "ForumSolved": Shape.object(["is_solved": Shape.boolean, "best_post_id": Shape.nullableInteger]),
        "ForumVote": Shape.object(["score": Shape.integer, "my_vote": Shape.integer]),
        "Webinar": webinar,
        "WebinarPage": page(of: Shape.ref("Webinar")),
        "WebinarRegistered": Shape.object(["registration_id": Shape.integer]),
        "WebinarRegistrationPage": page(
            of: Shape.object(["user": cardOrNull, "registered_at": Shape.string, "attended": nullableBoolean])),
        "Updated": Shape.object(["updated": Shape.integer]),
        "MentorProfile": mentorProfile,
        "MentorProfilePage": page(of: Shape.ref("MentorProfile")),
        "MentorRecommendations": Shape.object([
            "items": Shape.array(Shape.object(["mentor": Shape.ref("MentorProfile"), "points": Shape.integer, "reasons": strings]))
        ]),
        "MenteeProfile": Shape.object(["goals": Shape.string, "interests": strings, "preferred_industries": strings]),
        "MentorshipRequest": mentorshipRequest,
        "MentorshipRequestList": Shape.object(["items": Shape.array(Shape.ref("MentorshipRequest"))]),
        "Mentorship": mentorship,
        "MentorshipList": Shape.object(["items": Shape.array(Shape.ref("Mentorship"))]),
        "MentorshipEnded": Shape.object(["id": Shape.integer, "status": Shape.choice(["ended"])]),
        "MentorSession": mentorSession,
        "MentorSessionList": Shape.object(["items": Shape.array(Shape.ref("MentorSession"))]),
        "SessionFeedback": Shape.object(["session_id": Shape.integer, "rating": Shape.integer]),
        "Report": report,
        "ReportPage": page(of: Shape.ref("Report")),
    ]
}
