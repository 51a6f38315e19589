//! What the rest of reckon asks of a store: the one interface both
//! backends keep, proved by one story test on each.

use crate::error::StoreResult;
use crate::records::{
    AuditEntry, Change, ImportOutcome, ImportRecord, NewImport, NewRun, Note, PeriodState, Review,
    RunRecord, StoredFinding,
};

/// The workspace's memory.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// A workspace setting.
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    /// Changes a setting; the change is audited.
    async fn set_setting(&self, key: &str, value: &str, actor: &str, at: &str) -> StoreResult<()>;
    /// Stores imports in one transaction: all or none. A file already
    /// imported for the same period, kind and source is not stored again.
    async fn add_imports(&self, imports: &[NewImport]) -> StoreResult<Vec<ImportOutcome>>;
    /// Every import (of one period), oldest first.
    async fn imports(&self, period: Option<&str>) -> StoreResult<Vec<ImportRecord>>;
    /// The canonical records of an import, as stored.
    async fn import_content(&self, id: i64) -> StoreResult<Vec<u8>>;
    /// What a run of `period` reads: the latest import of each kind and
    /// source of the period, and the latest catalogue and mappings at or
    /// before it.
    async fn latest_imports(&self, period: &str) -> StoreResult<Vec<ImportRecord>>;
    /// Periods with imports, oldest first.
    async fn periods(&self) -> StoreResult<Vec<String>>;
    /// Records a change made elsewhere (a mapping decided, a setting).
    async fn record_change(&self, change: &Change) -> StoreResult<()>;
    /// The audit trail (of one kind of entity), oldest first.
    async fn audit(&self, entity: Option<&str>) -> StoreResult<Vec<AuditEntry>>;
}

/// Runs, findings, reviews, notes and closing periods.
#[allow(async_fn_in_trait)]
pub trait RunStore {
    /// Stores a run and its findings in one transaction; a closed period
    /// refuses new runs. A resolved finding that comes back is reopened,
    /// with a note saying so.
    async fn add_run(&self, run: &NewRun, findings: &[StoredFinding]) -> StoreResult<i64>;
    /// Runs (of one period), oldest first.
    async fn runs(&self, period: Option<&str>) -> StoreResult<Vec<RunRecord>>;
    async fn run(&self, id: i64) -> StoreResult<RunRecord>;
    async fn run_findings(&self, run: i64) -> StoreResult<Vec<StoredFinding>>;
    /// Runs whose findings include this fingerprint, oldest first: a
    /// finding's history.
    async fn finding_runs(&self, fingerprint: &str) -> StoreResult<Vec<i64>>;
    /// The review of every finding that has one.
    async fn reviews(&self) -> StoreResult<Vec<Review>>;
    /// Changes a finding's review (audited, old and new values); refused in
    /// a closed period.
    async fn set_review(&self, review: &Review, period: &str) -> StoreResult<()>;
    async fn add_note(&self, note: &Note, period: &str) -> StoreResult<i64>;
    async fn notes(&self, fingerprint: &str) -> StoreResult<Vec<Note>>;
    /// Every note of every finding, by finding then in order (for reports).
    async fn all_notes(&self) -> StoreResult<Vec<Note>>;
    async fn period_state(&self, period: &str) -> StoreResult<Option<PeriodState>>;
    /// Closes or reopens a period (audited).
    async fn set_period_closed(&self, state: &PeriodState) -> StoreResult<()>;
}
