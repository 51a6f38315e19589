//! Converting exports into the canonical CSV set: detect each file's
//! profile, read reference parts first, stream the rest into the writer,
//! and account for every row (used, excluded and why, or unreadable).

mod records;
mod run;
mod writer;

pub use records::{BillingOut, ClientSeen, Measured, ProductSeen, Side, SubscriptionOut, UsageOut};
pub use run::{ConvertError, ConvertOptions, ConvertReport, FileReport, convert};
pub use writer::{
    BILLING_COLUMNS, CanonicalWriter, MemoryOutput, OpenOutput, Origin, SUBSCRIPTION_COLUMNS,
    USAGE_COLUMNS, WrittenCounts,
};
