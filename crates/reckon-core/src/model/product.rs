use super::{CountingRules, ProductId};
use crate::Money;

/// What one unit of a product is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Unit {
    User,
    Device,
    Terabyte,
    /// Anything else a catalogue names (site, mailbox, license, ...).
    Other(String),
}

impl Unit {
    /// Reads a catalogue's `item_type`; unknown names are kept as they are.
    pub fn parse(name: &str) -> Unit {
        match name.trim().to_ascii_lowercase().as_str() {
            "user" | "users" | "seat" | "seats" => Unit::User,
            "device" | "devices" | "endpoint" | "endpoints" => Unit::Device,
            "tb" | "terabyte" | "terabytes" => Unit::Terabyte,
            _ => Unit::Other(name.trim().to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Unit::User => "user",
            Unit::Device => "device",
            Unit::Terabyte => "tb",
            Unit::Other(name) => name,
        }
    }
}

/// A product or service in the PSA catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    pub name: String,
    pub unit: Unit,
    /// Prices usage that has no billing line.
    pub list_price: Option<Money>,
    /// Which usage counts (defaults: the bench rules).
    pub counting: CountingRules,
}

impl Product {
    /// A product known only by its id (referenced by a billing line or a
    /// mapping but absent from the catalogue).
    pub fn bare(id: ProductId) -> Product {
        Product {
            name: id.as_str().to_string(),
            id,
            unit: Unit::Other(String::new()),
            list_price: None,
            counting: CountingRules::default(),
        }
    }
}
