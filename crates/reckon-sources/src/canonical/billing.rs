use std::io::Read;

use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::{DefaultHashBuilder, HashMap, HashTable};
use reckon_core::Money;
use rust_decimal::Decimal;

use reckon_core::model::{BillingLine, ClientId, LineId, ProductId};

use crate::error::SourceError;
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
    let mut lines: Vec<BillingLine> = Vec::with_capacity(table.rows_hint());
    // Line ids seen, as (index into `lines`, row), found by the id's hash:
    // the ids are stored once, in the lines.
    let hasher = DefaultHashBuilder::default();
    let mut seen: HashTable<(u32, u64)> = HashTable::with_capacity(lines.capacity());
    // Lines of one client and product share their ids and names, and a
    // client's lines mostly come together.
    let mut clients: HashMap<Box<str>, (ClientId, Arc<str>)> = HashMap::new();
    let mut last_client: Option<(ClientId, Arc<str>)> = None;
    let mut products: HashMap<Box<str>, ProductId> = HashMap::new();
    while table.advance()? {
        let line_id = table.required(LINE_ID)?;
        let hash = hasher.hash_one(line_id);
        let id_at = |i: u32| lines[i as usize].line_id.as_str();
        if let Some(&(_, first)) = seen.find(hash, |&(i, _)| id_at(i) == line_id) {
            return Err(table.conflict(
                "line_id",
                format!("line id {line_id} is used twice (first on row {first})"),
            ));
        }
        let line_id = LineId::from(line_id);
        let quantity = table.required(QUANTITY)?;
        let quantity = parse_amount(quantity).ok_or_else(|| {
            table.error(QUANTITY, format!("expected a number, found \"{quantity}\""))
        })?;
        let price = table.required(UNIT_PRICE)?;
        let unit_price = parse_amount(price).ok_or_else(|| {
            table.error(
                UNIT_PRICE,
                format!("expected an amount such as 12.50, found \"{price}\""),
            )
        })?;
        let client = table.required(CLIENT_ID)?;
        let name = table.text(CLIENT_NAME)?;
        let (client_id, client_name) = match &last_client {
            Some((id, known)) if id.as_str() == client && **known == *name => {
                (id.clone(), known.clone())
            }
            _ => {
                let shared = match clients.get(client) {
                    Some((id, known)) if **known == *name => (id.clone(), known.clone()),
                    _ => {
                        let shared = (ClientId::from(client), Arc::<str>::from(name));
                        clients.insert(client.into(), shared.clone());
                        shared
                    }
                };
                last_client = Some(shared.clone());
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
        let index = lines.len() as u32;
        seen.insert_unique(hash, (index, table.row()), |&(i, _)| {
            hasher.hash_one(lines[i as usize].line_id.as_str())
        });
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

/// A quantity or amount. Plain ones (`11`, `5.70`, `-3.5`) are read
/// directly, to the same value and scale the general parser gives; anything
/// else goes to it.
fn parse_amount(text: &str) -> Option<Decimal> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    let (mut mantissa, mut count, mut scale) = (0i64, 0, None);
    for &byte in digits {
        match byte {
            // 18 digits always fit.
            b'0'..=b'9' if count < 18 => {
                mantissa = mantissa * 10 + i64::from(byte - b'0');
                count += 1;
                scale = scale.map(|s| s + 1);
            }
            b'.' if scale.is_none() && count > 0 => scale = Some(0),
            _ => return parse_decimal(text),
        }
    }
    // `1.` and `-0` keep whatever the parser makes of them.
    if count == 0 || scale == Some(0) || (negative && mantissa == 0) {
        return parse_decimal(text);
    }
    Some(Decimal::new(
        if negative { -mantissa } else { mantissa },
        scale.unwrap_or(0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_amounts_read_as_the_general_parser_reads_them() {
        for text in [
            "0",
            "11",
            "5.70",
            "-3.5",
            "007",
            "0.000",
            "-0",
            "-0.00",
            "1.",
            ".5",
            "+5",
            "1e3",
            "123456789012345678",
            "1234567890123456789",
            "12.3456789012345678",
            "1_000",
            "",
            "-",
            "1.2.3",
            " 4",
            "9.99",
        ] {
            let expected = parse_decimal(text);
            let actual = parse_amount(text);
            assert_eq!(actual, expected, "{text:?}");
            if let (Some(a), Some(e)) = (actual, expected) {
                assert_eq!(
                    (a.scale(), a.is_sign_negative()),
                    (e.scale(), e.is_sign_negative()),
                    "{text:?}"
                );
            }
        }
    }
}
