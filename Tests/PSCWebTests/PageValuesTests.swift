import Foundation
import Hummingbird
import HummingbirdCore
import Testing

@testable import PSCWeb

@Suite("Page values")
struct PageValuesTests {
    @Test("an absent value is left out, never drawn as nil")
    func absentValues() throws {
        let more: String? = nil
        let position: Int? = nil
        let prepared = try #require(
            PageValues.prepare(["more": more as Any, "attendees": [["name": "Ada", "position": position as Any]], "kept": "yes"])
                as? [String: Any])
        #expect(prepared["more"] == nil)
        #expect(prepared["kept"] as? String == "yes")
        let attendee = try #require((prepared["attendees"] as? [[String: Any]])?.first)
        #expect(attendee["position"] == nil && attendee["name"] as? String == "Ada")
    }

    @Test("instants read in Central Time with the zone, and keep their ISO form for <time datetime>")
    func instants() throws {
        let prepared = try #require(
            PageValues.prepare(["summer": "2026-07-04T17:00:00.000Z", "winter": "2026-12-07T15:00:00.000Z"]) as? [String: Any])
        let summer = try #require(prepared["summer"] as? PageTime)
        #expect(summer.renderText == "Sat, Jul 4, 2026, 12:00 PM CDT")
        #expect(summer.transform("iso") as? String == "2026-07-04T17:00:00.000Z")
        let winter = try #require(prepared["winter"] as? PageTime)
        #expect(winter.renderText == "Mon, Dec 7, 2026, 9:00 AM CST")
    }

    @Test("codes under known keys read as words; other text is left alone")
    func codes() throws {
        let prepared = try #require(
            PageValues.prepare(["kind": "info_session", "format": "in_person", "status": "going", "title": "snake_case stays"])
                as? [String: Any])
        #expect((prepared["kind"] as? PageWord)?.renderText == "Information session")
        #expect((prepared["format"] as? PageWord)?.renderText == "In person")
        #expect((prepared["status"] as? PageWord)?.renderText == "Going")
        #expect((prepared["status"] as? PageWord)?.transform("raw") as? String == "going")
        #expect(prepared["title"] as? String == "snake_case stays")
    }

    @Test("a form's query decodes + as a space, then the escapes")
    func formQuery() {
        let uri = URI("/jobs?q=software+engineer&location=Joplin%2C+MO&plus=1%2B1&empty=&flag")
        let query = uri.formQuery
        #expect(query.get("q") == "software engineer")
        #expect(query.get("location") == "Joplin, MO")
        #expect(query.get("plus") == "1+1")
        #expect(query.get("empty") == "")
        #expect(query.get("flag") == "")
    }
}
