-- The findings page's default order (money at stake, then fingerprint, in the
-- same direction) read from the index alone: a late page of 100,000 findings
-- steps through the index instead of reading and sorting every row
-- (bench/web_load.py). It replaces the index without the fingerprint.
CREATE INDEX run_findings_money_page ON run_findings (run_id, (CAST(money_at_stake AS NUMERIC)), fingerprint);
DROP INDEX IF EXISTS run_findings_by_money;
-- A search reads the run's every finding: from this narrow index (the
-- columns it matches, the sort key and the fingerprint) rather than from
-- the wide rows with their evidence, at about half the time.
CREATE INDEX run_findings_search ON run_findings (run_id, client_id, product_id, item_key, explanation, money_at_stake, fingerprint);
