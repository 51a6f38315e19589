use rust_decimal::Decimal;

use super::{ClientId, ProductId, SourceId};

/// Ties a feed's client reference (tenant GUID, RMM organization id, ...) to
/// a PSA client, by the stable ids of both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMapping {
    pub source: SourceId,
    pub external_client_id: String,
    pub client_id: ClientId,
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
}
