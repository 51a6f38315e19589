-- A reviewer can mark a finding for a change in the PSA: the proposed
-- billing adjustments are made from the marked findings.
ALTER TABLE reviews ADD COLUMN for_action BIGINT NOT NULL DEFAULT 0;
