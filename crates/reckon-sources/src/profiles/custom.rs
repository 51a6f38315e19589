//! Custom profiles: any CSV or workbook, read through a column mapping the
//! user writes once (a small TOML file) and reckon remembers by name.
//!
//! ```toml
//! name = "acme_backup"
//! side = "usage"                  # or "billing"
//! source = "acme_backup"          # the source its usage records carry
//! [columns]
//! client_ref = "Customer ID"
//! client_name = "Customer"
//! sku = "Plan"
//! item_id = "Serial"
//! status = "State"
//! last_seen = "Last Backup"
//! [status]
//! active = ["Protected", "OK"]    # values that count; others are kept, not counted
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::common::{instant, need, need_number, number, outcome, text};
use super::{Context, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun, ProfileSpec};
use crate::convert::{BillingOut, ClientSeen, Measured, ProductSeen, Side, UsageOut};
use crate::input::Record;

/// A user's column mapping, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomProfile {
    pub name: String,
    #[serde(default)]
    pub title: String,
    /// `billing` (a PSA report) or `usage` (a vendor or inventory export).
    pub side: String,
    /// The source name of its usage records (default: the profile's name).
    #[serde(default)]
    pub source: String,
    /// Canonical field -> the file's column header.
    pub columns: BTreeMap<String, String>,
    /// A SKU or product for every row when the file has no such column.
    #[serde(default)]
    pub constant_sku: String,
    #[serde(default)]
    pub status: StatusRule,
    /// Which sheet of a workbook, and which row holds the header, when
    /// they cannot be guessed. They apply when the profile is chosen by
    /// name (`reckon convert --profile NAME`); detection reads every sheet
    /// and guesses the header.
    #[serde(default)]
    pub sheet: Option<String>,
    #[serde(default)]
    pub header_row: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusRule {
    /// Status values (any case) that count as active (usage) or billed
    /// (billing); empty: every row counts unless its status says disabled,
    /// deleted, inactive, cancelled, ...
    #[serde(default)]
    pub active: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("custom profile {name}: {problem}")]
pub struct CustomProfileError {
    pub name: String,
    pub problem: String,
}

const USAGE_FIELDS: [&str; 11] = [
    "client_ref",
    "client_name",
    "sku",
    "sku_name",
    "item_id",
    "quantity",
    "status",
    "last_seen",
    "hostname",
    "device_class",
    "serial",
];
const BILLING_FIELDS: [&str; 12] = [
    "line_id",
    "client_id",
    "client_name",
    "product_id",
    "product_name",
    "quantity",
    "unit_price",
    "unit_cost",
    "description",
    "agreement",
    "agreement_id",
    "status",
];

impl CustomProfile {
    /// Reads and checks a profile file's text.
    pub fn parse(text: &str) -> Result<CustomProfile, CustomProfileError> {
        let profile: CustomProfile = toml::from_str(text).map_err(|error| CustomProfileError {
            name: "(unnamed)".to_string(),
            problem: error.to_string(),
        })?;
        profile.check()?;
        Ok(profile)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    fn side(&self) -> Side {
        if self.side.eq_ignore_ascii_case("billing") {
            Side::Billing
        } else {
            Side::Usage
        }
    }

    /// Says what is wrong with the mapping, if anything.
    pub fn check(&self) -> Result<(), CustomProfileError> {
        let problem = |problem: String| CustomProfileError {
            name: self.name.clone(),
            problem,
        };
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(problem(
                "its name must be letters, digits, '_' or '-'".to_string(),
            ));
        }
        let (allowed, needed): (&[&str], Vec<&str>) = match self.side.to_ascii_lowercase().as_str()
        {
            "usage" => {
                let mut needed = vec!["client_ref"];
                if self.constant_sku.is_empty() {
                    needed.push("sku");
                }
                (&USAGE_FIELDS, needed)
            }
            "billing" => {
                let mut needed = vec!["client_id", "quantity", "unit_price"];
                if self.constant_sku.is_empty() {
                    needed.push("product_id");
                }
                (&BILLING_FIELDS, needed)
            }
            other => {
                return Err(problem(format!(
                    "side must be \"billing\" or \"usage\", not \"{other}\""
                )));
            }
        };
        for field in self.columns.keys() {
            if !allowed.contains(&field.as_str()) {
                return Err(problem(format!(
                    "\"{field}\" is not a {} field (known: {})",
                    self.side,
                    allowed.join(", ")
                )));
            }
        }
        for field in needed {
            if !self.columns.contains_key(field) {
                return Err(problem(format!("maps no column to \"{field}\"")));
            }
        }
        if self.side() == Side::Usage
            && !self.columns.contains_key("item_id")
            && !self.columns.contains_key("quantity")
        {
            return Err(problem(
                "maps no column to \"item_id\" (one row per user or device) or \"quantity\" (a count per row)".to_string(),
            ));
        }
        Ok(())
    }

    pub fn into_profile(self) -> Profile {
        let mut required: Vec<String> = self.columns.values().cloned().collect();
        required.sort();
        required.dedup();
        let spec = ProfileSpec {
            name: self.name.clone(),
            title: if self.title.is_empty() {
                format!("custom profile {}", self.name)
            } else {
                self.title.clone()
            },
            source: if self.source.is_empty() {
                self.name.clone()
            } else {
                self.source.clone()
            },
            side: self.side(),
            parts: vec![PartSpec {
                required,
                ..PartSpec::new("rows", PartRole::Main, "the mapped columns")
            }],
        };
        let shared = std::sync::Arc::new(self);
        Profile::new(spec, move |context: &Context| CustomRun {
            profile: shared.clone(),
            source: context.source.clone().unwrap_or_else(|| {
                if shared.source.is_empty() {
                    shared.name.clone()
                } else {
                    shared.source.clone()
                }
            }),
        })
    }
}

struct CustomRun {
    profile: std::sync::Arc<CustomProfile>,
    source: String,
}

/// Reads a mapped column: the canonical field name is looked up in the
/// mapping, the column in the record.
fn column<'p>(profile: &'p CustomProfile, field: &str) -> Option<&'p str> {
    profile.columns.get(field).map(String::as_str)
}

impl CustomRun {
    fn get<'a>(&self, record: &Record<'a>, field: &str) -> &'a str {
        column(&self.profile, field).map_or("", |name| text(record, &[name]))
    }

    fn usage(&self, record: &Record<'_>, out: &mut dyn Emit) -> super::Step<()> {
        let profile = &self.profile;
        let client_ref = need(record, &[column(profile, "client_ref").unwrap_or("")])?;
        let sku = match column(profile, "sku") {
            Some(name) => need(record, &[name])?.to_string(),
            None => profile.constant_sku.clone(),
        };
        let raw_status = self.get(record, "status");
        let status = status_of(raw_status, &profile.status);
        let last_seen = match column(profile, "last_seen") {
            Some(name) => instant(record, &[name])?,
            None => None,
        };
        let measured = match column(profile, "item_id") {
            Some(name) => Measured::Item(need(record, &[name])?.to_string()),
            None => Measured::Count(need_number(
                record,
                &[column(profile, "quantity").unwrap_or("")],
            )?),
        };
        out.client(ClientSeen {
            source: self.source.clone(),
            id: client_ref.to_string(),
            name: self.get(record, "client_name").to_string(),
            ..ClientSeen::default()
        });
        out.product(ProductSeen {
            source: self.source.clone(),
            id: sku.clone(),
            name: self.get(record, "sku_name").to_string(),
            unit_price: None,
        });
        out.usage(UsageOut {
            source: self.source.clone(),
            client_ref: client_ref.to_string(),
            client_name: self.get(record, "client_name").to_string(),
            sku,
            sku_name: self.get(record, "sku_name").to_string(),
            measured,
            status,
            last_seen,
            hostname: self.get(record, "hostname").to_string(),
            agent_id: String::new(),
            device_class: self.get(record, "device_class").to_string(),
            serial: self.get(record, "serial").to_string(),
        });
        Ok(())
    }

    fn billing(&self, record: &Record<'_>, out: &mut dyn Emit) -> super::Step<()> {
        let profile = &self.profile;
        let field = |name: &str| column(profile, name).unwrap_or("");
        let client_id = need(record, &[field("client_id")])?;
        let product_id = match column(profile, "product_id") {
            Some(name) => need(record, &[name])?.to_string(),
            None => profile.constant_sku.clone(),
        };
        let quantity = need_number(record, &[field("quantity")])?;
        let unit_price = need_number(record, &[field("unit_price")])?;
        let unit_cost = match column(profile, "unit_cost") {
            Some(name) => number(record, &[name])?,
            None => None,
        };
        let line_id = match self.get(record, "line_id") {
            "" => format!("{client_id}/{product_id}/{}", record.location),
            id => id.to_string(),
        };
        let client_name = self.get(record, "client_name");
        out.client(ClientSeen {
            source: "psa".to_string(),
            id: client_id.to_string(),
            name: client_name.to_string(),
            ..ClientSeen::default()
        });
        out.product(ProductSeen {
            source: "psa".to_string(),
            id: product_id.clone(),
            name: self.get(record, "product_name").to_string(),
            unit_price: Some(unit_price),
        });
        if column(profile, "status").is_some() {
            let raw = self.get(record, "status");
            if status_of(raw, &profile.status) != super::ACTIVE {
                return Err(Outcome::Excluded(format!(
                    "status {}",
                    if raw.is_empty() { "empty" } else { raw }
                )));
            }
        }
        out.billing(BillingOut {
            line_id,
            client_id: client_id.to_string(),
            client_name: client_name.to_string(),
            product_id,
            product_name: self.get(record, "product_name").to_string(),
            quantity,
            unit_price,
            unit_cost,
            description: self.get(record, "description").to_string(),
            agreement: self.get(record, "agreement").to_string(),
            agreement_id: self.get(record, "agreement_id").to_string(),
            included: None,
            quantity_source: String::new(),
        });
        Ok(())
    }
}

/// `active` when the value is one of the active ones (or, with none
/// listed, when it does not say the item is gone); else the value itself,
/// lowercased, as the reason.
fn status_of(raw: &str, rule: &StatusRule) -> String {
    let lower = raw.trim().to_ascii_lowercase();
    let active = if rule.active.is_empty() {
        !matches!(
            lower.as_str(),
            "disabled"
                | "deleted"
                | "inactive"
                | "cancelled"
                | "canceled"
                | "suspended"
                | "decommissioned"
                | "uninstalled"
                | "archived"
                | "expired"
                | "false"
                | "no"
        )
    } else {
        rule.active
            .iter()
            .any(|value| value.eq_ignore_ascii_case(raw.trim()))
    };
    if active {
        super::ACTIVE.to_string()
    } else if lower.is_empty() {
        "not_active".to_string()
    } else {
        lower.replace(' ', "_")
    }
}

impl ProfileRun for CustomRun {
    fn record(&mut self, _part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        match self.profile.side() {
            Side::Usage => outcome(self.usage(record, out)),
            Side::Billing => outcome(self.billing(record, out)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_is_checked() {
        let good = "name = \"acme\"\nside = \"usage\"\n[columns]\nclient_ref = \"Customer\"\nsku = \"Plan\"\nitem_id = \"Serial\"\n";
        assert!(CustomProfile::parse(good).is_ok());
        let no_item = "name = \"acme\"\nside = \"usage\"\n[columns]\nclient_ref = \"Customer\"\nsku = \"Plan\"\n";
        assert!(
            CustomProfile::parse(no_item)
                .unwrap_err()
                .problem
                .contains("item_id")
        );
        let bad_field = "name = \"acme\"\nside = \"billing\"\n[columns]\nclient = \"Customer\"\n";
        assert!(
            CustomProfile::parse(bad_field)
                .unwrap_err()
                .problem
                .contains("not a billing field")
        );
        assert!(CustomProfile::parse("name = 3").is_err());
    }

    #[test]
    fn statuses() {
        let none = StatusRule::default();
        assert_eq!(status_of("Active", &none), "active");
        assert_eq!(status_of("Deleted", &none), "deleted");
        let listed = StatusRule {
            active: vec!["Protected".into()],
        };
        assert_eq!(status_of("protected", &listed), "active");
        assert_eq!(status_of("Never backed up", &listed), "never_backed_up");
    }
}
