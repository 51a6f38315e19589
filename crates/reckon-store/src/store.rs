//! What the rest of reckon asks of a store: the one interface both
//! backends keep, proved by one story test on each.

use crate::error::StoreResult;
use crate::records::{AuditEntry, Change, ImportOutcome, ImportRecord, NewImport};

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
