use std::io::Read;

use reckon_core::Money;
use reckon_core::model::BillingLine;

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
    let mut lines = Vec::new();
    let mut seen = std::collections::HashMap::new();
    while table.advance()? {
        let line_id = table.required(LINE_ID)?;
        if let Some(first) = seen.insert(line_id.to_string(), table.row()) {
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
        lines.push(BillingLine {
            line_id: line_id.into(),
            client_id: table.required(CLIENT_ID)?.into(),
            client_name: table.text(CLIENT_NAME)?.to_string(),
            product_id: table.required(PRODUCT_ID)?.into(),
            quantity,
            unit_price: Money::new(unit_price),
        });
    }
    Ok(lines)
}
