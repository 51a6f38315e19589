use rust_decimal::Decimal;

use super::{ClientId, LineId, ProductId};
use crate::Money;

/// One line the PSA bills this period (already filtered to what counts as
/// billed: billable, effective, less included quantities).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingLine {
    pub line_id: LineId,
    pub client_id: ClientId,
    /// The client's name on the PSA line (shared by the client's lines).
    pub client_name: std::sync::Arc<str>,
    pub product_id: ProductId,
    pub quantity: Decimal,
    pub unit_price: Money,
}
