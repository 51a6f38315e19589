-- Mapping suggestions a person turned down in the web app: never proposed
-- again for that reference. Kept (with who and when), never deleted.
CREATE TABLE mapping_rejections (
    id {id},
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    suggested_id TEXT NOT NULL,
    rejected_by TEXT NOT NULL,
    rejected_at TEXT NOT NULL,
    UNIQUE (kind, source, external_id, suggested_id)
);

-- A revoked API token no longer signs anything in; it stays listed.
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
