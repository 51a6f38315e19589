use jiff::civil::Date;
use rust_decimal::Decimal;

use super::SourceId;
use crate::Money;

/// A vendor subscription: what the MSP pays its distributor (Partner Center,
/// Pax8, a vendor invoice). Kept for the three-way check of cost, usage and
/// billing; the two-way engine does not read it yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorSubscription {
    pub source: SourceId,
    pub client_ref: String,
    pub sku: String,
    pub subscription_id: String,
    pub purchased_quantity: Decimal,
    pub unit_cost: Option<Money>,
    pub term: Term,
    pub billing_cycle: BillingCycle,
    pub status: SubscriptionStatus,
    pub commitment_end: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    Monthly,
    Annual,
    ThreeYear,
    OneTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingCycle {
    Monthly,
    Annual,
    OneTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionStatus {
    Active,
    /// Bills until its end date.
    PendingCancel,
    /// Still bills (New Commerce).
    Suspended,
    Trial,
    Cancelled,
}

impl SubscriptionStatus {
    /// Whether the vendor charges for it this period.
    pub fn is_billed_by_vendor(self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Active
                | SubscriptionStatus::PendingCancel
                | SubscriptionStatus::Suspended
        )
    }
}
