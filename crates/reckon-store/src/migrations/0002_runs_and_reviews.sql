-- Runs (never changed once stored), the findings of each run, the review
-- state of a finding (by fingerprint, so it carries over to later runs),
-- notes, and month-end close.
CREATE TABLE runs (
    id {id},
    period TEXT NOT NULL,
    as_of TEXT NOT NULL,
    stale_days BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    inputs TEXT NOT NULL,
    pairs BIGINT NOT NULL,
    underbilled TEXT NOT NULL,
    overbilled TEXT NOT NULL,
    finding_count BIGINT NOT NULL
);

CREATE INDEX runs_by_period ON runs (period, id);

CREATE TABLE run_findings (
    run_id BIGINT NOT NULL REFERENCES runs (id),
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL,
    client_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    source TEXT NOT NULL,
    item_key TEXT NOT NULL,
    billed TEXT NOT NULL,
    actual TEXT NOT NULL,
    impact TEXT NOT NULL,
    money_at_stake TEXT NOT NULL,
    cause TEXT NOT NULL,
    priority TEXT NOT NULL,
    explanation TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (run_id, fingerprint)
);

CREATE TABLE reviews (
    fingerprint TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    assignee TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE notes (
    id {id},
    fingerprint TEXT NOT NULL,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL
);

CREATE INDEX notes_by_finding ON notes (fingerprint, id);

CREATE TABLE periods (
    period TEXT PRIMARY KEY,
    closed BIGINT NOT NULL,
    final_run BIGINT,
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL
);
