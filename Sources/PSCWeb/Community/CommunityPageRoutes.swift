import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// The member pages of the community (50-ui §3): the feed, profiles, the directory, connections and search. Each
/// reads through the same functions as its API route, so a page shows exactly what the API lets the viewer see;
/// forms post to the API through `account.js`.
struct CommunityPageRoutes: FeatureRoutes {
    let departments: DepartmentStore
    let profiles: ProfileStore
    let posts: PostStore
    let events: EventStore
    let securityRecords: SecurityRecordStore
    let postViews: PostViews
    let eventViews: EventViews
    let connectionViews: ConnectionViews
    let directoryViews: DirectoryViews
    let searchViews: SearchViews
    let ownProfile: OwnProfileView
    let scholarships: ScholarshipHub
    let community: CommunitySpaces
    let pages: PageRenderer

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        MemberPage.register(router, catalog, "PAGE-FEED", "/feed", "My feed") { request, context in
            let identity = try MemberPage.identity(request, context)
            let pagination = try Pagination(request)
            let (store, reader) = (posts, PostViews.reader(identity))
            let found = try await Offload.run { try store.feed(reader: reader, beforeID: pagination.lastID, limit: pagination.limit) }
            let items = try await postViews.bodies(found, viewer: identity.user.id)
            let next = pagination.nextCursor(lastID: found.last?.id, count: found.count).stringValue
            let suggestions = try await connectionViews.suggestions(viewer: identity.user.id, limit: 3)
            let now = Date()
            var listing = EventStore.Listing(from: now, to: now.addingTimeInterval(366 * 86400))
            listing.mine = true
            listing.limit = 5
            let (eventStore, chosen) = (events, listing)
            let upcoming = try await Offload.run { try eventStore.list(chosen, reader: identity.user.id) }
            // The dashboard's side column (50-ui §3): my next deadlines and my top three matches.
            let (applications, matches, viewer) = (scholarships.applications, scholarships.matches, identity.user.id)
            let drafts = try await Offload.run { try applications.applications(userID: viewer, status: "in_progress", limit: 3, offset: 0) }
            let top = try await Offload.run { try matches.matches(userID: viewer, statuses: ["eligible"], limit: 3, offset: 0) }
            // Announcements with their priority, and mentors suggested for me (50-ui §3's side column).
            let (announcements, mentorship, actor) = (community.announcements, community.mentorship, identity.actor)
            let notices = try await Offload.run { try announcements.visible(to: actor, limit: 3) }
            let mentors = try await Offload.run { try mentorship.recommended(for: viewer, limit: 3) }
            let mentorCards = try await CommunityViews.cards(mentors.map(\.mentor.userID), viewer: viewer, profiles: profiles)
            return HTMLResponse.make(
                pages.render(
                    "feed",
                    [
                        "posts": items.compactMap(\.templateValue), "hasPosts": !items.isEmpty, "next": next as Any,
                        "hasDepartment": identity.user.departmentID != nil,
                        "suggestions": Self.suggestionCards(suggestions),
                        "myEvents": try await eventViews.bodies(upcoming.filter { $0.myStatus != nil })
                            .compactMap(\.templateValue),
                        "deadlines": drafts.map {
                            [
                                "id": Int($0.id), "title": $0.scholarship.title, "progress": $0.progressPercentage,
                                "daysLeft": ScholarshipPageViews.daysLeft($0.scholarship.deadline, now: now),
                            ]
                        },
                        "topMatches": top.map {
                            [
                                "id": Int($0.scholarshipID), "title": $0.title, "amount": Money.words($0.amountCents),
                                "score": $0.result.score,
                            ]
                        },
                        "applies": ScholarshipPolicy.mayApply(identity.actor),
                        "announcements": notices.map { CommunityPageViews.announcement($0, now: now) },
                        "hasAnnouncements": !notices.isEmpty,
                        "mentors": mentors.map { entry -> [String: Any] in
                            [
                                "id": Int(entry.mentor.userID), "name": CommunityPageViews.name(mentorCards[entry.mentor.userID]),
                                "reason": entry.reasons.first ?? "Has room for a mentee",
                            ]
                        },
                        "hasMentors": !mentors.isEmpty,
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-PROFILE", "/profile/{id}", "A member's profile") { request, context in
            let identity = try MemberPage.identity(request, context)
            let raw = context.parameters.get("id") ?? ""
            guard let id = raw == "me" ? identity.user.id : Int64(raw) else { throw APIError.notFound("There is no such member.") }
            let profiles = profiles
            guard let found = try await Offload.run({ try profiles.profile(id: id, viewer: identity.user.id) }) else {
                throw APIError.notFound("There is no such member.")
            }
            let profile = ProfileViews.profile(found.record, relation: found.relation)
            var shown = profile.templateValue as? [String: Any] ?? [:]
            for field in ["skills", "interests"] {
                if let list = shown[field] as? [String], !list.isEmpty { shown[field + "Text"] = list.joined(separator: ", ") }
            }
            let reader = PostViews.reader(identity)
            let store = posts
            let authored = try await Offload.run { try store.posts(by: id, reader: reader, beforeID: nil, limit: 10) }
            let relation = found.relation
            return HTMLResponse.make(
                pages.render(
                    "profile",
                    [
                        "profile": shown,
                        "posts": try await postViews.bodies(authored, viewer: identity.user.id)
                            .compactMap(\.templateValue),
                        "isSelf": relation == .self, "canConnect": relation == .none, "pendingOut": relation == .pendingOut,
                        "pendingIn": relation == .pendingIn, "connected": relation == .connected,
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-POST", "/posts/{id}", "A post and its comments") { request, context in
            let identity = try MemberPage.identity(request, context)
            let (store, reader, id) = (posts, PostViews.reader(identity), try PostViews.postID(context))
            guard let post = try await Offload.run({ try store.post(id: id, reader: reader) }) else {
                throw APIError.notFound("There is no such post.")
            }
            let comments = try await Offload.run { try store.comments(postID: id, reader: reader, afterID: nil, limit: 100) }
            return HTMLResponse.make(
                pages.render(
                    "post",
                    [
                        "post": try await postViews.bodies([post], viewer: identity.user.id)[0].templateValue as Any,
                        "comments": try await postViews.commentBodies(comments, viewer: identity.user.id).compactMap(\.templateValue),
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-SETTINGS-PROFILE", "/settings/profile", "Edit my profile and privacy") {
            request, context in
            let identity = try MemberPage.identity(request, context)
            let own = try await ownProfile(identity.user.id).templateValue as? [String: Any] ?? [:]
            let levels = own["privacy"] as? [String: Any] ?? [:]
            let groups = Self.privacyGroups.map { group -> [String: Any] in
                [
                    "title": group.title, "slug": group.slug,
                    "fields": group.fields.map { field -> [String: Any] in
                        let current = (levels[field.key] as? String) ?? ProfileRecord.privacyDefaults[field.key]?.rawValue ?? "members"
                        return [
                            "field": field.key, "label": field.label,
                            "options": FieldVisibility.allCases.map {
                                [
                                    "value": $0.rawValue, "label": Self.visibilityWords[$0] ?? $0.rawValue,
                                    "selected": $0.rawValue == current,
                                ]
                            },
                        ]
                    },
                ]
            }
            var shown = own
            for field in ["skills", "interests"] { shown[field + "Text"] = (own[field] as? [String])?.joined(separator: ", ") ?? "" }
            let user = identity.user.id
            let records = securityRecords
            let listed = try await Offload.run { try records.isGranted(userID: user, type: "ferpa_directory") }
            let chosenDepartment = (own["department"] as? [String: Any])?["id"] as? Int
            let departments = try await departments.names().map { department -> [String: Any] in
                ["id": Int(department.id), "name": department.name, "selected": Int(department.id) == chosenDepartment]
            }
            // The facts scholarship rules read (USR-2): each a choice that can also be "not on file".
            func options(_ field: String, _ values: [(String, String)]) -> [[String: Any]] {
                let current = (own[field] as? Bool).map { $0 ? "true" : "false" } ?? own[field] as? String
                return values.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == current] }
            }
            let yesNo = [("true", "Yes"), ("false", "No")]
            shown["standingOptions"] = options("class_standing", ClassStanding.order.map { ($0, $0.capitalized) })
            shown["enrollmentOptions"] = options("enrollment_status", [("full_time", "Full time"), ("part_time", "Part time")])
            shown["firstGenerationOptions"] = options("first_generation", yesNo)
            shown["financialNeedOptions"] = options("financial_need", yesNo)
            shown["isStudent"] = identity.user.role == .student || identity.user.role == .alumni
            return HTMLResponse.make(
                pages.render(
                    "settings-profile",
                    [
                        "profile": shown, "privacyGroups": groups, "listed": listed && (own["directory_listed"] as? Bool ?? false),
                        "departments": departments, "isEmployer": identity.user.role == .employer,
                    ], request: request, identity: identity)
            )
        }
        MemberPage.register(router, catalog, "PAGE-DIRECTORY", "/directory", "Member directory") { request, context in
            let identity = try MemberPage.identity(request, context)
            guard identity.user.role != .employer else {
                throw APIError(.forbidden, "forbidden", "The directory is open to employers with the résumé database benefit.")
            }
            let query = try DirectoryViews.query(request)
            let page = try await directoryViews.results(query, identity: identity)
            let parameters = request.uri.formQuery
            var nextLink: String?
            if let next = page.next.stringValue {
                var components = URLComponents()
                components.queryItems =
                    ["q", "role", "major", "company", "industry", "graduation_year_from", "graduation_year_to"].compactMap { name in
                        parameters.get(name).map { URLQueryItem(name: name, value: String($0)) }
                    } + [URLQueryItem(name: "cursor", value: next)]
                nextLink = "/directory?" + (components.percentEncodedQuery ?? "")
            }
            return HTMLResponse.make(
                pages.render(
                    "directory",
                    [
                        "people": page.items.compactMap(\.templateValue), "hasPeople": !page.items.isEmpty, "nextLink": nextLink as Any,
                        "q": query.text ?? "", "major": query.major ?? "", "company": query.company ?? "",
                        "roles": ["alumni", "student", "faculty", "staff"].map {
                            ["value": $0, "label": PageWord.words($0), "selected": query.role?.rawValue == $0]
                        },
                        "mentorsOnly": query.mentorsOnly,
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-CONNECTIONS", "/connections", "My connections") { request, context in
            let identity = try MemberPage.identity(request, context)
            let viewer = identity.user.id
            let connected = try await connectionViews.list(viewer: viewer, status: .connected, beforeID: nil, limit: 100)
            let received = try await connectionViews.list(viewer: viewer, status: .pendingIn, beforeID: nil, limit: 100)
            let sent = try await connectionViews.list(viewer: viewer, status: .pendingOut, beforeID: nil, limit: 100)
            let suggestions = try await connectionViews.suggestions(viewer: viewer, limit: 10)
            return HTMLResponse.make(
                pages.render(
                    "connections",
                    [
                        "connected": connected.items.compactMap(\.templateValue), "received": received.items.compactMap(\.templateValue),
                        "sent": sent.items.compactMap(\.templateValue), "suggestions": Self.suggestionCards(suggestions),
                        "connectedCount": connected.count, "receivedCount": received.count, "sentCount": sent.count,
                    ], request: request, identity: identity))
        }
        catalog.add(
            RouteSpec(
                id: "PAGE-SEARCH", .get, "/search", summary: "Search page", tag: "Pages", limit: .page, responses: [200: ("HTML page", nil)]
            ),
            to: router
        ) { request, context in
            // Anyone may search; signed-in members also find people and jobs, each as they are allowed to see them.
            let identity = context.identity?.session != nil && context.identity?.user.status == .active ? context.identity : nil
            let query = String((request.uri.formQuery.get("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
            let requested = request.uri.formQuery.get("type").map { String($0) }
            let type = requested.flatMap { SearchStore.types.contains($0) ? $0 : nil }
            let offset = (try? OffsetCursor.offset(request.uri.formQuery.get("cursor").map { String($0) })) ?? 0
            let labels = [
                "users": "People", "posts": "Posts", "events": "Events", "jobs": "Jobs", "scholarships": "Scholarships",
                "forum_threads": "Forum threads", "webinars": "Webinars", "announcements": "Announcements", "departments": "Departments",
            ]
            var groups: [[String: Any]] = []
            var total = 0
            var nextLink: String?
            if query.count >= 2 {
                let found = try await searchViews.results(
                    query, types: type.map { [$0] } ?? SearchStore.types, limit: type == nil ? 5 : 20, offset: offset, identity: identity)
                for kind in SearchStore.types {
                    guard case .array(let hits)? = found.results[kind], case .int(let count)? = found.counts[kind], count > 0 else {
                        continue
                    }
                    total += Int(count)
                    let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                    groups.append([
                        "type": kind, "label": labels[kind] ?? kind, "count": Int(count),
                        "hits": hits.map { hit -> [String: Any] in
                            var item = hit.templateValue as? [String: Any] ?? [:]
                            item["page"] = SearchViews.pageURL(type: kind, id: Int64(item["id"] as? Int ?? 0))
                            return item
                        },
                        "more": type == nil && count > hits.count ? "/search?q=\(encoded)&type=\(kind)" : false,
                    ])
                }
                if let next = found.next.stringValue, let type {
                    nextLink =
                        "/search?q=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&type=\(type)&cursor=\(next)"
                }
            }
            return HTMLResponse.make(
                pages.render(
                    "search",
                    [
                        "query": query, "hasQuery": query.count >= 2, "tooShort": query.count == 1, "groups": groups, "total": total,
                        "hasResults": total > 0, "signedOut": identity == nil, "nextLink": nextLink as Any,
                    ], request: request, identity: context.identity))
        }
    }

    /// Suggestions as the pages show them: the reasons in one phrase ("2 mutual connections · your department").
    static func suggestionCards(_ suggestions: [JSONValue]) -> [Any] {
        suggestions.compactMap { suggestion -> Any? in
            guard var card = suggestion.templateValue as? [String: Any] else { return nil }
            let reasons = (card["reasons"] as? [Any])?.compactMap { $0 as? String } ?? []
            card["reasonText"] = reasons.joined(separator: " · ")
            return card
        }
    }

    /// The privacy page's fields in the groups a person thinks in, with labels in words (50-ui §4). Phone numbers
    /// arrive with SMS verification, so the page does not offer a level for a field it cannot fill.
    static let privacyGroups: [(slug: String, title: String, fields: [(key: String, label: String)])] = [
        ("contact", "Contact and activity", [("email", "Email address"), ("last_active_at", "When I was last active")]),
        (
            "about", "About me",
            [("headline", "Headline"), ("bio", "About"), ("skills", "Skills"), ("interests", "Interests"), ("links", "Links")]
        ),
        (
            "studies", "Studies",
            [("department", "Department"), ("major", "Major"), ("degree", "Degree"), ("graduation_year", "Graduation year")]
        ),
        ("career", "Career", [("company", "Company"), ("position", "Position"), ("industry", "Industry"), ("location", "Location")]),
    ]

    static let visibilityWords: [FieldVisibility: String] = [
        .public: "Everyone, even people who are not signed in", .members: "Members of PittState Connect",
        .connections: "Only my connections", .private: "Only me",
    ]
}
