//! The PSA-neutral adjustments file: one CSV row per line change, columns
//! fixed (see [`GENERIC_CSV_COLUMNS`]) so scripts can rely on them. A pure
//! table: totals belong to the summary.

use std::io::{self, Write};

use super::Adjustment;
use super::request_json::money_text;

/// The header row, in order. Quantities are plain decimals; `unit_price` as
/// the PSA has it; `monthly_effect` = `change * unit_price` with 2
/// decimals; `psa_quantity` is the PSA's own quantity field (ConnectWise
/// counts included units in it); `line_id` is empty for a line to add;
/// `finding_ids` are joined with spaces.
pub const GENERIC_CSV_COLUMNS: [&str; 18] = [
    "client_id",
    "client_name",
    "agreement_id",
    "agreement",
    "line_id",
    "product_id",
    "product_name",
    "current_quantity",
    "proposed_quantity",
    "psa_quantity",
    "change",
    "unit_price",
    "monthly_effect",
    "currency",
    "finding_ids",
    "kind",
    "reason",
    "effective_date",
];

/// Writes one row per adjustment, in the given order.
pub fn write_adjustments_csv(
    adjustments: &[Adjustment],
    currency: &str,
    out: impl Write,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    out.write_all(GENERIC_CSV_COLUMNS.join(",").as_bytes())?;
    out.write_all(b"\n")?;
    for adjustment in adjustments {
        let fields = [
            Field::Id(&adjustment.client_id),
            Field::Text(&adjustment.client_name),
            Field::Id(&adjustment.agreement_id),
            Field::Text(&adjustment.agreement),
            Field::Id(adjustment.line_id.as_deref().unwrap_or("")),
            Field::Id(&adjustment.product_id),
            Field::Text(&adjustment.product_name),
            Field::Number(adjustment.current_quantity.normalize().to_string()),
            Field::Number(adjustment.proposed_quantity.normalize().to_string()),
            Field::Number(adjustment.psa_quantity().normalize().to_string()),
            Field::Number(adjustment.change().normalize().to_string()),
            Field::Number(adjustment.unit_price.to_string()),
            Field::Number(money_text(adjustment.monthly_effect())),
            Field::Id(currency),
            Field::Id(&adjustment.finding_ids.join(" ")),
            Field::Id(&adjustment.kind),
            Field::Text(&adjustment.reason),
            Field::Id(&adjustment.effective_date),
        ];
        let mut row = Vec::with_capacity(256);
        for (index, field) in fields.iter().enumerate() {
            if index > 0 {
                row.push(b',');
            }
            field.push(&mut row);
        }
        row.push(b'\n');
        out.write_all(&row)?;
    }
    out.flush()
}

/// How a cell is written.
enum Field<'a> {
    /// An id or code: exactly as given (a consumer matches on it).
    Id(&'a str),
    /// Names and sentences from data: a leading `= + - @` (or tab, CR) is
    /// prefixed with `'` so a spreadsheet never runs it as a formula.
    Text(&'a str),
    Number(String),
}

impl Field<'_> {
    fn push(&self, row: &mut Vec<u8>) {
        match self {
            Field::Id(text) => push_quoted(row, text),
            Field::Number(text) => row.extend_from_slice(text.as_bytes()),
            Field::Text(text) => {
                if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    push_quoted(row, &format!("'{text}"));
                } else {
                    push_quoted(row, text);
                }
            }
        }
    }
}

/// A CSV field, quoted only when it must be (comma, quote, line break, or
/// spaces a reader would trim).
fn push_quoted(row: &mut Vec<u8>, text: &str) {
    let needs_quotes = text
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        || text.starts_with(' ')
        || text.ends_with(' ');
    if !needs_quotes {
        row.extend_from_slice(text.as_bytes());
        return;
    }
    row.push(b'"');
    row.extend_from_slice(text.replace('"', "\"\"").as_bytes());
    row.push(b'"');
}
