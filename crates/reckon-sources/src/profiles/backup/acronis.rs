//! Acronis Cyber Protect Cloud, Account Management API v2: the tenant
//! listing (`/api/2/tenants`) and each customer's usages
//! (`/api/2/tenants/{tenant_uuid}/usages`, saved as
//! `<tenant_uuid>_usages.json`).
//!
//! Acronis reports aggregates, so every record is a count: one per usage
//! item measured in `quantity` or `bytes` with a value above zero, by its
//! edition-qualified offering-item `name` (per-workload and per-gigabyte
//! editions price differently). Bytes become binary GB (2^30 bytes) in
//! decimal arithmetic, rounded to 6 decimal places half away from zero.
//! Only customer tenants count (the partner
//! tenant is the MSP itself); `local_storage` (the customer's own disk)
//! bills nothing. A disabled tenant or offering item is `disabled`.

use hashbrown::HashMap;
use rust_decimal::Decimal;

use super::shared::{gigabytes_from_bytes, source_name};
use crate::convert::{ClientSeen, Measured, ProductSeen, Side, UsageOut};
use crate::input::Record;
use crate::profiles::{
    ACTIVE, Context, DeviceClass, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun,
    ProfileSpec, Step, flag, need, need_number, number, outcome, text,
};

const SOURCE: &str = "acronis";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "Acronis Cyber Protect Cloud tenant usages (Account Management API v2)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "tenants",
                PartRole::Reference,
                "api/2/tenants: tenant names, kinds and state",
            )
            .required(&["id", "name", "kind", "parent_id", "brand_id"])
            .optional(&[
                "enabled",
                "customer_type",
                "has_children",
                "ancestral_access",
            ]),
            PartSpec::new(
                "usages",
                PartRole::Main,
                "api/2/tenants/{id}/usages: the usage items",
            )
            .required(&["tenant_uuid", "usage_name", "measurement_unit", "value"])
            .optional(&[
                "edition",
                "name",
                "offering_item.status",
                "absolute_value",
                "range_start",
            ]),
        ],
    };
    Profile::new(spec, |context: &Context| AcronisRun {
        source: source_name(context, SOURCE),
        tenants: HashMap::new(),
    })
}

struct Tenant {
    name: String,
    kind: String,
    enabled: bool,
}

struct AcronisRun {
    source: String,
    tenants: HashMap<String, Tenant>,
}

/// The device class a usage counts, from its `usage_name`.
fn device_class(usage_name: &str) -> &'static str {
    match usage_name {
        "workstations" => DeviceClass::Workstation.as_str(),
        "servers" => DeviceClass::Server.as_str(),
        "vms" => DeviceClass::VmGuest.as_str(),
        "mobiles" => DeviceClass::Mobile.as_str(),
        _ => "",
    }
}

impl AcronisRun {
    fn tenant(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["id"])?;
        let name = text(record, &["name"]);
        let kind = text(record, &["kind"]).to_ascii_lowercase();
        if kind == "customer" {
            out.client(ClientSeen {
                source: self.source.clone(),
                id: id.to_string(),
                name: name.to_string(),
                ..ClientSeen::default()
            });
        }
        self.tenants.insert(
            id.to_string(),
            Tenant {
                name: name.to_string(),
                kind,
                enabled: flag(record, &["enabled"])?.unwrap_or(true),
            },
        );
        Ok(())
    }

    fn usage(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let tenant_id = need(record, &["tenant_uuid"])?;
        let tenant = self.tenants.get(tenant_id);
        if let Some(tenant) = tenant
            && tenant.kind != "customer"
        {
            return Err(Outcome::Excluded(format!(
                "{} tenant, not a customer",
                if tenant.kind.is_empty() {
                    "unknown"
                } else {
                    &tenant.kind
                }
            )));
        }
        let usage_name = need(record, &["usage_name"])?;
        let name = text(record, &["name"]);
        let edition = text(record, &["edition"]);
        let unit = need(record, &["measurement_unit"])?.to_ascii_lowercase();
        let value = need_number(record, &["value"])?;
        if usage_name == "local_storage" || name == "local_storage" {
            return Err(Outcome::Excluded("local storage is not billed".to_string()));
        }
        let quantity = match unit.as_str() {
            "quantity" => value.normalize(),
            "bytes" => gigabytes_from_bytes(value)
                .ok_or_else(|| Outcome::unreadable("value", "too large a number of bytes"))?,
            other => {
                return Err(Outcome::Excluded(format!(
                    "measured in {other}, not billed"
                )));
            }
        };
        if quantity <= Decimal::ZERO {
            return Err(Outcome::Excluded("zero usage".to_string()));
        }
        let offering_off = number(record, &["offering_item.status"])? == Some(Decimal::ZERO);
        let tenant_off = tenant.is_some_and(|t| !t.enabled);
        let status = if tenant_off || offering_off {
            "disabled"
        } else {
            ACTIVE
        };
        let sku = if name.is_empty() { usage_name } else { name };
        let sku_name = if edition.is_empty() {
            usage_name.to_string()
        } else {
            format!("{edition} / {usage_name}")
        };
        let client_name = tenant.map(|t| t.name.clone()).unwrap_or_default();
        if tenant.is_none() {
            out.client(ClientSeen {
                source: self.source.clone(),
                id: tenant_id.to_string(),
                ..ClientSeen::default()
            });
        }
        out.product(ProductSeen {
            source: self.source.clone(),
            id: sku.to_string(),
            name: sku_name.clone(),
            unit_price: None,
        });
        out.usage(UsageOut {
            source: self.source.clone(),
            client_ref: tenant_id.to_string(),
            client_name,
            sku: sku.to_string(),
            sku_name,
            measured: Measured::Count(quantity),
            status: status.to_string(),
            device_class: device_class(usage_name).to_string(),
            ..UsageOut::default()
        });
        Ok(())
    }
}

impl ProfileRun for AcronisRun {
    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "tenants" => self.tenant(record, out),
            _ => self.usage(record, out),
        })
    }
}
