//! The canonical records a conversion writes: what `reckon run --data`
//! reads back (billing lines, usage records) and what mapping needs (the
//! client and product references each source uses).

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

/// A PSA line billed this period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillingOut {
    pub line_id: String,
    pub client_id: String,
    pub client_name: String,
    pub product_id: String,
    pub product_name: String,
    /// What is billed this period (after included quantities).
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub unit_cost: Option<Decimal>,
    pub description: String,
    /// The agreement, contract or recurring invoice the line sits on: its
    /// name, and its id in the PSA (what an adjustment must address).
    pub agreement: String,
    pub agreement_id: String,
    /// Quantity included at no charge (ConnectWise `lessIncluded`), already
    /// taken off `quantity`: the PSA's own quantity field is the sum.
    pub included: Option<Decimal>,
    /// Where the PSA took the quantity from when it syncs it from a vendor
    /// (HaloPSA's CSP/Pax8 sync): comparing with that vendor proves nothing.
    pub quantity_source: String,
}

/// What a usage record measures, as written to `usage.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measured {
    /// One user or device: `item_id` is its UPN, serial or hostname.
    Item(String),
    /// A number the source reported (seats, consumed units, storage).
    Count(Decimal),
}

impl Default for Measured {
    fn default() -> Self {
        Measured::Item(String::new())
    }
}

/// One user, device or reported count of a vendor feed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageOut {
    pub source: String,
    pub client_ref: String,
    pub client_name: String,
    pub sku: String,
    pub sku_name: String,
    pub measured: Measured,
    /// `active` counts; any other value says why it does not.
    pub status: String,
    pub last_seen: Option<Timestamp>,
    pub hostname: String,
    pub agent_id: String,
    pub device_class: String,
    pub serial: String,
}

/// A subscription the MSP pays for (Partner Center, Pax8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubscriptionOut {
    pub source: String,
    pub client_ref: String,
    pub client_name: String,
    pub sku: String,
    pub sku_name: String,
    pub subscription_id: String,
    pub quantity: Decimal,
    pub status: String,
    /// `P1M`, `P1Y`, `P3Y`, `one_time`, `trial`, as the source says it.
    pub term: String,
    pub billing_cycle: String,
    /// The MSP's sell price per unit, when the source has one.
    pub unit_price: Option<Decimal>,
    /// What one unit costs the MSP (Pax8 `partnerCost`).
    pub unit_cost: Option<Decimal>,
    pub start_date: Option<Date>,
    pub commitment_end: Option<Date>,
    pub auto_renew: Option<bool>,
}

/// Which side of the reconciliation a reference belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// The PSA: what is billed.
    Billing,
    /// A vendor or inventory: what is in use or paid for.
    Usage,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Billing => "billing",
            Side::Usage => "usage",
        }
    }
}

/// A client as one source identifies it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSeen {
    pub source: String,
    pub id: String,
    pub name: String,
    /// A PSA company id the source already links the client to (Datto RMM
    /// sites name their Autotask company; Pax8 companies an `externalId`).
    pub psa_client_id: String,
    /// A web or mail domain of the client, for matching.
    pub domain: String,
}

/// A product or SKU as one source names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductSeen {
    pub source: String,
    pub id: String,
    pub name: String,
    pub unit_price: Option<Decimal>,
}
