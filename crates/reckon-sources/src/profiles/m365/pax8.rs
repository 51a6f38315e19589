//! Pax8 Partner API v1: `GET /v1/companies`, `/v1/products` and
//! `/v1/subscriptions` (`{content:[...], page:{...}}` envelopes).
//!
//! Each subscription gives a count (its `quantity`) and a subscription
//! record with the MSP's sell price (`price`) and cost (`partnerCost`). The
//! client is `companyId`; a company's `externalId` is the PSA company it is
//! linked to. The SKU is `productId`, named from products.json. Status,
//! with dates deciding for the period: `converted` (the trial that became a
//! paid subscription: never counted twice), `one_time` (One-Time and
//! Activation terms are not recurring), `trial` (not billed), `cancelled`,
//! `pending` (pending states, or a start after the period), `active` for
//! Active and for PendingCancel until its end date (the subscription record
//! says `pending_cancel`).
//!
//! The count records are what the MSP **pays** Pax8 for (purchased seats),
//! not what is used: map this source's products to a different product
//! than the Graph or admin center user items. The engine adds count records
//! to the item totals of the same product, so mapping both to one product
//! would add purchased seats to assigned users. The quantity, price and
//! cost are taken as the payload gives them (no arithmetic on them); the
//! subscription records carry the same seats with price and cost for the
//! paid-versus-billed checks.

use hashbrown::HashMap;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::convert::{ClientSeen, Measured, ProductSeen, Side, SubscriptionOut, UsageOut};
use crate::input::Record;
use crate::profiles::{
    ACTIVE, Context, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun, ProfileSpec, Step,
    date, need, need_number, number, outcome, text,
};

const SOURCE: &str = "pax8";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: "pax8".to_string(),
        title: "Pax8 companies, products and subscriptions (Partner API JSON)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "companies",
                PartRole::Reference,
                "companies: names and PSA links",
            )
            .required(&[
                "id",
                "name",
                "externalId",
                "billOnBehalfOfEnabled|selfServiceAllowed",
            ])
            .optional(&["website", "status", "orderApprovalRequired"]),
            PartSpec::new("products", PartRole::Reference, "products: product names")
                .required(&["id", "name", "vendorName", "vendorSku"])
                .optional(&["sku", "shortDescription", "requiresCommitment"]),
            PartSpec::new(
                "subscriptions",
                PartRole::Main,
                "subscriptions: seats, price and cost",
            )
            .required(&[
                "id",
                "companyId",
                "productId",
                "quantity",
                "billingTerm",
                "partnerCost",
            ])
            .optional(&[
                "status",
                "price",
                "startDate",
                "endDate",
                "commitmentTerm.endDate",
                "productName",
            ]),
        ],
    };
    Profile::new(spec, |context: &Context| Pax8Run {
        source: context.source.clone().unwrap_or_else(|| SOURCE.to_string()),
        as_of: context.as_of,
        period_end: context.period_end,
        companies: HashMap::new(),
        products: HashMap::new(),
    })
}

struct Pax8Run {
    source: String,
    as_of: Timestamp,
    period_end: Date,
    /// Company id -> name.
    companies: HashMap<String, String>,
    /// Product id -> name.
    products: HashMap<String, String>,
}

/// Pax8's `billingTerm` in the terms Partner Center uses.
fn term(billing_term: &str) -> String {
    match billing_term.to_ascii_lowercase().as_str() {
        "monthly" => "P1M".to_string(),
        "annual" => "P1Y".to_string(),
        "2-year" => "P2Y".to_string(),
        "3-year" => "P3Y".to_string(),
        "one-time" | "activation" => "one_time".to_string(),
        other => other.to_string(),
    }
}

/// The count's status and the subscription's status.
fn statuses(
    status: &str,
    billing_term: &str,
    start: Option<Date>,
    end: Option<Date>,
    period_end: Date,
) -> (String, String) {
    let status = status.to_ascii_lowercase();
    let term = billing_term.to_ascii_lowercase();
    let both = |status: &str| (status.to_string(), status.to_string());
    if status == "converted" {
        return both("converted");
    }
    if term == "one-time" || term == "activation" {
        return both("one_time");
    }
    if status == "trial" || term == "trial" {
        return both("trial");
    }
    if status == "cancelled" {
        return both("cancelled");
    }
    if start.is_some_and(|start| start > period_end)
        || matches!(
            status.as_str(),
            "pendingmanual" | "pendingautomated" | "waitingfordetails" | "pendingactivation"
        )
    {
        return both("pending");
    }
    if let Some(end) = end
        && end < period_end
    {
        return both("cancelled");
    }
    match status.as_str() {
        "pendingcancel" => (ACTIVE.to_string(), "pending_cancel".to_string()),
        "active" | "activated" => both(ACTIVE),
        other => both(other),
    }
}

impl Pax8Run {
    fn company(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["id"])?;
        let name = text(record, &["name"]);
        self.companies.insert(id.to_string(), name.to_string());
        out.client(ClientSeen {
            source: self.source.clone(),
            id: id.to_string(),
            name: name.to_string(),
            psa_client_id: text(record, &["externalId"]).to_string(),
            domain: text(record, &["website"]).to_ascii_lowercase(),
        });
        Ok(())
    }

    fn product(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["id"])?;
        let name = text(record, &["name"]);
        self.products.insert(id.to_string(), name.to_string());
        out.product(ProductSeen {
            source: self.source.clone(),
            id: id.to_string(),
            name: name.to_string(),
            unit_price: None,
        });
        Ok(())
    }

    fn subscription(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["id"])?;
        let company_id = need(record, &["companyId"])?;
        let product_id = need(record, &["productId"])?;
        let quantity = need_number(record, &["quantity"])?;
        let client_name = self.companies.get(company_id).cloned().unwrap_or_default();
        let sku_name = self
            .products
            .get(product_id)
            .filter(|name| !name.is_empty())
            .cloned()
            .unwrap_or_else(|| text(record, &["productName"]).to_string());
        out.client(ClientSeen {
            source: self.source.clone(),
            id: company_id.to_string(),
            name: client_name.clone(),
            ..ClientSeen::default()
        });
        out.product(ProductSeen {
            source: self.source.clone(),
            id: product_id.to_string(),
            name: sku_name.clone(),
            unit_price: None,
        });
        let billing_term = text(record, &["billingTerm"]);
        let start = date(record, &["startDate"])?;
        let (count_status, subscription_status) = statuses(
            text(record, &["status"]),
            billing_term,
            start,
            date(record, &["endDate"])?,
            self.period_end,
        );
        out.usage(UsageOut {
            source: self.source.clone(),
            client_ref: company_id.to_string(),
            client_name: client_name.clone(),
            sku: product_id.to_string(),
            sku_name: sku_name.clone(),
            measured: Measured::Count(quantity),
            status: count_status,
            last_seen: Some(self.as_of),
            ..UsageOut::default()
        });
        out.subscription(SubscriptionOut {
            source: self.source.clone(),
            client_ref: company_id.to_string(),
            client_name,
            sku: product_id.to_string(),
            sku_name,
            subscription_id: id.to_string(),
            quantity,
            status: subscription_status,
            term: term(billing_term),
            billing_cycle: String::new(),
            unit_price: number(record, &["price"])?,
            unit_cost: number(record, &["partnerCost"])?,
            start_date: start,
            commitment_end: date(record, &["commitmentTerm.endDate"])?,
            auto_renew: None,
        });
        Ok(())
    }
}

impl ProfileRun for Pax8Run {
    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "companies" => self.company(record, out),
            "products" => self.product(record, out),
            _ => self.subscription(record, out),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Option<Date> {
        text.parse().ok()
    }

    #[test]
    fn dates_and_terms_decide_what_bills() {
        let end = Date::constant(2026, 11, 30);
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            statuses("PendingCancel", "Monthly", None, day("2026-12-15"), end),
            pair("active", "pending_cancel")
        );
        assert_eq!(
            statuses("Converted", "Trial", None, None, end),
            pair("converted", "converted")
        );
        assert_eq!(
            statuses("Active", "One-Time", None, None, end),
            pair("one_time", "one_time")
        );
        assert_eq!(
            statuses("PendingManual", "Annual", day("2026-12-01"), None, end),
            pair("pending", "pending")
        );
        assert_eq!(
            statuses("Active", "Annual", None, None, end),
            pair("active", "active")
        );
    }
}
