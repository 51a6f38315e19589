//! Findings: what a reconciliation reports, with the evidence behind it.

use std::fmt;

use jiff::Timestamp;
use rust_decimal::Decimal;

use crate::Money;
use crate::model::{ClientId, LineId, ProductId};

/// What kind of exception a finding is. The names are those of `recon.csv`'s
/// `status` and `exceptions.csv`'s `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    /// More in use than billed.
    Underbilled,
    /// More billed than in use.
    Overbilled,
    /// Billed, and nothing of it in use.
    BilledNoUsage,
    /// In use, and no billing line at all.
    UsageNotBilled,
    /// One item counted more than once within a (client, product).
    DuplicateItem,
    /// One item counted under two or more clients.
    CrossClientItem,
    /// A licence or agent whose status is not active.
    DisabledLicensed,
    /// An item not seen within the stale window.
    StaleItem,
    /// A source's client reference with no client mapping.
    UnmappedClient,
    /// A source's SKU with no product mapping.
    UnmappedSku,
}

impl FindingKind {
    pub const ALL: [FindingKind; 10] = [
        FindingKind::Underbilled,
        FindingKind::Overbilled,
        FindingKind::BilledNoUsage,
        FindingKind::UsageNotBilled,
        FindingKind::DuplicateItem,
        FindingKind::CrossClientItem,
        FindingKind::DisabledLicensed,
        FindingKind::StaleItem,
        FindingKind::UnmappedClient,
        FindingKind::UnmappedSku,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Underbilled => "underbilled",
            FindingKind::Overbilled => "overbilled",
            FindingKind::BilledNoUsage => "billed_no_usage",
            FindingKind::UsageNotBilled => "usage_not_billed",
            FindingKind::DuplicateItem => "duplicate_item",
            FindingKind::CrossClientItem => "cross_client_item",
            FindingKind::DisabledLicensed => "disabled_licensed",
            FindingKind::StaleItem => "stale_item",
            FindingKind::UnmappedClient => "unmapped_client",
            FindingKind::UnmappedSku => "unmapped_sku",
        }
    }

    /// Pair findings compare billed with actual for a (client, product);
    /// item findings point at individual items or references.
    pub fn is_pair(self) -> bool {
        matches!(
            self,
            FindingKind::Underbilled
                | FindingKind::Overbilled
                | FindingKind::BilledNoUsage
                | FindingKind::UsageNotBilled
        )
    }

    /// Unmapped findings point at a client reference or SKU nobody mapped.
    pub fn is_unmapped(self) -> bool {
        matches!(self, FindingKind::UnmappedClient | FindingKind::UnmappedSku)
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The likely cause of a finding: where a reviewer should look first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cause {
    /// The PSA bills the wrong quantity: fix the agreement.
    BillingIssue,
    /// Usage data needs cleaning in the vendor tool (disabled users still
    /// licensed, duplicates, a device under the wrong client).
    SetupCleanup,
    /// The source's data is out of date (devices not seen for weeks).
    StaleData,
    /// A client or product mapping is missing or wrong.
    MappingRule,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::BillingIssue => "billing_issue",
            Cause::SetupCleanup => "setup_cleanup",
            Cause::StaleData => "stale_data",
            Cause::MappingRule => "mapping_rule",
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How urgent a finding is, by the money it moves each month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    High,
    Medium,
    Low,
}

impl Priority {
    /// At least 50.00 a month (600.00 a year) is high, at least 10.00 medium.
    pub fn from_money(amount: Money) -> Priority {
        let cents = amount.abs().cents();
        if cents >= 5_000 {
            Priority::High
        } else if cents >= 1_000 {
            Priority::Medium
        } else {
            Priority::Low
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether an item behind a finding was counted, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemState {
    Counted,
    /// Status not active (disabled account, deleted agent).
    Inactive,
    /// Not seen within the stale window.
    Stale,
    /// Its client reference or SKU is not mapped.
    Unmapped,
    /// Left out by a counting or client rule (device class, named
    /// exception, licence the client buys itself, the MSP's own client).
    Excluded,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Counted => "counted",
            ItemState::Inactive => "inactive",
            ItemState::Stale => "stale",
            ItemState::Unmapped => "unmapped",
            ItemState::Excluded => "excluded",
        }
    }
}

/// One item (or one reported count) behind a finding. Borrows its text
/// from the reconciliation, so building millions of them allocates nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceItem<'r> {
    /// The client it is counted under (differs from the finding's client
    /// only in cross-client evidence; empty for unmapped rows).
    pub client_id: Option<&'r ClientId>,
    pub source: &'r str,
    pub sku: &'r str,
    /// When the item is also listed under a second SKU or source (a user
    /// holding two SKUs of one product, a device in two feeds): that one.
    pub also_listed_as: Option<(&'r str, &'r str)>,
    /// The normalised item id (lower-cased, trimmed UPN or serial); empty for
    /// a count record.
    pub item_key: &'r str,
    pub state: ItemState,
    /// The status the source gave (`active`, `disabled`, ...).
    pub status: &'r str,
    pub last_seen: Option<Timestamp>,
    /// Units it counts for (the largest among its SKUs), or the reported
    /// quantity times units for a count record.
    pub units: Decimal,
    /// How many usage rows name it.
    pub rows: u32,
    /// True when this is an aggregate count a source reported, not an item.
    pub is_count: bool,
}

/// A billing line behind a pair finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BilledLine<'r> {
    pub line_id: &'r LineId,
    pub quantity: Decimal,
    pub unit_price: Money,
}

/// The numbers behind a finding, so a reviewer can check every count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence<'r> {
    pub items: Vec<EvidenceItem<'r>>,
    pub billing_lines: Vec<BilledLine<'r>>,
}

/// How an actual quantity was reached: from listed items (users,
/// devices, each counted once) and from counts a source reported
/// (`consumedUnits`, a subscription quantity), which cannot be checked
/// item by item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActualBasis {
    pub from_items: Decimal,
    pub from_counts: Decimal,
}

impl ActualBasis {
    /// `items`, `counts` or `items+counts` (`none` when nothing is in use).
    pub fn as_str(&self) -> &'static str {
        match (self.from_items.is_zero(), self.from_counts.is_zero()) {
            (false, true) => "items",
            (true, false) => "counts",
            (false, false) => "items+counts",
            (true, true) => "none",
        }
    }
}

/// One exception found by a reconciliation, borrowing from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding<'r> {
    pub kind: FindingKind,
    pub client_id: Option<&'r ClientId>,
    pub client_name: Option<&'r str>,
    pub product_id: Option<&'r ProductId>,
    pub product_name: Option<&'r str>,
    /// Set for unmapped findings (the feed whose reference or SKU is unknown).
    pub source: Option<&'r str>,
    /// The item key, client reference or SKU an item finding is about.
    pub key: Option<&'r str>,
    pub billed: Option<Decimal>,
    pub actual: Option<Decimal>,
    /// For pair findings: what the usage counts, before the client's
    /// included and minimum quantities (`actual` is what should be billed).
    pub in_use: Option<Decimal>,
    /// For pair findings: which kind of number the actual quantity is.
    pub actual_basis: Option<ActualBasis>,
    pub unit_price: Option<Money>,
    /// `(actual - billed) * unit price`: positive is revenue not billed,
    /// negative is over-billing. Zero for item findings, so totals never count
    /// the same money twice.
    pub impact: Money,
    /// For item findings, an estimate of the monthly money involved (the
    /// value of unmapped usage, of a disabled seat still billed); equals the
    /// absolute impact for pair findings.
    pub money_at_stake: Money,
    /// Rows (or clients, for cross-client items) behind an item finding.
    pub count: Option<u64>,
    pub cause: Cause,
    /// One sentence on why the cause is likely.
    pub explanation: String,
    pub priority: Priority,
    pub evidence: Evidence<'r>,
}
