//! Microsoft 365 admin center, Users > Active users > Export users (CSV,
//! one tenant, one row per user). Columns are found by name: the export's
//! order and spelling changed over the years.
//!
//! `Licenses` joins display names with `+` (`Unlicensed` when none): each
//! name gives one item for the user, keyed by the part number the
//! licensing catalogue gives that name (`SPB`), the same key as the Graph
//! profile. A name the catalogue gives to several products, or does not
//! know, stays the key itself and a note says so. Status: `free_sku` for
//! free, viral and trial SKUs, else `disabled` when `Block credential` is
//! True, `guest` for `#EXT#` users, `deleted` when soft-deleted, else
//! `active`. The export has no sign-in time: last seen is the as-of time
//! ("present").
//!
//! The file names no tenant: the client is `--client-ref`, else the
//! tenant's `*.onmicrosoft.com` domain from a UPN or proxy address.

use jiff::Timestamp;

use super::catalogue::{
    NameMatch, by_display_name, is_free_part_number, is_free_sku, name_says_free,
};
use super::tenant::{TenantRef, onmicrosoft_domain};
use crate::convert::{Measured, ProductSeen, Side, UsageOut};
use crate::input::Record;
use crate::profiles::{
    ACTIVE, Context, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun, ProfileSpec, Step,
    flag, need, outcome, text,
};

const SOURCE: &str = "m365";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: "m365_admin_users".to_string(),
        title: "Microsoft 365 admin center Active users export (CSV)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new("users", PartRole::Main, "the Active users export")
                .required(&["User principal name", "Licenses", "Block credential"])
                .optional(&[
                    "Display name",
                    "Object Id",
                    "When created",
                    "Soft deletion time stamp",
                    "Usage location",
                    "Proxy addresses",
                ]),
        ],
    };
    Profile::new(spec, |context: &Context| {
        let source = context.source.clone().unwrap_or_else(|| SOURCE.to_string());
        AdminUsersRun {
            tenant: TenantRef::new(
                &source,
                context.client_ref.clone(),
                context.client_name.clone(),
            ),
            source,
            as_of: context.as_of,
            given_client: (context.client_ref.clone(), context.client_name.clone()),
            files_started: 0,
        }
    })
}

struct AdminUsersRun {
    source: String,
    as_of: Timestamp,
    tenant: TenantRef,
    /// `--client-ref` and `--client-name`, as given.
    given_client: (Option<String>, Option<String>),
    files_started: usize,
}

/// A licence display name as a SKU key and name, and what is doubtful
/// about it.
fn licence_sku(name: &str) -> (String, String, bool, Option<String>) {
    match by_display_name(name) {
        NameMatch::One(sku) => (
            sku.part_number.clone(),
            sku.display_name.clone(),
            is_free_sku(&sku.guid, &sku.part_number),
            None,
        ),
        NameMatch::Ambiguous(parts) => (
            name.to_string(),
            name.to_string(),
            parts.iter().all(|part| is_free_part_number(part)),
            Some(format!(
                "ambiguous licence name: \"{name}\" is {}; kept as its own SKU",
                parts.join(" or ")
            )),
        ),
        NameMatch::Unknown => (
            name.to_string(),
            name.to_string(),
            name_says_free(name),
            Some(format!(
                "unknown licence name: \"{name}\" is not in the licensing catalogue; kept as its own SKU"
            )),
        ),
    }
}

impl AdminUsersRun {
    fn user(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let upn = need(record, &["User principal name"])?.to_lowercase();
        self.tenant.learn_domain(
            onmicrosoft_domain(&upn)
                .or_else(|| onmicrosoft_domain(text(record, &["Proxy addresses"]))),
            out,
        );
        let licenses = text(record, &["Licenses"]);
        let mut names: Vec<&str> = Vec::new();
        for name in licenses.split('+').map(str::trim) {
            if !name.is_empty()
                && !name.eq_ignore_ascii_case("unlicensed")
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
        if names.is_empty() {
            return Err(Outcome::Excluded("unlicensed user".to_string()));
        }
        let blocked = flag(record, &["Block credential"])?.unwrap_or(false);
        let guest = upn.contains("#ext#");
        let soft_deleted = !text(record, &["Soft deletion time stamp"]).is_empty();
        for name in names {
            let (sku, sku_name, free, doubt) = licence_sku(name);
            if let Some(doubt) = doubt {
                out.note(&doubt, &upn);
            }
            let status = if free {
                "free_sku"
            } else if blocked {
                "disabled"
            } else if guest {
                "guest"
            } else if soft_deleted {
                "deleted"
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
                    last_seen: Some(self.as_of),
                    ..UsageOut::default()
                },
                out,
            );
        }
        Ok(())
    }
}

impl ProfileRun for AdminUsersRun {
    /// Each export is one tenant's: the previous file's records are
    /// written under its own tenant before the next file starts, so a
    /// second tenant's users never inherit the first one's domain.
    fn start_file(&mut self, _part: &str, file_name: &str, out: &mut dyn Emit) {
        self.files_started += 1;
        if self.files_started == 1 {
            return;
        }
        self.tenant.announce(out);
        self.tenant.finish(out);
        let (client_ref, client_name) = self.given_client.clone();
        if client_ref.is_some() {
            out.note(
                "one --client-ref for several exports",
                &format!("{file_name} is read as the same tenant as the export before it, as --client-ref says"),
            );
        }
        self.tenant = TenantRef::new(&self.source, client_ref, client_name);
    }

    fn record(&mut self, _part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(self.user(record, out))
    }

    fn finish(&mut self, out: &mut dyn Emit) {
        self.tenant.announce(out);
        self.tenant.finish(out);
    }
}
