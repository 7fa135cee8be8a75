-- Uploaded files (40-data §2.1): metadata in `uploads`, bytes in `upload_blobs` so a backup stays one file. Every
-- kind but `image` is stored encrypted under the key ring.
CREATE TABLE uploads (
    id INTEGER PRIMARY KEY,
    owner_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('image', 'resume', 'transcript', 'recommendation', 'document', 'verification')),
    content_type TEXT NOT NULL,
    bytes INTEGER NOT NULL CHECK (bytes > 0),
    sha256 BLOB NOT NULL,
    original_name TEXT,
    attached_type TEXT,
    attached_id INTEGER,
    encrypted INTEGER NOT NULL CHECK (encrypted IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX uploads_owner ON uploads (owner_id);
CREATE INDEX uploads_attached ON uploads (attached_type, attached_id);
CREATE INDEX uploads_unattached ON uploads (created_at) WHERE attached_id IS NULL;

CREATE TABLE upload_blobs (
    upload_id INTEGER PRIMARY KEY REFERENCES uploads (id) ON DELETE CASCADE,
    data BLOB NOT NULL
) STRICT;

ALTER TABLE users ADD COLUMN avatar_upload_id INTEGER REFERENCES uploads (id) ON DELETE SET NULL;
