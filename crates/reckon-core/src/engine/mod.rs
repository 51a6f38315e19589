//! The reconciliation engine: one pass over usage into compact records, then
//! the rules of `shared/bench/README.md` over those records.

mod accumulate;
mod catalog;
mod cross_client;
mod findings;
mod fold;
mod intern;
mod params;
mod reconcile;
mod result;
mod summary;

pub use accumulate::{UsageAccumulator, UsageRow};
pub use catalog::{Catalog, CatalogBuilder, MappingConflict};
pub use params::RunParams;
pub use reconcile::reconcile;
pub use result::{ExceptionLine, PairLine, PairStatus, PriceBasis, Reconciliation, RunStats};
pub use summary::{KindCount, Summary};

#[cfg(test)]
mod tests;
