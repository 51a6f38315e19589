//! reckon's canonical CSV set (`shared/bench/README.md`): `billing.csv`,
//! `usage.csv`, `client_map.csv`, `product_map.csv`, `products.csv`, and an
//! optional `clients.csv`. Every importer of a real export produces records
//! of these shapes.

mod billing;
pub mod mapping_file;
mod mappings;
mod products;
pub mod references;
mod usage;

pub use billing::read_billing;
pub use mappings::{read_client_map, read_product_map};
pub use products::{read_clients, read_products};
pub use usage::{
    ChunkRead, UsageColumns, count_rows, read_usage, read_usage_chunk, read_usage_records,
    usage_header,
};

pub const BILLING: &str = "billing.csv";
pub const USAGE: &str = "usage.csv";
pub const CLIENT_MAP: &str = "client_map.csv";
pub const PRODUCT_MAP: &str = "product_map.csv";
pub const PRODUCTS: &str = "products.csv";
pub const CLIENTS: &str = "clients.csv";
/// Mappings and billing rules in one reviewable file.
pub const MAPPING_FILE: &str = "mapping.toml";
/// Client suggestions a person turned down, remembered so they are not
/// proposed again.
pub const CLIENT_MAP_REJECTED: &str = "client_map_rejected.csv";
pub const PRODUCT_MAP_REJECTED: &str = "product_map_rejected.csv";
/// What `reckon convert` writes for mapping: every reference it saw.
pub const CLIENTS_SEEN: &str = "clients_seen.csv";
pub const PRODUCTS_SEEN: &str = "products_seen.csv";
