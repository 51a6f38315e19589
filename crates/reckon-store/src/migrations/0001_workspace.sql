-- The workspace's settings, its imports (immutable snapshots of what was
-- imported, with the canonical records as they were parsed), and the audit
-- trail of every change. Written in the SQL both SQLite and PostgreSQL
-- accept; `{id}` is each backend's auto-increment key and `{blob}` its
-- binary type.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE imports (
    id {id},
    period TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    rows BIGINT NOT NULL,
    newest_seen TEXT,
    UNIQUE (period, kind, source, file_hash)
);

CREATE INDEX imports_by_period ON imports (period, kind, source, id);

CREATE TABLE import_contents (
    import_id BIGINT PRIMARY KEY REFERENCES imports (id),
    content {blob} NOT NULL
);

CREATE TABLE audit (
    id {id},
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);

CREATE INDEX audit_by_entity ON audit (entity, entity_id, id);
