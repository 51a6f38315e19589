//! Rules that turn usage into what should be billed, per product and per
//! client. Every rule has the default `shared/DOMAIN.md` gives, so a data
//! set with no rules reconciles exactly as the bench rules say.

use rust_decimal::{Decimal, RoundingStrategy};

use super::{ProductId, SourceId};

/// How a mapping's total for a (client, product) is rounded: storage billed
/// per started terabyte rounds up; "per 10 users" with units 0.1 too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Rounding {
    #[default]
    None,
    Up,
    Down,
    Nearest,
}

impl Rounding {
    /// Reads `none`, `up`, `down`, `nearest` (any case; empty is `none`).
    pub fn parse(text: &str) -> Option<Rounding> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "none" => Some(Rounding::None),
            "up" | "ceil" | "ceiling" => Some(Rounding::Up),
            "down" | "floor" => Some(Rounding::Down),
            "nearest" | "round" => Some(Rounding::Nearest),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rounding::None => "none",
            Rounding::Up => "up",
            Rounding::Down => "down",
            Rounding::Nearest => "nearest",
        }
    }

    /// To a whole number (unchanged for `None`).
    pub fn apply(self, quantity: Decimal) -> Decimal {
        match self {
            Rounding::None => quantity,
            Rounding::Up => {
                quantity.round_dp_with_strategy(0, RoundingStrategy::ToPositiveInfinity)
            }
            Rounding::Down => {
                quantity.round_dp_with_strategy(0, RoundingStrategy::ToNegativeInfinity)
            }
            Rounding::Nearest => {
                quantity.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            }
        }
    }
}

/// Which usage of a product counts. The defaults are the bench rules: only
/// `active` items, the run's stale window, every device class, no named
/// exceptions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountingRules {
    /// Statuses that count, lowercase. Empty means `active` only.
    pub counted_statuses: Vec<String>,
    /// Items not seen for longer are stale; `None`: the run's setting.
    pub stale_days: Option<u32>,
    /// Only items of these device classes count (`workstation`, `server`,
    /// ...); empty: any. An item whose feed gives no class is counted, since
    /// nothing says it is of another class.
    pub device_classes: Vec<String>,
    /// Item ids never counted (a service account, the MSP's own laptop),
    /// compared as item keys (trimmed, lowercase).
    pub excluded_items: Vec<String>,
}

impl CountingRules {
    pub fn is_default(&self) -> bool {
        *self == CountingRules::default()
    }

    /// Whether an item with this status counts.
    pub fn counts_status(&self, status: &str) -> bool {
        if self.counted_statuses.is_empty() {
            status.eq_ignore_ascii_case("active")
        } else {
            self.counted_statuses
                .iter()
                .any(|counted| counted.eq_ignore_ascii_case(status))
        }
    }

    /// One line saying which rules are not the defaults, for explanations.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.counted_statuses.is_empty() {
            parts.push("active only".to_string());
        } else {
            parts.push(format!("statuses {}", self.counted_statuses.join(", ")));
        }
        if let Some(days) = self.stale_days {
            parts.push(format!("stale after {days} days"));
        }
        if !self.device_classes.is_empty() {
            parts.push(format!("device classes {}", self.device_classes.join(", ")));
        }
        if !self.excluded_items.is_empty() {
            parts.push(match self.excluded_items.len() {
                1 => "1 named exception".to_string(),
                count => format!("{count} named exceptions"),
            });
        }
        parts.join("; ")
    }
}

/// What one client's agreement changes about billing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientRules {
    /// Per product, a quantity included in a flat fee: the PSA should bill
    /// only what is in use beyond it ("first 10 users included").
    pub included: Vec<(ProductId, Decimal)>,
    /// Per product, the least the agreement bills ("at least 5 seats").
    pub minimum: Vec<(ProductId, Decimal)>,
    /// Overrides the stale window of every product for this client.
    pub stale_days: Option<u32>,
    /// (source, SKU) the client buys directly: kept as evidence, never
    /// counted in billing checks.
    pub client_owned: Vec<(SourceId, String)>,
    /// The MSP itself: its usage is kept as evidence but never billed.
    pub internal: bool,
    /// Per product, counting rules that replace the product's for this
    /// client (a client whose contract counts paused seats too).
    pub counting: Vec<(ProductId, CountingRules)>,
}

impl ClientRules {
    pub fn is_default(&self) -> bool {
        *self == ClientRules::default()
    }

    pub fn included_of(&self, product: &ProductId) -> Decimal {
        self.included
            .iter()
            .find(|(id, _)| id == product)
            .map_or(Decimal::ZERO, |(_, quantity)| *quantity)
    }

    pub fn minimum_of(&self, product: &ProductId) -> Decimal {
        self.minimum
            .iter()
            .find(|(id, _)| id == product)
            .map_or(Decimal::ZERO, |(_, quantity)| *quantity)
    }

    /// This client's counting rules for a product, when it overrides them.
    pub fn counting_for(&self, product: &ProductId) -> Option<&CountingRules> {
        self.counting
            .iter()
            .find(|(id, _)| id == product)
            .map(|(_, rules)| rules)
    }

    pub fn owns(&self, source: &str, sku: &str) -> bool {
        self.client_owned
            .iter()
            .any(|(owned_source, owned_sku)| owned_source.as_str() == source && owned_sku == sku)
    }

    /// What should be billed for `in_use` items of `product`: beyond the
    /// included quantity, and never below the minimum.
    pub fn billable(&self, product: &ProductId, in_use: Decimal) -> Decimal {
        let beyond = (in_use - self.included_of(product)).max(Decimal::ZERO);
        beyond.max(self.minimum_of(product))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding() {
        let q = |text: &str| text.parse::<Decimal>().unwrap();
        assert_eq!(Rounding::Up.apply(q("2.1")), q("3"));
        assert_eq!(Rounding::Up.apply(q("2")), q("2"));
        assert_eq!(Rounding::Down.apply(q("2.9")), q("2"));
        assert_eq!(Rounding::Nearest.apply(q("2.5")), q("3"));
        assert_eq!(Rounding::None.apply(q("2.5")), q("2.5"));
        assert_eq!(Rounding::parse("UP"), Some(Rounding::Up));
        assert_eq!(Rounding::parse("sideways"), None);
    }

    #[test]
    fn included_and_minimum_quantities() {
        let product = ProductId::from("M365-BP");
        let rules = ClientRules {
            included: vec![(product.clone(), Decimal::from(10))],
            minimum: vec![(product.clone(), Decimal::from(5))],
            ..ClientRules::default()
        };
        assert_eq!(
            rules.billable(&product, Decimal::from(42)),
            Decimal::from(32)
        );
        assert_eq!(
            rules.billable(&product, Decimal::from(12)),
            Decimal::from(5)
        );
        assert_eq!(rules.billable(&product, Decimal::from(3)), Decimal::from(5));
        let other = ProductId::from("MS-WKS");
        assert_eq!(rules.billable(&other, Decimal::from(7)), Decimal::from(7));
    }
}
