-- Append-only audit log with a SHA-256 hash chain (20-services §4.7, 40-data §2.2).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    actor_user_id INTEGER,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'api_token', 'admin_socket', 'system')),
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    ip_address TEXT,
    user_agent TEXT,
    details TEXT NOT NULL CHECK (json_valid(details) AND json_type(details) = 'object'),
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash TEXT NOT NULL CHECK (length(hash) = 64)
) STRICT;
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
CREATE INDEX audit_log_occurred ON audit_log (occurred_at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN (SELECT open FROM retention_gate WHERE id = 1) IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'audit_log rows are removed only by the retention job');
END;
