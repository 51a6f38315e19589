use jiff::Timestamp;
use rust_decimal::Decimal;

use super::SourceId;

/// What a usage record measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// One listed item: a user (UPN) or a device (serial), counted once per
    /// product however many rows name it.
    Item { item_id: String },
    /// An aggregate a source reported (`consumedUnits`, a subscription's
    /// quantity): added as it is, with no item list behind it.
    Count { quantity: Decimal },
}

/// One record of a usage feed, owned. The engine's hot path takes the
/// borrowed [`crate::UsageRow`] instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRecord {
    pub source: SourceId,
    pub client_ref: String,
    /// The client's name as the source spells it, when it gives one.
    pub client_name: Option<String>,
    pub sku: String,
    pub measure: Measure,
    /// `active` counts; anything else (`disabled`, `deleted`, ...) is kept as
    /// evidence but not counted.
    pub status: String,
    pub last_seen: Option<Timestamp>,
}
