//! The domain model: what an MSP bills, what is in use, and how the two are
//! tied together. Plain data; the engine in `crate::engine` works on it.

mod billing;
mod client;
mod ids;
mod mapping;
mod product;
mod rules;
mod subscription;
mod usage;

pub use billing::BillingLine;
pub use client::Client;
pub use ids::{ClientId, LineId, ProductId, SourceId};
pub use mapping::{ClientMapping, ProductMapping};
pub use product::{Product, Unit};
pub use rules::{ClientRules, CountingRules, Rounding};
pub use subscription::{BillingCycle, SubscriptionStatus, Term, VendorSubscription};
pub use usage::{Measure, UsageRecord};
