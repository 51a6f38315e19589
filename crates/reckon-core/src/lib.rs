//! reckon-core: the domain model and the reconciliation engine.
//!
//! Pure: no I/O, no clock, no globals. Callers pass every input, including the
//! as-of date, and the same inputs always give the same output.

pub mod engine;
pub mod finding;
pub mod mapping;
pub mod model;
pub mod money;

pub use engine::{
    Catalog, CatalogBuilder, MappingConflict, Reconciliation, RunParams, UsageAccumulator,
    UsageRow, reconcile,
};
pub use finding::{ActualBasis, Cause, EvidenceItem, Finding, FindingKind, ItemState, Priority};
pub use money::Money;
