-- Backups made by `psc-admin backup` and the nightly job (40-data §2.14, 30-jobs job 11).
CREATE TABLE backups (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('daily', 'weekly', 'monthly', 'manual')),
    verified INTEGER NOT NULL CHECK (verified IN (0, 1)),
    deleted_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX backups_file ON backups (file);
