//! reckon-store: the workspace's memory. One `Store` interface, on SQLite
//! (the embedded default, one file with WAL) or PostgreSQL (a shared
//! deployment), with migrations applied on start. Core types carry no
//! database code; records convert here.

pub mod clock;
pub mod diff;
mod error;
mod finding_query;
mod finding_state;
mod mapping_store;
mod migrate;
mod records;
mod run_store;
mod settings;
mod sql_store;
mod store;
mod user_store;

pub use error::{StoreError, StoreResult};
pub use finding_state::{effective_state, short_id};
pub use mapping_store::{MappingStore, Rejection};
pub use records::{
    ApiToken, AuditEntry, Change, ClientMoney, FindingPage, FindingQuery, FindingRow, FindingSort,
    ImportKind, ImportOutcome, ImportRecord, NewApiToken, NewImport, NewRun, NewUser, Note,
    PeriodState, Review, ReviewChange, ReviewState, Role, RunRecord, RunTotals, Session,
    StoredFinding, User,
};
pub use settings::{DEFAULT_CURRENCY, SETTINGS, setting_value};
pub use sql_store::{Backend, SqlStore};
pub use store::{RunStore, Store, UserStore};
