import Foundation
import Hummingbird
import Mustache
import PSCCore
import PSCStore

/// Renders the Mustache pages compiled into the binary inside the shared layout (50-ui §1).
public struct PageRenderer: Sendable {
    public enum Theme: String, Sendable, CaseIterable { case system, light, dark }

    private let library: MustacheLibrary
    public let assets: StaticAssets
    /// The navbar's unread notifications and messages for a signed-in person (nil where no store is at hand).
    let unreadCounts: (@Sendable (Int64) -> (notifications: Int, messages: Int)?)?
    /// The flags that hide the links of switched-off modules (nil: every module shown).
    let flags: FeatureFlagStore?

    public init(
        assets: StaticAssets = StaticAssets(), flags: FeatureFlagStore? = nil,
        unreadCounts: (@Sendable (Int64) -> (notifications: Int, messages: Int)?)? = nil
    ) throws {
        self.unreadCounts = unreadCounts
        self.flags = flags
        var templates: [String: MustacheTemplate] = [:]
        for (file, text) in EmbeddedTemplates.files {
            templates[(file as NSString).deletingPathExtension] = try MustacheTemplate(string: text)
        }
        library = MustacheLibrary(templates: templates)
        self.assets = assets
    }

    /// The theme a visitor chose (cookie `psc_theme`), or `system`.
    static func theme(of request: Request) -> Theme {
        request.cookies["psc_theme"].flatMap { Theme(rawValue: $0.value) } ?? .system
    }

    /// Renders `template` with `data` plus what the layout needs: the theme, the assets, and for a signed-in
    /// visitor their name and the CSRF token (`<meta name="csrf-token">` and each form's `_csrf`).
    public func render(_ template: String, _ data: [String: Any], request: Request, identity: Identity? = nil) -> String {
        var context = data
        // A switched-off module's links go with its pages (20-services §1).
        for (key, flag) in Self.moduleLinks { context[key] = flags?.isOn(flag, for: identity?.flagCaller) ?? true }
        if let identity, let session = identity.session {
            context["signedIn"] = true
            context["csrf"] = session.csrfToken
            context["viewerName"] = identity.user.firstName
            // Employers reach the directory only with the résumé database benefit, which arrives with subscriptions.
            context["showDirectory"] = identity.user.role != .employer && (context["directoryOn"] as? Bool ?? true)
            // The Manage panel lists only what the visitor's permissions open (50-ui §1.2).
            let manages = ScholarshipPolicy.managesAny(identity.actor)
            let reviews = identity.has(.reviewScholarships)
            context["manageScholarships"] = manages
            context["reviewsScholarships"] = reviews
            let actor = identity.actor
            let sends = actor.role == .admin || AnnouncementPolicy.sendsAny(actor)
            let hosts = WebinarPolicy.mayHost(actor)
            let moderates = ForumPolicy.mayModerate(actor)
            context["sendsAnnouncements"] = sends
            context["hostsWebinars"] = hosts
            context["moderates"] = moderates
            context["hasManage"] = manages || reviews || sends || hosts
            // The Admin panel: the console pages the visitor's role or grants open (50-ui §5).
            let admin = identity.user.role == .admin
            let verifies = identity.has(.verifyUsers) || identity.has(.approveEmployers)
            context["isAdmin"] = admin
            context["seesPeople"] = admin || verifies
            let analyses = identity.has(.viewAnalytics)
            context["seesAnalytics"] = analyses
            context["hasAdmin"] = admin || verifies || moderates || analyses
            // Two indexed counts; a page that cannot read them still draws, without the numbers.
            if let counts = unreadCounts?(identity.user.id) {
                // Zero is drawn as no badge at all.
                if counts.notifications > 0 { context["unreadNotifications"] = counts.notifications }
                if counts.messages > 0 { context["unreadMessages"] = counts.messages }
            }
        }
        let theme = Self.theme(of: request)
        context["theme"] = theme.rawValue
        context["themeSystem"] = theme == .system ? "true" : "false"
        context["themeLight"] = theme == .light ? "true" : "false"
        context["themeDark"] = theme == .dark ? "true" : "false"
        context["path"] = request.uri.path
        context["assets"] = [
            "css": assets.urls["site.css"] ?? "", "js": assets.urls["theme.js"] ?? "", "gus": assets.urls["gus.svg"] ?? "",
            "accountJS": assets.urls["account.js"] ?? "", "searchJS": assets.urls["search.js"] ?? "",
            "liveJS": assets.urls["live.js"] ?? "", "scholarshipsJS": assets.urls["scholarships.js"] ?? "",
        ]
        if context["query"] == nil { context["query"] = "" }
        let prepared = PageValues.prepare(context) as? [String: Any] ?? context
        return library.render(prepared, withTemplate: template)
            ?? "<!DOCTYPE html><title>PittState Connect</title><p>This page could not be drawn.</p>"
    }

    /// Layout keys that show a module's links, and the flag that gates the module.
    static let moduleLinks: [(String, String)] = [
        ("forumsOn", "forums"), ("webinarsOn", "webinars"), ("mentorshipOn", "mentorship"), ("directoryOn", "alumni_portal"),
    ]

    /// The branded page for an error status (50-ui §1.5).
    /// Drawn for the signed-in visitor when there is one, so a refusal does not look like being signed out.
    func errorPage(_ error: APIError, requestID: String, request: Request, identity: Identity? = nil) -> String {
        let (heading, explanation): (String, String)
        switch error.status.code {
        case 403: (heading, explanation) = ("You don't have access to this page", error.message)
        case 404: (heading, explanation) = ("Page not found", "Gus looked everywhere and could not find this page.")
        case 405: (heading, explanation) = ("That action is not possible here", "This page does not accept that kind of request.")
        case 413: (heading, explanation) = ("That was too large", error.message)
        case 429: (heading, explanation) = ("Too many requests", error.message)
        case 503:
            (heading, explanation) = ("We'll be right back", "PittState Connect is unavailable for a moment. Please try again shortly.")
        case 500...: (heading, explanation) = ("Sorry, something went wrong", "The problem is on our side, not yours.")
        default: (heading, explanation) = ("That request could not be completed", error.message)
        }
        return render(
            "error",
            [
                "heading": heading, "explanation": explanation, "requestID": requestID,
                "notFound": error.status.code == 404, "forbidden": error.status.code == 403,
                "serverError": error.status.code >= 500, "showGus": error.status.code == 404,
            ],
            request: request, identity: identity
        )
    }
}
