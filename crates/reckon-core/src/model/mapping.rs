use rust_decimal::Decimal;

use super::{ClientId, ProductId, Rounding, SourceId};

/// Ties a feed's client reference (tenant GUID, RMM organization id, ...) to
/// a PSA client, by the stable ids of both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMapping {
    pub source: SourceId,
    pub external_client_id: String,
    pub client_id: ClientId,
    /// For a reference shared by several PSA clients (one Microsoft tenant
    /// split across billing entities): only items whose id is at this
    /// domain (`user@northwind-freight.com`) go to this client. `None`: the
    /// reference's other items.
    pub domain: Option<String>,
}

/// Ties a feed's SKU to a PSA product. One SKU may feed several products and
/// one product may be fed by several SKUs and sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductMapping {
    pub source: SourceId,
    pub sku: String,
    pub product_id: ProductId,
    /// What one item of this SKU counts for (`SERVER_4TB` = 4 units).
    pub units: Decimal,
    /// How the mapping's total per client is rounded (per started TB).
    pub rounding: Rounding,
}
