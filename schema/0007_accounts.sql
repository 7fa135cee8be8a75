-- Accounts, grants, sessions, one-time tokens, sign-in attempts and consent (40-data §2.1, §2.2). Columns that
-- point at tables of later features (companies, uploads) arrive with those features.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    email_norm TEXT NOT NULL,
    password_hash TEXT,
    role TEXT NOT NULL CHECK (role IN ('student', 'alumni', 'faculty', 'staff', 'employer', 'admin')),
    status TEXT NOT NULL CHECK (status IN ('pending_verification', 'pending_approval', 'active', 'suspended', 'deleted')),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    headline TEXT,
    bio TEXT,
    major TEXT,
    degree TEXT,
    graduation_year INTEGER,
    class_standing TEXT CHECK (class_standing IN ('freshman', 'sophomore', 'junior', 'senior', 'graduate')),
    enrollment_status TEXT,
    credit_hours INTEGER,
    state_of_residence TEXT,
    first_generation INTEGER CHECK (first_generation IN (0, 1)),
    department_id INTEGER REFERENCES departments (id) ON DELETE SET NULL,
    gpa_enc TEXT,
    phone_enc TEXT,
    phone_verified INTEGER NOT NULL DEFAULT 0 CHECK (phone_verified IN (0, 1)),
    email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    student_number_hash BLOB,
    student_number_enc TEXT,
    skills TEXT CHECK (skills IS NULL OR json_valid(skills)),
    interests TEXT CHECK (interests IS NULL OR json_valid(interests)),
    links TEXT CHECK (links IS NULL OR json_valid(links)),
    company TEXT,
    position TEXT,
    industry TEXT,
    location TEXT,
    time_zone TEXT NOT NULL DEFAULT 'America/Chicago',
    theme TEXT NOT NULL DEFAULT 'system' CHECK (theme IN ('system', 'light', 'dark')),
    calendar_token_hash BLOB,
    privacy TEXT CHECK (privacy IS NULL OR json_valid(privacy)),
    employer_visible INTEGER NOT NULL DEFAULT 0 CHECK (employer_visible IN (0, 1)),
    directory_listed INTEGER NOT NULL DEFAULT 1 CHECK (directory_listed IN (0, 1)),
    is_service_account INTEGER NOT NULL DEFAULT 0 CHECK (is_service_account IN (0, 1)),
    weekly_report INTEGER NOT NULL DEFAULT 1 CHECK (weekly_report IN (0, 1)),
    suspended_until TEXT,
    last_login_at TEXT,
    last_active_at TEXT,
    deleted_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX users_email_norm ON users (email_norm);
CREATE UNIQUE INDEX users_student_number_hash ON users (student_number_hash) WHERE student_number_hash IS NOT NULL;
CREATE UNIQUE INDEX users_calendar_token_hash ON users (calendar_token_hash) WHERE calendar_token_hash IS NOT NULL;
CREATE INDEX users_role_status ON users (role, status);
CREATE INDEX users_department ON users (department_id);
CREATE INDEX users_graduation_year ON users (graduation_year);
CREATE INDEX users_last_active ON users (last_active_at);

CREATE TABLE capability_grants (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    capability TEXT NOT NULL CHECK (capability IN ('career_services', 'registrar', 'department_head', 'scholarship_committee',
        'moderator', 'analyst')),
    department_id INTEGER REFERENCES departments (id),
    granted_by INTEGER NOT NULL REFERENCES users (id),
    granted_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX capability_grants_one_active ON capability_grants (user_id, capability, ifnull(department_id, 0)) WHERE active = 1;
CREATE INDEX capability_grants_user ON capability_grants (user_id, active);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL CHECK (length(token_hash) = 32),
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    remember INTEGER NOT NULL CHECK (remember IN (0, 1)),
    auth_methods TEXT NOT NULL CHECK (json_valid(auth_methods)),
    recent_auth_at TEXT,
    ip TEXT,
    user_agent TEXT,
    last_seen_at TEXT,
    idle_expires_at TEXT NOT NULL,
    absolute_expires_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_reason TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX sessions_token_hash ON sessions (token_hash);
CREATE INDEX sessions_user ON sessions (user_id, revoked_at);

CREATE TABLE one_time_tokens (
    id INTEGER PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('email_verify', 'email_change', 'password_reset', 'invitation', 'setup', 'phone_verify')),
    token_hash BLOB NOT NULL CHECK (length(token_hash) = 32),
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    data TEXT CHECK (data IS NULL OR json_valid(data)),
    attempts INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX one_time_tokens_hash ON one_time_tokens (token_hash);
CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id, purpose);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    email_hash BLOB,
    user_id INTEGER REFERENCES users (id),
    ip TEXT,
    user_agent TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'throttled', 'second_factor_failed')),
    reason TEXT,
    occurred_at TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX login_attempts_user ON login_attempts (user_id, occurred_at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, occurred_at);

CREATE TABLE consent_records (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    consent_type TEXT NOT NULL CHECK (consent_type IN ('terms', 'privacy', 'ferpa_directory', 'marketing_email', 'sms', 'analytics',
        'ai_processing', 'employer_visibility')),
    granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
    version TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    source TEXT CHECK (source IN ('user', 'registration', 'provider', 'admin')),
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX consent_records_current ON consent_records (user_id, consent_type, recorded_at DESC, id DESC);

-- Append-only (40-data §4): only the retention job deletes, through the gate.
CREATE TRIGGER login_attempts_no_update BEFORE UPDATE ON login_attempts
BEGIN
    SELECT RAISE(ABORT, 'login_attempts is append-only');
END;
CREATE TRIGGER login_attempts_no_delete BEFORE DELETE ON login_attempts
WHEN (SELECT open FROM retention_gate WHERE id = 1) IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'login_attempts is append-only');
END;
CREATE TRIGGER consent_records_no_update BEFORE UPDATE ON consent_records
BEGIN
    SELECT RAISE(ABORT, 'consent_records is append-only');
END;
CREATE TRIGGER consent_records_no_delete BEFORE DELETE ON consent_records
WHEN (SELECT open FROM retention_gate WHERE id = 1) IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'consent_records is append-only');
END;
