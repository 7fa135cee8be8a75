-- Second factors, sign-in challenges and bearer tokens (40-data §2.1).
CREATE TABLE totp_credentials (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_enc TEXT NOT NULL,
    confirmed_at TEXT,
    last_used_step INTEGER,
    failures_in_window INTEGER NOT NULL DEFAULT 0,
    window_started_at TEXT,
    blocked_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX totp_credentials_user ON totp_credentials (user_id);

CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BLOB NOT NULL CHECK (length(code_hash) = 32),
    used_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX recovery_codes_user_code ON recovery_codes (user_id, code_hash);

CREATE TABLE auth_challenges (
    id INTEGER PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('login_2fa', 'webauthn_register', 'webauthn_login', 'oidc', 'reauth')),
    token_hash BLOB NOT NULL CHECK (length(token_hash) = 32),
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    data_enc TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT NOT NULL,
    consumed_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX auth_challenges_token_hash ON auth_challenges (token_hash);
CREATE INDEX auth_challenges_expires ON auth_challenges (expires_at);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('pat', 'api_key')),
    name TEXT NOT NULL,
    token_hash BLOB NOT NULL CHECK (length(token_hash) = 32),
    prefix TEXT NOT NULL,
    scopes TEXT NOT NULL CHECK (json_valid(scopes)),
    organization TEXT,
    max_api_calls INTEGER,
    api_calls_used INTEGER NOT NULL DEFAULT 0,
    usage_month TEXT,
    last_used_at TEXT,
    expires_at TEXT,
    revoked_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX api_tokens_token_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE webauthn_credentials (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id BLOB NOT NULL,
    public_key BLOB NOT NULL,
    sign_count INTEGER NOT NULL,
    transports TEXT CHECK (transports IS NULL OR json_valid(transports)),
    backup_eligible INTEGER CHECK (backup_eligible IN (0, 1)),
    backup_state INTEGER CHECK (backup_state IN (0, 1)),
    user_handle BLOB NOT NULL,
    aaguid BLOB,
    device_name TEXT,
    flagged_at TEXT,
    last_used_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX webauthn_credentials_credential_id ON webauthn_credentials (credential_id);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);
