//! Microsoft Graph, one tenant: `GET /v1.0/users` (with
//! `assignedLicenses`, `licenseAssignmentStates` and `signInActivity`) and
//! `GET /v1.0/subscribedSkus`.
//!
//! Users give one item per (user, SKU), from the union of
//! `assignedLicenses` and `licenseAssignmentStates` (a SKU assigned directly
//! and through groups counts once; `disabledPlans` change nothing). Status:
//! `free_sku` for free, viral and trial SKUs (`data/free-skus.tsv`, by
//! GUID), else `unknown_enabled` when the payload has no `accountEnabled`
//! (fetched without it in `$select`: a note per file says so, and such
//! users are not counted rather than counted as enabled), `disabled` when
//! it is false, `guest` for guests, `assignment_error` for a SKU only in an
//! `Error` assignment state (demand, not consumption), else `active`. Last
//! seen is the latest of the three sign-in times.
//!
//! `subscribedSkus` names the tenant (its `id` is `<tenantId>_<skuId>`;
//! `accountId` is the billing account, not the tenant, so it is not used)
//! and the SKUs' part numbers, and gives the purchased seats as
//! subscriptions (never suspended or locked out): one for the
//! `prepaidUnits.enabled` seats, with the `capabilityStatus` (`active` also
//! when it says Warning, since the warning seats get their own record), or
//! `tenant_wide` for an `appliesTo = Company` SKU (not per user); and, when
//! `prepaidUnits.warning` is above zero, a second one (id `<id>#warning`)
//! for those seats with status `warning` and term `grace_period`: seats
//! about to drop at the end of the grace period, which a note also says. It
//! writes no usage count: the user items are the usage.
//!
//! With several tenants' subscribedSkus in one conversion, each users file
//! must be named after its tenant id (`users_<tenantId>.json`); a users
//! file that names none is refused row by row rather than guessed.
//!
//! Subscriptions wait, like users, until the tenant is known (the `id`,
//! `--client-ref`, or a user's `*.onmicrosoft.com` UPN); if it never is,
//! they are written with an empty client reference and a note says so.
//!
//! The SKU key is the part number (`SPB`), from `subscribedSkus` or the
//! licensing catalogue, so that Graph and the admin center export agree;
//! an unknown GUID stays the key.

use hashbrown::HashMap;
use jiff::Timestamp;
use rust_decimal::Decimal;

use super::catalogue::{by_guid, is_free_sku};
use super::tenant::{TenantRef, onmicrosoft_domain};
use crate::convert::{Measured, ProductSeen, Side, SubscriptionOut, UsageOut};
use crate::input::Record;
use crate::profiles::{
    ACTIVE, Context, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun, ProfileSpec, Step,
    flag, id_in_file_name, instant, need, number, outcome, text,
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
            enabled_missing_noted: false,
            tenants: Vec::new(),
            users_without_tenant: None,
        }
    })
}

struct GraphRun {
    source: String,
    tenant: TenantRef,
    /// `skuId` (lowercase) -> `skuPartNumber`, from subscribedSkus.
    part_numbers: HashMap<String, String>,
    /// This users file already had its note about a missing
    /// `accountEnabled`.
    enabled_missing_noted: bool,
    /// Every tenant subscribedSkus named: (tenant id, account name).
    tenants: Vec<(String, String)>,
    /// Why the users file being read cannot be tied to one tenant.
    users_without_tenant: Option<String>,
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
        self.tenant.name_hint(account_name);
        if let Some((tenant_id, _)) = id.split_once('_') {
            self.tenant.set(tenant_id, account_name);
            if !self.tenants.iter().any(|(known, _)| known == tenant_id) {
                self.tenants
                    .push((tenant_id.to_string(), account_name.to_string()));
            }
        }
        self.tenant.announce(out);
        let (sku, sku_name) = sku_key_and_name(&guid, Some(part_number));
        out.product(ProductSeen {
            source: self.source.clone(),
            id: sku.clone(),
            name: sku_name.clone(),
            unit_price: None,
        });
        let enabled = number(record, &["prepaidUnits.enabled"])?.unwrap_or_default();
        let warning = number(record, &["prepaidUnits.warning"])?.unwrap_or_default();
        let purchased = enabled.checked_add(warning).ok_or_else(|| {
            Outcome::unreadable(
                &record.column_name("prepaidUnits.warning"),
                "enabled + warning seats overflow",
            )
        })?;
        let free = is_free_sku(&guid, part_number);
        let tenant_wide = text(record, &["appliesTo"]).eq_ignore_ascii_case("company");
        let capability = capability_status(text(record, &["capabilityStatus"]));
        let status = if free {
            "free_sku".to_string()
        } else if capability == ACTIVE || capability == "warning" {
            // Warning seats are written apart below: the enabled ones bill.
            if tenant_wide {
                "tenant_wide".to_string()
            } else {
                ACTIVE.to_string()
            }
        } else {
            capability
        };
        let subscription_id = if id.is_empty() {
            guid.clone()
        } else {
            id.to_string()
        };
        let subscription = SubscriptionOut {
            source: self.source.clone(),
            sku,
            sku_name,
            subscription_id: subscription_id.clone(),
            quantity: enabled,
            status,
            ..SubscriptionOut::default()
        };
        if warning > Decimal::ZERO {
            out.note(
                "seats about to drop",
                &format!(
                    "{part_number}: {warning} of {purchased} purchased seat(s) are in warning \
                     and drop at the end of the grace period"
                ),
            );
            let in_warning = SubscriptionOut {
                subscription_id: format!("{subscription_id}#warning"),
                quantity: warning,
                status: if free { "free_sku" } else { "warning" }.to_string(),
                term: "grace_period".to_string(),
                ..subscription.clone()
            };
            self.tenant.emit_subscription(subscription, out);
            self.tenant.emit_subscription(in_warning, out);
        } else {
            self.tenant.emit_subscription(subscription, out);
        }
        Ok(())
    }

    fn user(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        if let Some(problem) = &self.users_without_tenant {
            return Err(Outcome::unreadable("userPrincipalName", problem.clone()));
        }
        let upn = need(record, &["userPrincipalName"])?.to_lowercase();
        self.tenant.learn_domain(onmicrosoft_domain(&upn), out);
        let enabled = flag(record, &["accountEnabled"])?;
        if enabled.is_none() && !self.enabled_missing_noted {
            self.enabled_missing_noted = true;
            out.note(
                "accountEnabled missing",
                "the payload has no accountEnabled (add it to $select): users without it get \
                 status unknown_enabled and are not counted",
            );
        }
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
        let guest = text(record, &["userType"]).eq_ignore_ascii_case("guest");
        let last_seen = Self::last_sign_in(record)?;
        for (guid, state) in held {
            let part_number = self.part_numbers.get(&guid).map(String::as_str);
            let (sku, sku_name) = sku_key_and_name(&guid, part_number);
            let status = if is_free_sku(&guid, &sku) {
                "free_sku"
            } else if enabled.is_none() {
                "unknown_enabled"
            } else if enabled == Some(false) {
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
    /// Users do not name their tenant. With one tenant's subscribedSkus
    /// that is the tenant; with several, each users file must be named
    /// after its tenant id (`users_<tenantId>.json`): guessing would put
    /// one client's users under another.
    fn start_file(&mut self, part: &str, file_name: &str, _out: &mut dyn Emit) {
        if part != "users" {
            return;
        }
        self.enabled_missing_noted = false;
        self.users_without_tenant = None;
        if self.tenants.len() < 2 {
            return;
        }
        let named = id_in_file_name(file_name, self.tenants.iter().map(|(id, _)| id.as_str()))
            .map(str::to_string);
        match named.and_then(|id| self.tenants.iter().find(|(known, _)| *known == id).cloned()) {
            Some((id, name)) => self.tenant.set_current(&id, &name),
            None => {
                self.users_without_tenant = Some(format!(
                    "subscribedSkus of {} tenants were given and {file_name} does not name one: \
                     name each users file after its tenant id (users_<tenantId>.json)",
                    self.tenants.len()
                ));
            }
        }
    }

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
