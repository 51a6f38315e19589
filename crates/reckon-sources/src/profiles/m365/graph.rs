//! Microsoft Graph, one tenant: `GET /v1.0/users` (with
//! `assignedLicenses`, `licenseAssignmentStates` and `signInActivity`) and
//! `GET /v1.0/subscribedSkus`.
//!
//! Users give one item per (user, SKU), from the union of
//! `assignedLicenses` and `licenseAssignmentStates` (a SKU assigned directly
//! and through groups counts once; `disabledPlans` change nothing). Status:
//! `free_sku` for free, viral and trial SKUs, else `disabled` when
//! `accountEnabled` is false, `guest` for guests, `assignment_error` for a
//! SKU only in an `Error` assignment state (demand, not consumption), else
//! `active`. Last seen is the latest of the three sign-in times.
//!
//! `subscribedSkus` names the tenant (its `id` is `<tenantId>_<skuId>`) and
//! the SKUs' part numbers, and gives one subscription per SKU: what is paid
//! is `prepaidUnits.enabled + warning` (never suspended or locked out). It
//! writes no usage count: the user items are the usage.
//!
//! The SKU key is the part number (`SPB`), from `subscribedSkus` or the
//! licensing catalogue, so that Graph and the admin center export agree;
//! an unknown GUID stays the key.

use hashbrown::HashMap;
use jiff::Timestamp;

use super::catalogue::{by_guid, is_free_sku};
use super::tenant::{TenantRef, onmicrosoft_domain};
use crate::convert::{ClientSeen, Measured, ProductSeen, Side, SubscriptionOut, UsageOut};
use crate::input::Record;
use crate::profiles::{
    ACTIVE, Context, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun, ProfileSpec, Step,
    flag, instant, need, number, outcome, text,
};

const SOURCE: &str = "m365";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: "graph".to_string(),
        title: "Microsoft Graph users and subscribedSkus (one tenant)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "subscribed_skus",
                PartRole::Reference,
                "subscribedSkus: the tenant id, SKU part numbers and purchased seats",
            )
            .required(&[
                "skuId",
                "skuPartNumber",
                "consumedUnits",
                "prepaidUnits.enabled",
            ])
            .optional(&[
                "capabilityStatus",
                "appliesTo",
                "accountName",
                "subscriptionIds",
            ]),
            PartSpec::new("users", PartRole::Main, "users: licensed users")
                .required(&["userPrincipalName", "assignedLicenses"])
                .optional(&[
                    "accountEnabled",
                    "userType",
                    "licenseAssignmentStates",
                    "signInActivity",
                    "displayName",
                ]),
        ],
    };
    Profile::new(spec, |context: &Context| {
        let source = context.source.clone().unwrap_or_else(|| SOURCE.to_string());
        GraphRun {
            tenant: TenantRef::new(
                &source,
                context.client_ref.clone(),
                context.client_name.clone(),
            ),
            source,
            part_numbers: HashMap::new(),
        }
    })
}

struct GraphRun {
    source: String,
    tenant: TenantRef,
    /// `skuId` (lowercase) -> `skuPartNumber`, from subscribedSkus.
    part_numbers: HashMap<String, String>,
}

/// A SKU's key and name: the part number and the catalogue's display name.
fn sku_key_and_name(guid: &str, part_number: Option<&str>) -> (String, String) {
    let known = by_guid(guid);
    let key = part_number
        .map(str::to_string)
        .or_else(|| known.map(|sku| sku.part_number.clone()))
        .unwrap_or_else(|| guid.to_ascii_lowercase());
    let name = known.map_or_else(|| key.clone(), |sku| sku.display_name.clone());
    (key, name)
}

fn capability_status(status: &str) -> String {
    match status.to_ascii_lowercase().as_str() {
        "enabled" => ACTIVE.to_string(),
        "lockedout" => "locked_out".to_string(),
        other => other.to_string(),
    }
}

/// One SKU a user holds or asks for.
#[derive(Debug, Default)]
struct Held {
    /// In `assignedLicenses`: the user has the seat.
    assigned: bool,
    /// An assignment state of it is `Error` (for example CountViolation).
    errored: bool,
}

/// The user's entry for a SKU, de-duplicated by GUID.
fn held_entry<'h>(held: &'h mut Vec<(String, Held)>, guid: &str) -> &'h mut Held {
    let guid = guid.to_ascii_lowercase();
    let index = match held.iter().position(|(known, _)| *known == guid) {
        Some(index) => index,
        None => {
            held.push((guid, Held::default()));
            held.len() - 1
        }
    };
    &mut held[index].1
}

impl GraphRun {
    fn subscribed_sku(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let guid = need(record, &["skuId"])?.to_ascii_lowercase();
        let part_number = need(record, &["skuPartNumber"])?;
        self.part_numbers
            .insert(guid.clone(), part_number.to_string());
        let id = text(record, &["id"]);
        let account_name = text(record, &["accountName"]);
        if let Some((tenant_id, _)) = id.split_once('_') {
            self.tenant.set(tenant_id, account_name);
        }
        let client_ref = self.tenant.client_ref().unwrap_or_default().to_string();
        out.client(ClientSeen {
            source: self.source.clone(),
            id: client_ref.clone(),
            name: account_name.to_string(),
            ..ClientSeen::default()
        });
        let (sku, sku_name) = sku_key_and_name(&guid, Some(part_number));
        out.product(ProductSeen {
            source: self.source.clone(),
            id: sku.clone(),
            name: sku_name.clone(),
            unit_price: None,
        });
        let enabled = number(record, &["prepaidUnits.enabled"])?.unwrap_or_default();
        let warning = number(record, &["prepaidUnits.warning"])?.unwrap_or_default();
        let status = if is_free_sku(part_number) {
            "free_sku".to_string()
        } else {
            capability_status(text(record, &["capabilityStatus"]))
        };
        out.subscription(SubscriptionOut {
            source: self.source.clone(),
            client_ref,
            client_name: account_name.to_string(),
            sku,
            sku_name,
            subscription_id: if id.is_empty() { guid } else { id.to_string() },
            quantity: enabled + warning,
            status,
            ..SubscriptionOut::default()
        });
        Ok(())
    }

    fn user(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let upn = need(record, &["userPrincipalName"])?.to_lowercase();
        self.tenant.learn_domain(onmicrosoft_domain(&upn), out);
        let mut held: Vec<(String, Held)> = Vec::new();
        for license in record.list("assignedLicenses") {
            if let Some(guid) = license.text("skuId") {
                held_entry(&mut held, guid).assigned = true;
            }
        }
        for state in record.list("licenseAssignmentStates") {
            if let Some(guid) = state.text("skuId") {
                let errored = state
                    .text("state")
                    .is_some_and(|state| state.eq_ignore_ascii_case("error"));
                held_entry(&mut held, guid).errored |= errored;
            }
        }
        if held.is_empty() {
            return Err(Outcome::Excluded("unlicensed user".to_string()));
        }
        let enabled = flag(record, &["accountEnabled"])?.unwrap_or(true);
        let guest = text(record, &["userType"]).eq_ignore_ascii_case("guest");
        let last_seen = Self::last_sign_in(record)?;
        for (guid, state) in held {
            let part_number = self.part_numbers.get(&guid).map(String::as_str);
            let (sku, sku_name) = sku_key_and_name(&guid, part_number);
            let status = if is_free_sku(&sku) {
                "free_sku"
            } else if !enabled {
                "disabled"
            } else if guest {
                "guest"
            } else if !state.assigned && state.errored {
                "assignment_error"
            } else {
                ACTIVE
            };
            out.product(ProductSeen {
                source: self.source.clone(),
                id: sku.clone(),
                name: sku_name.clone(),
                unit_price: None,
            });
            self.tenant.emit(
                UsageOut {
                    source: self.source.clone(),
                    sku,
                    sku_name,
                    measured: Measured::Item(upn.clone()),
                    status: status.to_string(),
                    last_seen,
                    ..UsageOut::default()
                },
                out,
            );
        }
        Ok(())
    }

    /// The latest interactive, non-interactive or successful sign-in.
    fn last_sign_in(record: &Record<'_>) -> Step<Option<Timestamp>> {
        let mut latest: Option<Timestamp> = None;
        for field in [
            "signInActivity.lastSignInDateTime",
            "signInActivity.lastNonInteractiveSignInDateTime",
            "signInActivity.lastSuccessfulSignInDateTime",
        ] {
            if let Some(at) = instant(record, &[field])? {
                latest = Some(latest.map_or(at, |known| known.max(at)));
            }
        }
        Ok(latest)
    }
}

impl ProfileRun for GraphRun {
    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "subscribed_skus" => self.subscribed_sku(record, out),
            _ => self.user(record, out),
        })
    }

    fn finish(&mut self, out: &mut dyn Emit) {
        self.tenant.announce(out);
        self.tenant.finish(out);
    }
}
