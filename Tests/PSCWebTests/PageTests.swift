import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import PSCWeb

@Suite("Pages")
struct PageTests {
    @Test("the home page lists the colleges and departments inside the shared layout")
    func home() async throws {
        let test = try TestPlatform()
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                let html = response.text
                #expect(html.contains("<html lang=\"en-US\" data-theme=\"system\">"))
                #expect(html.contains("Skip to main content"))
                #expect(html.contains("Kelce College of Business"))
                #expect(html.contains("Automotive Technology"))
                #expect(html.contains("role=\"search\""))
                #expect(!html.contains("<script>"), "no inline script")
                #expect(!html.contains("style=\""), "no inline style")
            }
        }
    }

    @Test("the theme cookie decides the rendered theme, so there is no flash")
    func themeCookie() async throws {
        let test = try TestPlatform()
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/", method: .get, headers: [.cookie: "psc_theme=dark"]) { response in
                #expect(response.text.contains("data-theme=\"dark\""))
                #expect(response.text.contains("data-theme-choice=\"dark\" aria-pressed=\"true\""))
            }
            try await client.execute(uri: "/", method: .get, headers: [.cookie: "psc_theme=<b>"]) { response in
                #expect(response.text.contains("data-theme=\"system\""))
            }
        }
    }

    @Test("the theme form sets the cookie and goes back; it refuses cross-site posts and outside redirects")
    func themeForm() async throws {
        let test = try TestPlatform()
        let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        try await test.application().test(.router) { client in
            try await client.execute(
                uri: "/theme", method: .post, headers: form, body: ByteBuffer(string: "theme=dark&next=%2Fdepartments%2F1")
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/departments/1")
                #expect(response.headers[.setCookie]?.contains("psc_theme=dark") == true)
            }
            try await client.execute(
                uri: "/theme", method: .post, headers: form, body: ByteBuffer(string: "theme=light&next=%2F%2Fevil.example")
            ) { response in
                #expect(response.headers[.location] == "/")
            }
            try await client.execute(uri: "/theme", method: .post, headers: form, body: ByteBuffer(string: "theme=purple")) { response in
                #expect(response.status == .badRequest)
            }
            var crossSite = form
            crossSite[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            try await client.execute(uri: "/theme", method: .post, headers: crossSite, body: ByteBuffer(string: "theme=dark")) { response in
                #expect(response.status == .forbidden)
                #expect(response.text.contains("have access to this page"))
            }
        }
    }

    @Test("static assets come from hashed URLs with a year-long cache; others are 404")
    func staticAssets() async throws {
        let test = try TestPlatform()
        let css = try #require(StaticAssets().urls["site.css"])
        try await test.application().test(.router) { client in
            try await client.execute(uri: css, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/css; charset=utf-8")
                #expect(response.headers[.cacheControl]?.contains("immutable") == true)
                #expect(response.text.contains("#A50021"))
            }
            try await client.execute(uri: "/static/site.0000000000.css", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("search finds departments and escapes what was typed")
    func search() async throws {
        let test = try TestPlatform()
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/search?q=nursing", method: .get) { response in
                #expect(response.text.contains("Irene Ransom Bradley School of Nursing"))
                #expect(response.text.contains("results for"))
            }
            try await client.execute(uri: "/search?q=%3Cscript%3E", method: .get) { response in
                #expect(!response.text.contains("<script>"))
                #expect(response.text.contains("&lt;script&gt;"))
            }
        }
    }

    @Test("a department page shows 'Not listed yet' for missing facts and 404s for unknown ids")
    func departmentPage() async throws {
        let test = try TestPlatform()
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/departments/1", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("Not listed yet"))
            }
            try await client.execute(uri: "/departments/4242", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.text.contains("Page not found"))
            }
        }
    }
}
