-- The tables every other part stands on: the migration record, settings and the retention gate.
CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    applied_at TEXT NOT NULL
) STRICT;

-- Platform-wide values set at run time (which fixtures were loaded, install markers); never secrets.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- One row; only the retention job opens it, inside its own write transaction (40-data §1).
CREATE TABLE retention_gate (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    open INTEGER NOT NULL CHECK (open IN (0, 1))
) STRICT;
INSERT INTO retention_gate (id, open) VALUES (1, 0);
