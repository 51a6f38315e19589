//! What the mapping pages need from the binary: the workspace's current
//! mappings (the latest `client_map.csv`, `product_map.csv` and
//! `mapping.toml` snapshots at or before a period) and new snapshots of
//! them, checked with the readers `reckon run` uses and audited. The binary
//! implements it (`crates/reckon/src/web_actions/mapping.rs`); without it
//! the pages show what they can and refuse changes with 503.

use std::future::Future;
use std::pin::Pin;

/// A boxed future, so the trait can be used as `dyn`.
pub type ActionFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ActionError>> + Send + 'a>>;

/// Why an action failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionError {
    /// The user can fix it: the message says what (the field, the value).
    User(String),
    /// Ours: logged, never shown.
    Internal(String),
}

/// A client mapping: a feed's client reference to a PSA client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMapRow {
    pub source: String,
    pub external_id: String,
    pub client_id: String,
    pub domain: String,
    /// The file it is in (`client_map.csv` or `mapping.toml`).
    pub file: String,
}

/// A SKU mapping: a feed's SKU to a PSA product, with its units factor
/// and rounding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuMapRow {
    pub source: String,
    pub sku: String,
    pub product_id: String,
    /// An exact decimal, e.g. `1` or `0.5`.
    pub units: String,
    /// `none`, `up`, `down` or `nearest`.
    pub rounding: String,
    pub file: String,
}

/// A product's counting rules (from `mapping.toml`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountingRow {
    pub product_id: String,
    pub statuses: Vec<String>,
    pub stale_days: Option<u32>,
    pub device_classes: Vec<String>,
    pub exclude_items: Vec<String>,
}

/// The mappings a run of a period would use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrentMappings {
    pub clients: Vec<ClientMapRow>,
    pub skus: Vec<SkuMapRow>,
    pub counting: Vec<CountingRow>,
}

/// Which kind of reference a mapping maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingKind {
    /// A client reference to a PSA client (`client_map.csv`).
    Client,
    /// A SKU to a PSA product (`product_map.csv`).
    Product,
}

impl MappingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MappingKind::Client => "client",
            MappingKind::Product => "product",
        }
    }

    pub fn parse(text: &str) -> Option<MappingKind> {
        match text.trim() {
            "client" => Some(MappingKind::Client),
            "product" => Some(MappingKind::Product),
            _ => None,
        }
    }
}

/// Map `external_id` of `source` to `target_id` from `period` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptMapping {
    pub period: String,
    pub kind: MappingKind,
    pub source: String,
    pub external_id: String,
    pub target_id: String,
    pub actor: String,
}

/// One SKU mapping's new units factor and rounding, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuEdit {
    pub source: String,
    pub sku: String,
    pub units: String,
    pub rounding: String,
}

/// A product's new SKU factors and counting rules, as typed (lists comma
/// separated; an empty stale window: the run's default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductRulesEdit {
    pub period: String,
    pub product_id: String,
    pub skus: Vec<SkuEdit>,
    pub statuses: String,
    pub stale_days: String,
    pub device_classes: String,
    pub exclude_items: String,
    pub actor: String,
}

/// The binary's mapping snapshots.
pub trait MappingActions: Send + Sync + std::fmt::Debug {
    /// The mappings the latest snapshots at or before `period` hold.
    fn current(&self, period: &str) -> ActionFuture<'_, CurrentMappings>;
    /// Stores a new `client_map.csv` or `product_map.csv` snapshot for the
    /// period: the latest one plus the new row, its change audited.
    /// Returns what was done, to show.
    fn accept(&self, request: AcceptMapping) -> ActionFuture<'_, String>;
    /// Stores new `product_map.csv` and/or `mapping.toml` snapshots with
    /// the product's new factors and counting rules, each change audited
    /// (old and new). Returns what was done.
    fn save_product(&self, edit: ProductRulesEdit) -> ActionFuture<'_, String>;
}
