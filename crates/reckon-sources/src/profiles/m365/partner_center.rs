//! Microsoft Partner Center REST v1 (CSP): `GET /v1/customers` and
//! `GET /v1/customers/{tenantId}/subscriptions` (one file per customer, or
//! all customers' items merged into one collection).
//!
//! Each subscription gives a count (its `quantity`) and a subscription
//! record (term, billing cycle, commitment end, auto renew; the payload has
//! no price or cost). The client is the customer's tenant id, from the
//! subscription's `links.self.uri` (`/customers/{tenantId}/subscriptions/
//! {id}`), else `--client-ref`. The SKU is the offer's product and SKU
//! (`CFQ7TTC0LCHC:0002`): the availability part changes across renewals.
//! Status: `trial` for `isTrial`; else `active`, `suspended` (New Commerce
//! still bills it until the term ends), `expired`, `cancelled` (deleted),
//! `pending`, `disabled`. Usage-billed subscriptions (Azure plan,
//! `billingType` usage) are not seat counts and are left out.
//!
//! The count records are what the MSP **pays** for (purchased seats), not
//! what is used: map this source's SKUs to a different product than the
//! Graph or admin center user items. The engine adds count records to the
//! item totals of the same product, so mapping both to one product would
//! add purchased seats to assigned users. The quantity is taken as the
//! payload gives it (no arithmetic on it); the subscription records carry
//! the same seats with their terms for the paid-versus-billed checks.

use hashbrown::HashMap;
use jiff::Timestamp;

use crate::convert::{ClientSeen, Measured, ProductSeen, Side, SubscriptionOut, UsageOut};
use crate::input::Record;
use crate::profiles::{
    ACTIVE, Context, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun, ProfileSpec, Step,
    date, flag, need, need_number, outcome, text,
};

const SOURCE: &str = "partner_center";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: "partner_center".to_string(),
        title: "Microsoft Partner Center customers and subscriptions (REST JSON)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "customers",
                PartRole::Reference,
                "customers: tenant ids and company names",
            )
            .required(&["id", "companyProfile.tenantId", "companyProfile.domain"])
            .optional(&["companyProfile.companyName", "relationshipToPartner"]),
            PartSpec::new(
                "subscriptions",
                PartRole::Main,
                "customers/{id}/subscriptions",
            )
            .required(&["id", "offerId", "offerName", "quantity", "billingCycle"])
            .optional(&[
                "termDuration",
                "status",
                "isTrial",
                "billingType",
                "commitmentEndDate",
                "autoRenewEnabled",
                "effectiveStartDate",
                "links.self",
            ]),
        ],
    };
    Profile::new(spec, |context: &Context| PartnerCenterRun {
        source: context.source.clone().unwrap_or_else(|| SOURCE.to_string()),
        as_of: context.as_of,
        client_ref: context.client_ref.clone(),
        client_name: context.client_name.clone().unwrap_or_default(),
        customers: HashMap::new(),
    })
}

struct PartnerCenterRun {
    source: String,
    as_of: Timestamp,
    /// For a per-customer subscriptions file without links.
    client_ref: Option<String>,
    client_name: String,
    /// Tenant id -> company name.
    customers: HashMap<String, String>,
}

/// The tenant id in `/customers/{tenantId}/subscriptions/{id}`.
fn customer_in_uri(uri: &str) -> Option<&str> {
    let mut steps = uri
        .split('/')
        .skip_while(|step| !step.eq_ignore_ascii_case("customers"));
    steps.next()?;
    steps.next().filter(|id| !id.is_empty())
}

/// `CFQ7TTC0LCHC:0002:CFQ7TTC0X6RN` -> `CFQ7TTC0LCHC:0002`.
fn offer_sku(offer_id: &str) -> String {
    offer_id.split(':').take(2).collect::<Vec<_>>().join(":")
}

fn subscription_status(status: &str, trial: bool) -> String {
    if trial {
        return "trial".to_string();
    }
    match status.to_ascii_lowercase().as_str() {
        "active" => ACTIVE.to_string(),
        "deleted" => "cancelled".to_string(),
        "" | "none" => "unknown".to_string(),
        other => other.to_string(),
    }
}

impl PartnerCenterRun {
    fn customer(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["id", "companyProfile.tenantId"])?;
        let name = text(record, &["companyProfile.companyName"]);
        self.customers
            .insert(id.to_ascii_lowercase(), name.to_string());
        out.client(ClientSeen {
            source: self.source.clone(),
            id: id.to_string(),
            name: name.to_string(),
            domain: text(record, &["companyProfile.domain"]).to_ascii_lowercase(),
            ..ClientSeen::default()
        });
        Ok(())
    }

    fn subscription(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["id"])?;
        let client_ref = customer_in_uri(text(record, &["links.self.uri"]))
            .map(str::to_string)
            .or_else(|| self.client_ref.clone())
            .ok_or_else(|| {
                Outcome::unreadable(
                    "links.self.uri",
                    "names no customer: pass --client-ref for a one-customer file",
                )
            })?;
        let client_name = self
            .customers
            .get(&client_ref.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| self.client_name.clone());
        let sku = offer_sku(need(record, &["offerId"])?);
        let sku_name = text(record, &["offerName"]);
        out.client(ClientSeen {
            source: self.source.clone(),
            id: client_ref.clone(),
            name: client_name.clone(),
            ..ClientSeen::default()
        });
        out.product(ProductSeen {
            source: self.source.clone(),
            id: sku.clone(),
            name: sku_name.to_string(),
            unit_price: None,
        });
        let billing_type = text(record, &["billingType"]);
        if billing_type.eq_ignore_ascii_case("usage") {
            return Err(Outcome::Excluded(
                "usage-billed (Azure): not a seat subscription".to_string(),
            ));
        }
        let quantity = need_number(record, &["quantity"])?;
        let trial = flag(record, &["isTrial"])?.unwrap_or(false);
        let status = subscription_status(text(record, &["status"]), trial);
        out.usage(UsageOut {
            source: self.source.clone(),
            client_ref: client_ref.clone(),
            client_name: client_name.clone(),
            sku: sku.clone(),
            sku_name: sku_name.to_string(),
            measured: Measured::Count(quantity),
            status: status.clone(),
            last_seen: Some(self.as_of),
            ..UsageOut::default()
        });
        out.subscription(SubscriptionOut {
            source: self.source.clone(),
            client_ref,
            client_name,
            sku,
            sku_name: sku_name.to_string(),
            subscription_id: id.to_string(),
            quantity,
            status,
            term: text(record, &["termDuration"]).to_string(),
            billing_cycle: text(record, &["billingCycle"]).to_ascii_lowercase(),
            unit_price: None,
            unit_cost: None,
            start_date: date(record, &["effectiveStartDate"])?,
            commitment_end: date(record, &["commitmentEndDate"])?,
            auto_renew: flag(record, &["autoRenewEnabled"])?,
        });
        Ok(())
    }
}

impl ProfileRun for PartnerCenterRun {
    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "customers" => self.customer(record, out),
            _ => self.subscription(record, out),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_customer_and_sku_come_from_ids() {
        assert_eq!(
            customer_in_uri("/customers/3f6a1c2e/subscriptions/1a7c"),
            Some("3f6a1c2e")
        );
        assert_eq!(customer_in_uri("/subscriptions/1a7c"), None);
        assert_eq!(
            offer_sku("CFQ7TTC0LCHC:0002:CFQ7TTC0X6RN"),
            "CFQ7TTC0LCHC:0002"
        );
    }
}
