-- Identity verification requests (40-data §2.1): a member's documents for a role, decided by `verify_users`
-- (employers by `approve_employers`); one pending request per member.
CREATE TABLE verification_requests (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('student', 'alumni', 'faculty', 'staff', 'employer')),
    document_upload_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(document_upload_ids)),
    note TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    reviewer_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reason TEXT,
    decided_at TEXT,
    expires_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX verification_requests_status ON verification_requests (status, created_at);
CREATE UNIQUE INDEX verification_requests_one_pending ON verification_requests (user_id) WHERE status = 'pending';
