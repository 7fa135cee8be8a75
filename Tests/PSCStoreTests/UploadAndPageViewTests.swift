import Foundation
import GRDB
import PSCCore
import Testing

@testable import PSCStore

@Suite("Uploads and page views")
struct UploadAndPageViewTests {
    func prepared() throws -> (TemporaryDirectory, Store, Int64) {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        try Migrator.embedded().migrate(store)
        let id = try AccountStore(store: store).register(
            NewAccount(email: "a@gus.pittstate.edu", passwordHash: "x", role: .student, status: .active, firstName: "A", lastName: "B"),
            origin: RequestOrigin(ip: nil, userAgent: nil))
        return (directory, store, id)
    }

    @Test("a résumé is stored sealed, rotated to a new key with the other columns, and reads back the same")
    func sealedUploadsRotate() throws {
        let (directory, store, owner) = try prepared()
        let ring = try KeyRing(active: "k1", keys: ["k1": Data(0..<32)], hashKey: Data(repeating: 7, count: 32))
        let uploads = UploadStore(store: store, keyRing: ring)
        let file = Data("%PDF-1.4 résumé".utf8)
        let resume = try uploads.create(ownerID: owner, kind: "resume", contentType: "application/pdf", data: file, originalName: "cv.pdf")
        let image = try uploads.create(
            ownerID: owner, kind: "image", contentType: "image/png", data: Data([0x89, 0x50]), originalName: nil)
        let stored = try store.read { db in
            try Data.fetchOne(db, sql: "SELECT data FROM upload_blobs WHERE upload_id = ?", arguments: [resume.id])
        }
        #expect(stored?.range(of: Data("PDF".utf8)) == nil, "the bytes at rest are not the file")
        #expect(resume.encrypted && !image.encrypted)
        #expect(try uploads.contents(of: resume) == file)

        let rotation = KeyRotation(store: store, keyRing: ring)
        #expect(try rotation.usage(of: "k1") == 1, "the image is not sealed and does not count")
        let k2 = try ring.addKey()
        try ring.activate(k2)
        #expect(try rotation.reencrypt() == 1)
        #expect(try rotation.usage(of: "k1") == 0 && rotation.usage(of: k2) == 1)
        #expect(try uploads.contents(of: resume) == file)
        #expect(try uploads.contents(of: image) == Data([0x89, 0x50]))
        _ = directory
    }

    @Test("an upload attaches once, to its owner's record of the right kind")
    func attaching() throws {
        let (directory, store, owner) = try prepared()
        let uploads = UploadStore(store: store, keyRing: try KeyRing(active: "k1", keys: ["k1": Data(0..<32)], hashKey: Data(count: 32)))
        let resume = try uploads.create(
            ownerID: owner, kind: "resume", contentType: "application/pdf", data: Data("%PDF".utf8), originalName: nil)
        let results = try store.write { db in
            [
                try UploadStore.attach(resume.id, owner: owner + 1, kind: "resume", to: "job_applications", 1, in: db),
                try UploadStore.attach(resume.id, owner: owner, kind: "image", to: "job_applications", 1, in: db),
                try UploadStore.attach(resume.id, owner: owner, kind: "resume", to: "job_applications", 1, in: db),
                try UploadStore.attach(resume.id, owner: owner, kind: "resume", to: "job_applications", 2, in: db),
            ]
        }
        #expect(results == [false, false, true, false], "not the owner; not that kind; attached; already used elsewhere")
        _ = directory
    }

    @Test("page views wait in memory, go to disk in batches, keep user ids only with analytics consent, and drop beyond capacity")
    func pageViewBatches() throws {
        let (directory, store, user) = try prepared()
        let recorder = UsageRecorder(store: store, capacity: 1200, batchSize: 500)
        var transactions = 0
        let observer = CountingObserver { transactions += 1 }
        store.pool.add(transactionObserver: observer)
        for index in 0..<1000 {
            recorder.record(
                PageView(
                    pageName: "/events/{id}", objectID: Int64(index), userID: user, ip: nil, userAgent: "t", referrer: nil,
                    occurredAt: Date()))
        }
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM page_views") } == 0, "nothing written per request")
        #expect(try recorder.flush() == 1000)
        #expect(transactions == 2, "1,000 views in two transactions of 500")
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(user_id) FROM page_views") } == 0, "no consent, no user id")

        try store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO consent_records (user_id, consent_type, granted, version, recorded_at, source, created_at)
                    VALUES (?, 'analytics', 1, '1', '2026-01-01T00:00:00.000Z', 'user', '2026-01-01T00:00:00.000Z')
                    """, arguments: [user])
        }
        recorder.record(
            PageView(pageName: "/feed", objectID: nil, userID: user, ip: nil, userAgent: nil, referrer: nil, occurredAt: Date()))
        try recorder.flush()
        #expect(try store.read { db in try Int64.fetchOne(db, sql: "SELECT user_id FROM page_views WHERE page_name = '/feed'") } == user)

        for _ in 0..<1300 {
            recorder.record(
                PageView(pageName: "/x", objectID: nil, userID: nil, ip: nil, userAgent: nil, referrer: nil, occurredAt: Date()))
        }
        #expect(recorder.dropped == 100 && recorder.pendingCount == 1200)
        #expect(throws: (any Error).self, "append-only") {
            try store.write { db in try db.execute(sql: "DELETE FROM page_views") }
        }
        _ = (directory, observer)
    }
}

/// Counts committed write transactions.
final class CountingObserver: TransactionObserver, @unchecked Sendable {
    let onCommit: () -> Void
    init(_ onCommit: @escaping () -> Void) { self.onCommit = onCommit }
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { eventKind.tableName == "page_views" }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: GRDB.Database) { onCommit() }
    func databaseDidRollback(_ db: GRDB.Database) {}
}
