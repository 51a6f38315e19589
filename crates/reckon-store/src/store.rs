//! What the rest of reckon asks of a store: the one interface both
//! backends keep, proved by one story test on each.

use crate::error::StoreResult;
use crate::records::{
    ApiToken, AuditEntry, Change, FindingPage, FindingQuery, FindingRow, ImportOutcome,
    ImportRecord, NewApiToken, NewImport, NewRun, NewUser, Note, PeriodState, Review, Role,
    RunRecord, RunTotals, Session, StoredFinding, User,
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
    /// The same for every finding of `run` at once, counting runs up to it:
    /// fingerprint -> run ids, oldest first (one query, for listings).
    async fn run_histories(
        &self,
        run: i64,
    ) -> StoreResult<std::collections::HashMap<String, Vec<i64>>>;
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
    /// One page of a run's findings, filtered and sorted in SQL, with the
    /// number that match.
    async fn finding_page(&self, query: &FindingQuery) -> StoreResult<FindingPage>;
    /// The finding of `run` with this short id (`None` when the run has
    /// none), with its review state as of `today`.
    async fn finding_by_short_id(
        &self,
        run: i64,
        short_id: &str,
        today: &str,
    ) -> StoreResult<Option<FindingRow>>;
    /// Counts by kind and by review state (as of `today`) and the clients
    /// with the most money at stake, summed exactly in cents.
    async fn run_totals(&self, run: i64, today: &str, top: u64) -> StoreResult<RunTotals>;
    /// Counts by review state as of `today` of a run holding `total`
    /// findings: what of [`RunStore::run_totals`] changes with reviews.
    async fn run_state_counts(
        &self,
        run: i64,
        total: u64,
        today: &str,
    ) -> StoreResult<Vec<(crate::records::ReviewState, u64)>>;
    /// The fingerprint a short id stands for, in any run.
    async fn fingerprint_of(&self, short_id: &str) -> StoreResult<Option<String>>;
}

/// Users, sign-in sessions and API tokens. Every change to a user or a
/// token is audited (never a password, hash or token).
#[allow(async_fn_in_trait)]
pub trait UserStore {
    async fn user_count(&self) -> StoreResult<u64>;
    /// Adds a user; a name already taken is a `Conflict`. With
    /// `only_if_none`, refused (`Conflict`) unless no user exists yet, in
    /// the same transaction: the one-time setup.
    async fn add_user(&self, user: &NewUser, only_if_none: bool) -> StoreResult<i64>;
    async fn user_by_name(&self, name: &str) -> StoreResult<Option<User>>;
    async fn users(&self) -> StoreResult<Vec<User>>;
    /// Changes a user's role (audited).
    async fn set_user_role(&self, name: &str, role: Role, actor: &str, at: &str)
    -> StoreResult<()>;
    /// Disables or enables a user (audited); a disabled user's sessions end.
    async fn set_user_disabled(
        &self,
        name: &str,
        disabled: bool,
        actor: &str,
        at: &str,
    ) -> StoreResult<()>;
    /// Replaces a password hash (audited as "changed", never the hash).
    async fn set_password_hash(
        &self,
        name: &str,
        password_hash: &str,
        actor: &str,
        at: &str,
    ) -> StoreResult<()>;
    async fn add_session(&self, session: &Session) -> StoreResult<()>;
    /// The live session with this token hash and its user: `None` when it
    /// is unknown, expired at `now`, or its user is disabled.
    async fn session(&self, token_hash: &str, now: &str) -> StoreResult<Option<(Session, User)>>;
    /// Ends a session (signing out deletes it; sessions are not history).
    async fn end_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Adds an API token (audited); a name already taken is a `Conflict`.
    async fn add_api_token(&self, token: &NewApiToken) -> StoreResult<i64>;
    /// The token with this hash, its use recorded at `now`.
    async fn use_api_token(&self, token_hash: &str, now: &str) -> StoreResult<Option<ApiToken>>;
    async fn api_tokens(&self) -> StoreResult<Vec<ApiToken>>;
    /// Revokes a token (audited): it signs nothing in since, and stays
    /// listed. An unknown or already revoked name is `NotFound`.
    async fn revoke_api_token(&self, name: &str, actor: &str, at: &str) -> StoreResult<()>;
}
