-- Users of the web app (argon2 password hashes, a role each), their
-- sign-in sessions and the API tokens scripts use: only hashes of the
-- secrets are kept. Indexes for the web's findings pages, which filter and
-- sort a run's findings in SQL, and the short ids the web shows.
CREATE TABLE users (
    id {id},
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id {id},
    name TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT
);

-- A finding's short id (sha256 of the fingerprint, first 5 bytes hex),
-- filled by add_run and, for runs stored before this migration, once on
-- start.
CREATE TABLE finding_ids (
    short_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE
);

CREATE INDEX run_findings_by_kind ON run_findings (run_id, kind);
CREATE INDEX run_findings_by_client ON run_findings (run_id, client_id);
CREATE INDEX run_findings_by_fingerprint ON run_findings (fingerprint, run_id);
CREATE INDEX reviews_by_state ON reviews (state, assignee);
-- The findings page sorts by money at stake; the dashboard sums money per
-- client from the index alone.
CREATE INDEX run_findings_by_money ON run_findings (run_id, (CAST(money_at_stake AS NUMERIC)));
CREATE INDEX run_findings_money_by_client ON run_findings (run_id, client_id, impact, money_at_stake);
