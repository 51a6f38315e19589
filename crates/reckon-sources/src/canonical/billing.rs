use std::io::Read;

use hashbrown::HashMap;
use reckon_core::Money;
use std::sync::Arc;

use reckon_core::model::{BillingLine, ClientId, LineId, ProductId};

use crate::error::{SourceError, SourceErrorKind};
use crate::fields::parse_decimal;
use crate::table::Table;

const LINE_ID: usize = 0;
const CLIENT_ID: usize = 1;
const CLIENT_NAME: usize = 2;
const PRODUCT_ID: usize = 3;
const QUANTITY: usize = 4;
const UNIT_PRICE: usize = 5;

/// Reads `billing.csv`: one PSA line per row. Line ids must be unique.
pub fn read_billing(reader: impl Read, file: &str) -> Result<Vec<BillingLine>, SourceError> {
    let mut table = Table::open(
        reader,
        file,
        &[
            "line_id",
            "client_id",
            "client_name",
            "product_id",
            "quantity",
            "unit_price",
        ],
        &[],
    )?;
    let mut lines: Vec<BillingLine> = Vec::new();
    let mut seen: HashMap<LineId, u64> = HashMap::new();
    // Lines of one client and product share their ids and names.
    let mut clients: HashMap<Box<str>, (ClientId, Arc<str>)> = HashMap::new();
    let mut products: HashMap<Box<str>, ProductId> = HashMap::new();
    while table.advance()? {
        let line_id = LineId::from(table.required(LINE_ID)?);
        if let Some(first) = seen.insert(line_id.clone(), table.row()) {
            return Err(SourceError::new(
                table.file(),
                SourceErrorKind::Conflict,
                format!("line id {line_id} is used twice (first on row {first})"),
            )
            .at_row(table.row())
            .at_column("line_id"));
        }
        let quantity = table.required(QUANTITY)?;
        let quantity = parse_decimal(quantity).ok_or_else(|| {
            table.error(QUANTITY, format!("expected a number, found \"{quantity}\""))
        })?;
        let price = table.required(UNIT_PRICE)?;
        let unit_price = parse_decimal(price).ok_or_else(|| {
            table.error(
                UNIT_PRICE,
                format!("expected an amount such as 12.50, found \"{price}\""),
            )
        })?;
        let client = table.required(CLIENT_ID)?;
        let name = table.text(CLIENT_NAME)?;
        let (client_id, client_name) = match clients.get(client) {
            Some((id, known)) if **known == *name => (id.clone(), known.clone()),
            _ => {
                let shared = (ClientId::from(client), Arc::<str>::from(name));
                clients.insert(client.into(), shared.clone());
                shared
            }
        };
        let product = table.required(PRODUCT_ID)?;
        let product_id = match products.get(product) {
            Some(id) => id.clone(),
            None => {
                let id = ProductId::from(product);
                products.insert(product.into(), id.clone());
                id
            }
        };
        lines.push(BillingLine {
            line_id,
            client_id,
            client_name,
            product_id,
            quantity,
            unit_price: Money::new(unit_price),
        });
    }
    Ok(lines)
}
