//! `mapping.toml`: every mapping decision and billing rule in one file a
//! person can read, review and keep in version control. It sits beside (or
//! instead of) `client_map.csv` and `product_map.csv`.
//!
//! ```toml
//! ignore_skus = ["m365:FLOW_FREE"] # free and viral SKUs: not billed, not unmapped
//!
//! [[client]]                      # a feed's client reference -> PSA client
//! source = "m365"
//! reference = "3f6a1c2e-8b4d-4e7a-9c1f-2d5b7e9a0c41"
//! client = "19321"
//! name = "Contoso Dental LLC"     # its name when mapped (renames are reported)
//! domain = "contosodental.com"    # only for a tenant split across clients
//!
//! [[product]]                     # a feed's SKU -> PSA product
//! source = "datto_bcdr"
//! sku = "datto_bcdr_offsite_tb"
//! product = "BK-SRV-TB"
//! units = 1                       # what one item or counted unit is worth
//! rounding = "up"                 # none | up | down | nearest, per client
//!
//! [counting."MS-WKS"]             # which usage of a product counts
//! statuses = ["active"]           # default: active only
//! stale_days = 30                 # default: the run's --stale-days
//! device_classes = ["workstation"]
//! exclude_items = ["svc-scan01"]  # named exceptions
//!
//! [clients."19321"]               # one client's agreement
//! included = { "M365-BP" = 10 }   # first 10 users in the flat fee
//! minimum = { "M365-BP" = 5 }     # billed at least 5
//! stale_days = 60
//! client_owned = ["m365:VISIO_PLAN2"]  # licences the client buys itself
//! internal = false                # true for the MSP's own client
//! counting."M365-BP" = { statuses = ["active", "disabled"] }  # this client only
//! ```

use std::collections::BTreeMap;
use std::io::Read;

use reckon_core::CatalogBuilder;
use reckon_core::model::{
    ClientMapping, ClientRules, CountingRules, ProductMapping, Rounding, SourceId,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{SourceError, SourceErrorKind};

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    #[serde(default, rename = "client", skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<ClientEntry>,
    #[serde(default, rename = "product", skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<ProductEntry>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counting: BTreeMap<String, CountingEntry>,
    #[serde(
        default,
        rename = "clients",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub client_rules: BTreeMap<String, ClientRulesEntry>,
    /// `source:sku` pairs that are neither billed nor worth mapping (free
    /// and viral SKUs): their rows are left out, not reported unmapped.
    /// Written at the top of the file, before any `[table]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_skus: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientEntry {
    pub source: String,
    pub reference: String,
    pub client: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub domain: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductEntry {
    pub source: String,
    pub sku: String,
    pub product: String,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub units: Decimal,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rounding: String,
}

fn one() -> Decimal {
    Decimal::ONE
}

fn is_one(units: &Decimal) -> bool {
    *units == Decimal::ONE
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountingEntry {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_classes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_items: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientRulesEntry {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub included: BTreeMap<String, Decimal>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub minimum: BTreeMap<String, Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_days: Option<u32>,
    /// `source:sku` pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_owned: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    /// Per product, counting rules that replace the product's for this
    /// client.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counting: BTreeMap<String, CountingEntry>,
}

impl CountingEntry {
    fn rules(&self) -> CountingRules {
        CountingRules {
            counted_statuses: self.statuses.iter().map(|s| s.to_lowercase()).collect(),
            stale_days: self.stale_days,
            device_classes: self.device_classes.clone(),
            excluded_items: self
                .exclude_items
                .iter()
                .map(|item| item.trim().to_lowercase())
                .collect(),
        }
    }
}

impl MappingFile {
    /// Parses and checks a mapping file's text.
    pub fn parse(text: &str, file: &str) -> Result<MappingFile, SourceError> {
        let parsed: MappingFile = toml::from_str(text).map_err(|error| {
            let mut source_error =
                SourceError::new(file, SourceErrorKind::Value, error.message().to_string());
            if let Some(span) = error.span() {
                let line = text[..span.start.min(text.len())].matches('\n').count() as u64 + 1;
                source_error = source_error.at_row(line);
            }
            source_error
        })?;
        parsed.check(file)?;
        Ok(parsed)
    }

    pub fn read(mut reader: impl Read, file: &str) -> Result<MappingFile, SourceError> {
        let mut text = String::new();
        reader.read_to_string(&mut text).map_err(|error| {
            SourceError::new(file, SourceErrorKind::Unreadable, error.to_string())
        })?;
        MappingFile::parse(&text, file)
    }

    fn check(&self, file: &str) -> Result<(), SourceError> {
        let problem = |message: String| SourceError::new(file, SourceErrorKind::Value, message);
        for entry in &self.clients {
            if entry.source.is_empty() || entry.reference.is_empty() || entry.client.is_empty() {
                return Err(problem(format!(
                    "a [[client]] entry needs source, reference and client (reference \"{}\")",
                    entry.reference
                )));
            }
        }
        for entry in &self.products {
            if entry.source.is_empty() || entry.sku.is_empty() || entry.product.is_empty() {
                return Err(problem(format!(
                    "a [[product]] entry needs source, sku and product (sku \"{}\")",
                    entry.sku
                )));
            }
            if entry.units <= Decimal::ZERO || entry.units > super::mappings::MAX_UNITS {
                return Err(problem(format!(
                    "[[product]] {} {}: units must be positive and at most 1000000, found {}",
                    entry.source, entry.sku, entry.units
                )));
            }
            if Rounding::parse(&entry.rounding).is_none() {
                return Err(problem(format!(
                    "[[product]] {} {}: rounding must be none, up, down or nearest, found \"{}\"",
                    entry.source, entry.sku, entry.rounding
                )));
            }
        }
        for ignored in &self.ignore_skus {
            if ignored
                .split_once(':')
                .is_none_or(|(s, k)| s.is_empty() || k.is_empty())
            {
                return Err(problem(format!(
                    "ignore_skus: \"{ignored}\" should be source:sku, such as m365:FLOW_FREE"
                )));
            }
        }
        for (client, rules) in &self.client_rules {
            for owned in &rules.client_owned {
                if owned
                    .split_once(':')
                    .is_none_or(|(s, k)| s.is_empty() || k.is_empty())
                {
                    return Err(problem(format!(
                        "[clients.\"{client}\"] client_owned: \"{owned}\" should be source:sku, such as m365:VISIO_PLAN2"
                    )));
                }
            }
            for (product, quantity) in rules.included.iter().chain(&rules.minimum) {
                if *quantity < Decimal::ZERO {
                    return Err(problem(format!(
                        "[clients.\"{client}\"] {product}: a quantity cannot be negative"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Adds the file's mappings and rules to a catalogue; a mapping that
    /// contradicts another (here or in the CSV files) is an error.
    pub fn apply(&self, file: &str, builder: &mut CatalogBuilder) -> Result<(), SourceError> {
        for entry in &self.clients {
            builder
                .map_client(ClientMapping {
                    source: entry.source.as_str().into(),
                    external_client_id: entry.reference.clone(),
                    client_id: entry.client.as_str().into(),
                    domain: (!entry.domain.is_empty())
                        .then(|| entry.domain.trim_start_matches('@').to_string()),
                })
                .map_err(|conflict| {
                    SourceError::new(file, SourceErrorKind::Conflict, conflict.detail)
                })?;
        }
        for entry in &self.products {
            builder
                .map_product(ProductMapping {
                    source: entry.source.as_str().into(),
                    sku: entry.sku.clone(),
                    product_id: entry.product.as_str().into(),
                    units: entry.units,
                    rounding: Rounding::parse(&entry.rounding).unwrap_or_default(),
                })
                .map_err(|conflict| {
                    SourceError::new(file, SourceErrorKind::Conflict, conflict.detail)
                })?;
        }
        for (product, entry) in &self.counting {
            builder.set_counting_rules(product.as_str().into(), entry.rules());
        }
        for ignored in &self.ignore_skus {
            if let Some((source, sku)) = ignored.split_once(':') {
                builder.ignore_sku(source.into(), sku.to_string());
            }
        }
        for (client, entry) in &self.client_rules {
            let quantities = |map: &BTreeMap<String, Decimal>| {
                map.iter()
                    .map(|(product, quantity)| (product.as_str().into(), *quantity))
                    .collect()
            };
            builder.set_client_rules(
                client.as_str().into(),
                ClientRules {
                    included: quantities(&entry.included),
                    minimum: quantities(&entry.minimum),
                    stale_days: entry.stale_days,
                    client_owned: entry
                        .client_owned
                        .iter()
                        .filter_map(|owned| owned.split_once(':'))
                        .map(|(source, sku)| (SourceId::from(source), sku.to_string()))
                        .collect(),
                    internal: entry.internal,
                    counting: entry
                        .counting
                        .iter()
                        .map(|(product, rules)| (product.as_str().into(), rules.rules()))
                        .collect(),
                },
            );
        }
        Ok(())
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
ignore_skus = ["m365:FLOW_FREE"]

[[client]]
source = "m365"
reference = "t-1"
client = "C1"
domain = "freight.example"

[[product]]
source = "backup"
sku = "STORAGE_TB"
product = "BK-TB"
units = 0.5
rounding = "up"

[counting."MS-WKS"]
device_classes = ["workstation"]
exclude_items = ["SVC-SCAN01"]

[clients."C1"]
included = { "M365-BP" = 10 }
minimum = { "M365-BP" = 5 }
client_owned = ["m365:VISIO_PLAN2"]
counting."M365-BP" = { statuses = ["active", "disabled"] }
"#;

    #[test]
    fn a_mapping_file_reads_and_writes_back() {
        let file = MappingFile::parse(EXAMPLE, "mapping.toml").unwrap();
        assert_eq!(file.clients[0].domain, "freight.example");
        assert_eq!(file.products[0].units, Decimal::new(5, 1));
        assert_eq!(file.counting["MS-WKS"].exclude_items, ["SVC-SCAN01"]);
        assert_eq!(file.ignore_skus, ["m365:FLOW_FREE"]);
        assert_eq!(
            file.client_rules["C1"].counting["M365-BP"].statuses,
            ["active", "disabled"]
        );
        let again = MappingFile::parse(&file.to_toml(), "mapping.toml").unwrap();
        assert_eq!(again, file);
    }

    #[test]
    fn mistakes_name_the_file_and_line() {
        let error = MappingFile::parse(
            "[[client]]\nsource = \"m365\"\nrefrence = \"x\"\n",
            "mapping.toml",
        )
        .unwrap_err();
        assert!(
            error.to_string().starts_with("mapping.toml, row 3"),
            "{error}"
        );
        let error = MappingFile::parse(
            "[[product]]\nsource = \"a\"\nsku = \"b\"\nproduct = \"c\"\nrounding = \"sideways\"\n",
            "mapping.toml",
        )
        .unwrap_err();
        assert!(error.to_string().contains("rounding must be"), "{error}");
        let error = MappingFile::parse(
            "[clients.\"C1\"]\nclient_owned = [\"VISIO\"]\n",
            "mapping.toml",
        )
        .unwrap_err();
        assert!(error.to_string().contains("source:sku"), "{error}");
    }
}
