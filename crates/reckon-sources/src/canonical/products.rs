use std::io::Read;

use reckon_core::model::{Client, CountingRules, Product, Unit};
use reckon_core::{CatalogBuilder, Money};

use crate::error::SourceError;
use crate::fields::parse_decimal;
use crate::table::Table;

/// Reads `products.csv` (`product_id,product_name,item_type,list_price`)
/// into the builder. `list_price` may be empty (usage of that product with
/// no billing line is then valued at zero, with a diagnostic).
pub fn read_products(
    reader: impl Read,
    file: &str,
    builder: &mut CatalogBuilder,
) -> Result<usize, SourceError> {
    let mut table = Table::open(
        reader,
        file,
        &["product_id", "product_name"],
        &["item_type", "list_price"],
    )?;
    let mut rows = Vec::new();
    while table.advance()? {
        let price = table.text(3)?;
        let list_price = if price.is_empty() {
            None
        } else {
            Some(Money::new(parse_decimal(price).ok_or_else(|| {
                table.error(
                    3,
                    format!("expected an amount such as 12.50, found \"{price}\""),
                )
            })?))
        };
        let product = Product {
            id: table.required(0)?.into(),
            name: table.text(1)?.to_string(),
            unit: Unit::parse(table.text(2)?),
            list_price,
            counting: CountingRules::default(),
        };
        builder.add_product(product).map_err(|conflict| {
            table.conflict(
                "product_id",
                format!("{} (row {})", conflict.detail, rows[conflict.previous]),
            )
        })?;
        rows.push(table.row());
    }
    Ok(rows.len())
}

/// Reads the optional `clients.csv` (`client_id,client_name`): the PSA's
/// client list, so clients with no billing line keep their names.
pub fn read_clients(
    reader: impl Read,
    file: &str,
    builder: &mut CatalogBuilder,
) -> Result<usize, SourceError> {
    let mut table = Table::open(reader, file, &["client_id", "client_name"], &[])?;
    let mut count = 0;
    while table.advance()? {
        builder.add_client(Client {
            id: table.required(0)?.into(),
            name: table.text(1)?.to_string(),
        });
        count += 1;
    }
    Ok(count)
}
