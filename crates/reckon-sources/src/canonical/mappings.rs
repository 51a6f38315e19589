use std::io::Read;

use reckon_core::CatalogBuilder;
use reckon_core::model::{ClientId, ClientMapping, ProductMapping, Rounding, SourceId};

use crate::error::SourceError;
use crate::fields::parse_decimal;
use crate::table::Table;

/// Reads `client_map.csv` (`source,external_client_id,client_id`) into the
/// builder. A reference mapped to two clients is an error naming both rows.
/// Returns the number of distinct mappings read.
pub fn read_client_map(
    reader: impl Read,
    file: &str,
    builder: &mut CatalogBuilder,
) -> Result<usize, SourceError> {
    let mut table = Table::open(
        reader,
        file,
        &["source", "external_client_id", "client_id"],
        &["domain"],
    )?;
    let mut rows = Vec::new();
    // Rows name a few sources, and a client's rows come together: share
    // those ids among rows instead of allocating them for each.
    let mut sources: Vec<SourceId> = Vec::new();
    let mut last_client: Option<ClientId> = None;
    while table.advance()? {
        let source = table.required(0)?;
        let source = match sources.iter().find(|s| s.as_str() == source) {
            Some(known) => known.clone(),
            None => {
                sources.push(source.into());
                sources[sources.len() - 1].clone()
            }
        };
        let external_client_id = table.required(1)?.to_string();
        let client = table.required(2)?;
        let client_id = match &last_client {
            Some(known) if known.as_str() == client => known.clone(),
            _ => last_client.insert(client.into()).clone(),
        };
        let domain = table.text(3)?;
        let mapping = ClientMapping {
            source,
            external_client_id,
            client_id,
            domain: (!domain.is_empty()).then(|| domain.trim_start_matches('@').to_string()),
        };
        // The builder skips exact repeats and numbers only new mappings, so
        // `rows` keeps the row of each new one.
        let new = builder.map_client(mapping).map_err(|conflict| {
            table.conflict(
                "client_id",
                format!("{} (row {})", conflict.detail, rows[conflict.previous]),
            )
        })?;
        if new {
            rows.push(table.row());
        }
    }
    Ok(rows.len())
}

/// The largest units factor a mapping may have: far above any real one
/// (a SKU worth a million units), low enough that no sum overflows.
pub const MAX_UNITS: rust_decimal::Decimal =
    rust_decimal::Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// Reads `product_map.csv` (`source,sku,product_id,units`) into the builder.
/// The same SKU and product with two different units is an error.
pub fn read_product_map(
    reader: impl Read,
    file: &str,
    builder: &mut CatalogBuilder,
) -> Result<usize, SourceError> {
    let mut table = Table::open(
        reader,
        file,
        &["source", "sku", "product_id", "units"],
        &["rounding"],
    )?;
    let mut rows = Vec::new();
    while table.advance()? {
        let units_text = table.text(3)?;
        let units = if units_text.is_empty() {
            rust_decimal::Decimal::ONE
        } else {
            parse_decimal(units_text)
                .filter(|u| u.is_sign_positive() && !u.is_zero() && *u <= MAX_UNITS)
                .ok_or_else(|| {
                    table.error(
                        3,
                        format!("expected a positive number up to 1000000, found \"{units_text}\""),
                    )
                })?
        };
        let rounding_text = table.text(4)?;
        let rounding = Rounding::parse(rounding_text).ok_or_else(|| {
            table.error(
                4,
                format!("expected none, up, down or nearest, found \"{rounding_text}\""),
            )
        })?;
        let mapping = ProductMapping {
            source: table.required(0)?.into(),
            sku: table.required(1)?.to_string(),
            product_id: table.required(2)?.into(),
            units,
            rounding,
        };
        let new = builder.map_product(mapping).map_err(|conflict| {
            table.conflict(
                "units",
                format!("{} (row {})", conflict.detail, rows[conflict.previous]),
            )
        })?;
        if new {
            rows.push(table.row());
        }
    }
    Ok(rows.len())
}
