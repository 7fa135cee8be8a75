import Hummingbird

/// The public pages every footer links to (50-ui §2): about, privacy, terms, accessibility and help. Their text is
/// here rather than in a template so each page is one list of sections drawn by `info.mustache`.
struct InfoPageRoutes: FeatureRoutes {
    let pages: PageRenderer
    /// Where people write about the platform; the accessibility page names it for barriers (50-ui §2).
    static let contact = "connect@pittstate.edu"

    struct Section {
        let slug: String
        let title: String
        let paragraphs: [String]
        var links: [(href: String, text: String)] = []
    }

    struct Page {
        let id: String
        let path: String
        let heading: String
        let lead: String
        let sections: [Section]
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        registerPending(with: router, catalog: catalog)
        for page in Self.all {
            catalog.add(
                RouteSpec(
                    id: page.id, .get, page.path, summary: page.heading, tag: "Pages", limit: .page, responses: [200: ("HTML page", nil)]),
                to: router
            ) { request, context in
                let sections: [[String: Any]] = page.sections.map { section in
                    [
                        "slug": section.slug, "title": section.title, "paragraphs": section.paragraphs,
                        "links": section.links.map { ["href": $0.href, "text": $0.text] }, "hasLinks": !section.links.isEmpty,
                    ]
                }
                return HTMLResponse.make(
                    pages.render(
                        "info", ["heading": page.heading, "lead": page.lead, "sections": sections, "contact": Self.contact],
                        request: request, identity: context.identity))
            }
        }
    }

    /// `/pending` (50-ui §2): what a signed-in account that is not active yet waits for, with the resend action.
    func registerPending(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "PAGE-PENDING", .get, "/pending", summary: "What a new account waits for", tag: "Pages", limit: .page,
                responses: [200: ("HTML page", nil)]),
            to: router
        ) { request, context in
            guard let identity = context.identity, identity.session != nil else { return HTMLResponse.redirect(to: "/login?next=/pending") }
            let user = identity.user
            guard user.status == .pendingVerification || user.status == .pendingApproval else { return HTMLResponse.redirect(to: "/feed") }
            return HTMLResponse.make(
                pages.render(
                    "pending",
                    [
                        "unverified": user.status == .pendingVerification, "awaitingApproval": user.status == .pendingApproval,
                        "email": user.email, "contact": Self.contact,
                        "whatIsChecked": user.role == .employer
                            ? "that your company is real and hiring" : "that you graduated from Pitt State",
                    ], request: request, identity: identity))
        }
    }

    static let all: [Page] = [
        Page(
            id: "PAGE-ABOUT", path: "/about", heading: "About PittState Connect",
            lead: "The community platform of Pittsburg State University, run by the university on its own server.",
            sections: [
                Section(
                    slug: "who", title: "Who it is for",
                    paragraphs: [
                        "Students, alumni, faculty and staff use it to find each other, follow their departments, share news, go to events and find jobs.",
                        "Employers who recruit Gorillas post jobs and meet students and alumni who choose to be visible to them.",
                    ],
                    links: [("/register", "Create an account"), ("/events", "See upcoming events")]),
                Section(
                    slug: "where", title: "Where your data lives",
                    paragraphs: [
                        "Everything is kept on one server in Pittsburg, Kansas, operated by the university. No advertising network, analytics company or outside service receives your data."
                    ],
                    links: [("/privacy", "Read the privacy notice")]),
            ]),
        Page(
            id: "PAGE-PRIVACY", path: "/privacy", heading: "Privacy notice",
            lead: "What PittState Connect keeps about you, who can see it, and how to change that.",
            sections: [
                Section(
                    slug: "what", title: "What we keep",
                    paragraphs: [
                        "Your account (name, email, role, password kept only as a one-way hash), the profile fields you fill in, your posts, connections, event places and job applications.",
                        "A record of sign-ins and security changes, so you and the university can spot misuse. Pages you visit are counted without your name unless you allow analytics.",
                    ]),
                Section(
                    slug: "who-sees", title: "Who can see it",
                    paragraphs: [
                        "Each profile field has its own level: everyone, members only, your connections only, or only you. You choose it under Profile and privacy.",
                        "You appear in the directory, in search and in suggestions only when you ask to be listed and have given the directory consent required by FERPA. Employers see only people who allow it.",
                    ],
                    links: [("/settings/profile", "Change what others see")]),
                Section(
                    slug: "rights", title: "Your choices",
                    paragraphs: [
                        "You can download what we keep about you or delete your account; a deleted account is kept for 30 days in case you change your mind, then removed.",
                        "Under FERPA you may ask the Registrar's Office that your directory information not be shared at all.",
                    ]),
            ]),
        Page(
            id: "PAGE-TERMS", path: "/terms", heading: "Terms of use",
            lead: "The rules everyone on PittState Connect agrees to.",
            sections: [
                Section(
                    slug: "conduct", title: "Be a good Gorilla",
                    paragraphs: [
                        "Use your real name and speak for yourself. No harassment, hate, spam, or sharing another person's private information.",
                        "Employers post only real openings they are hiring for, with honest pay and requirements.",
                    ]),
                Section(
                    slug: "content", title: "What you post",
                    paragraphs: [
                        "You keep the rights to what you post and let the university show it to the people you chose. Moderators may hide content that breaks these rules.",
                        "Accounts that break the rules may be suspended; you will be told why and how to appeal.",
                    ]),
                Section(
                    slug: "security", title: "Keeping accounts safe",
                    paragraphs: [
                        "Keep your password to yourself and turn on two-factor authentication. Tell us at once if you think someone else used your account."
                    ],
                    links: [("/settings/security", "Account security")]),
            ]),
        Page(
            id: "PAGE-ACCESSIBILITY", path: "/accessibility", heading: "Accessibility statement",
            lead: "PittState Connect is built to meet the Web Content Accessibility Guidelines 2.1 at level AA.",
            sections: [
                Section(
                    slug: "how", title: "How we check",
                    paragraphs: [
                        "Every page is tested in a real browser with an automated accessibility checker, in the light and the dark theme, and at phone width. Every page works with a keyboard alone and reflows down to 320 pixels wide.",
                        "Times are written in words in Central Time, and colour is never the only way something is shown.",
                    ]),
                Section(
                    slug: "barriers", title: "Report a barrier",
                    paragraphs: [
                        "If anything on PittState Connect is hard or impossible for you to use, write to \(contact) with the page's address and what happened. We answer within two working days.",
                        "For accommodations in your studies, the Center for Student Accommodations in Horace Mann Hall can help.",
                    ]),
            ]),
        Page(
            id: "PAGE-HELP", path: "/help", heading: "Help",
            lead: "Answers to the questions people ask most.",
            sections: [
                Section(
                    slug: "account", title: "Signing in",
                    paragraphs: [
                        "After you register, confirm your email from the message we send. Alumni and employer accounts are then approved by the university before they can use member pages; you will get an email when that happens.",
                        "Forgot your password? Ask for a reset link; it works for an hour.",
                    ],
                    links: [("/forgot-password", "Reset my password"), ("/register", "Create an account")]),
                Section(
                    slug: "directory", title: "Being found",
                    paragraphs: [
                        "Other members find you in the directory only if you choose to be listed. Turn it on or off under Profile and privacy."
                    ],
                    links: [("/settings/profile", "Profile and privacy")]),
                Section(
                    slug: "developers", title: "Building on PittState Connect",
                    paragraphs: [
                        "Departments and students can use the JSON API with a personal access token from your security settings. "
                            + "The reference lists every operation, who may call it and what it answers."
                    ],
                    links: [("/api/docs", "API reference"), ("/settings/security", "Personal access tokens")]),
                Section(
                    slug: "contact", title: "Still stuck?",
                    paragraphs: [
                        "Write to \(contact). Include the reference number shown on any error page, so we can find what went wrong."
                    ]),
            ]),
    ]
}
