import Foundation
import PSCCore
import Testing

@testable import PSCStore

@Suite("Event store")
struct EventStoreTests {
    struct World {
        let members: TestMembers
        let store: Store
        let events: EventStore
        let clock: TestClock
        let people: [Int64]
    }

    func world(people count: Int) throws -> World {
        let members = try TestMembers(count, prefix: "p") { $0 == 0 ? .faculty : .student }
        let clock = TestClock()
        return World(
            members: members, store: members.store, events: EventStore(store: members.store, clock: clock.read), clock: clock,
            people: members.ids)
    }

    func event(_ world: World, capacity: Int?, waitlist: Bool, walkIns: Bool = true, startsIn hours: Double = 48) throws -> Int64 {
        let start = world.clock.read().addingTimeInterval(hours * 3600)
        return try world.events.create(
            EventFields(
                title: "Capstone night", description: nil, location: "Kelce 101", format: "in_person", kind: "general",
                startTime: start, endTime: start.addingTimeInterval(7200), timeZone: "America/Chicago", departmentID: nil,
                capacity: capacity, waitlistEnabled: waitlist, walkInsAllowed: walkIns, rsvpDeadline: nil, visibility: "members"),
            organizerID: world.people[0])
    }

    @Test("going never passes capacity; the waitlist is seated in the order people joined it")
    func capacityAndWaitlist() throws {
        let world = try world(people: 6)
        let id = try event(world, capacity: 2, waitlist: true)
        let answers = try world.people[1...5].map { try world.events.rsvp(eventID: id, userID: $0) }
        #expect(answers.map(\.status) == ["going", "going", "waitlisted", "waitlisted", "waitlisted"])
        #expect(answers.map(\.position) == [nil, nil, 1, 2, 3])
        #expect(try world.events.rsvp(eventID: id, userID: world.people[1]).created == false, "a repeat changes nothing")

        // A seat frees: the first in line takes it in the same transaction, the others move up.
        try world.events.leave(eventID: id, userID: world.people[2])
        let after = try world.events.attendees(eventID: id, status: nil)
        #expect(Set(after.filter { $0.status == "going" }.map(\.userID)) == [world.people[1], world.people[3]])
        #expect(after.filter { $0.status == "waitlisted" }.map(\.userID) == [world.people[4], world.people[5]])
        let read = try #require(try world.events.event(id: id, reader: world.people[5]))
        #expect(read.goingCount == 2 && read.waitlistCount == 2 && read.myPosition == 2)
    }

    @Test("without a waitlist a full event refuses; without a capacity everyone goes")
    func fullAndUnlimited() throws {
        let world = try world(people: 4)
        let small = try event(world, capacity: 1, waitlist: false)
        #expect(try world.events.rsvp(eventID: small, userID: world.people[1]).status == "going")
        #expect(throws: EventError.full) { try world.events.rsvp(eventID: small, userID: world.people[2]) }
        let open = try event(world, capacity: nil, waitlist: false)
        #expect(try world.people[1...3].map { try world.events.rsvp(eventID: open, userID: $0).status } == ["going", "going", "going"])
    }

    @Test("check-in: the code works only in its window, an organiser checks in anyone, walk-ins follow the event's rule")
    func checkIn() throws {
        let world = try world(people: 4)
        let id = try event(world, capacity: nil, waitlist: false, walkIns: false, startsIn: 10)
        #expect(try world.events.rsvp(eventID: id, userID: world.people[1]).status == "going")
        let code = try world.events.checkInCode(eventID: id)
        #expect(code.count == 6 && code.allSatisfy { EventStore.codeAlphabet.contains($0) })
        #expect(try world.events.checkInCode(eventID: id) == code, "made once")

        // Ten hours before the start the window is shut; an hour before it opens.
        #expect(throws: EventError.outsideCheckInWindow) {
            try world.events.checkIn(eventID: id, userID: world.people[1], method: .code, by: world.people[1], code: code)
        }
        world.clock.set(world.clock.read().addingTimeInterval(9 * 3600))
        #expect(throws: EventError.wrongCode) {
            try world.events.checkIn(eventID: id, userID: world.people[1], method: .code, by: world.people[1], code: "AAAAAA")
        }
        let first = try world.events.checkIn(eventID: id, userID: world.people[1], method: .code, by: world.people[1], code: code)
        #expect(first.created)
        #expect(
            try world.events.checkIn(eventID: id, userID: world.people[1], method: .code, by: world.people[1], code: code).created == false)
        #expect(throws: EventError.walkInsOff) {
            try world.events.checkIn(eventID: id, userID: world.people[2], method: .organizer, by: world.people[0], code: nil)
        }
        // Two hours after the end (start + 2 h) the window closes.
        world.clock.set(world.clock.read().addingTimeInterval(5 * 3600 + 1))
        #expect(throws: EventError.outsideCheckInWindow) {
            try world.events.checkIn(eventID: id, userID: world.people[3], method: .organizer, by: world.people[0], code: nil)
        }
    }
}
