//! reckon-store: the workspace's memory. One `Store` interface, on SQLite
//! (the embedded default, one file with WAL) or PostgreSQL (a shared
//! deployment), with migrations applied on start. Core types carry no
//! database code; records convert here.

mod error;
mod migrate;
mod records;
mod sql_store;
mod store;

pub use error::{StoreError, StoreResult};
pub use records::{AuditEntry, Change, ImportKind, ImportOutcome, ImportRecord, NewImport};
pub use sql_store::{Backend, SqlStore};
pub use store::Store;
