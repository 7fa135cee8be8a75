-- The job queue and the scheduler's records (40-data §2.14, 30-jobs §1 and §2).
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    priority INTEGER NOT NULL DEFAULT 0,
    run_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('available', 'running', 'succeeded', 'failed', 'dead', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    lease_owner TEXT,
    lease_expires_at TEXT,
    last_error TEXT,
    unique_key TEXT,
    finished_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX jobs_claim ON jobs (queue, state, priority, run_at, id);
CREATE INDEX jobs_lease ON jobs (state, lease_expires_at);
CREATE INDEX jobs_finished ON jobs (state, finished_at);
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key) WHERE state IN ('available', 'running', 'failed');

CREATE TABLE schedules (
    name TEXT PRIMARY KEY,
    paused INTEGER NOT NULL CHECK (paused IN (0, 1)),
    updated_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE schedule_runs (
    id INTEGER PRIMARY KEY,
    schedule TEXT NOT NULL,
    slot TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'missed', 'skipped_overlap', 'paused')),
    job_id INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
    started_at TEXT,
    finished_at TEXT,
    summary TEXT CHECK (summary IS NULL OR json_valid(summary)),
    error TEXT,
    missed_count INTEGER,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX schedule_runs_slot ON schedule_runs (schedule, slot);
