//! reckon-store: the workspace's memory. One `Store` interface, on SQLite
//! (the embedded default, one file with WAL) or PostgreSQL (a shared
//! deployment), with migrations applied on start. Core types carry no
//! database code; records convert here.

pub mod diff;
mod error;
mod migrate;
mod records;
mod run_store;
mod sql_store;
mod store;

pub use error::{StoreError, StoreResult};
pub use records::{
    AuditEntry, Change, ImportKind, ImportOutcome, ImportRecord, NewImport, NewRun, Note,
    PeriodState, Review, ReviewState, RunRecord, StoredFinding,
};
pub use sql_store::{Backend, SqlStore};
pub use store::{RunStore, Store};
