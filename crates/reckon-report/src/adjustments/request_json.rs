//! What the three PSA request documents share: the envelope, reckon's note
//! beside each request body, and exact JSON numbers.
//!
//! Numbers: the workspace turns on serde_json's `arbitrary_precision`, so a
//! `Number` made from a decimal's text keeps every digit (no float on the
//! way); `exact_number` falls back to a string if that ever fails.

use std::io::{self, Write};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Number, Value};

use super::{Adjustment, Proposal};
pub(super) use crate::model::money_text;

/// A decimal as an exact JSON number, without trailing zeros.
pub(super) fn exact_number(value: Decimal) -> Value {
    let text = value.normalize().to_string();
    match Number::from_str(&text) {
        Ok(number) => Value::Number(number),
        Err(_) => Value::String(text),
    }
}

/// Money as an exact JSON number with two decimals (`88.00`).
pub(super) fn money_number(value: Decimal) -> Value {
    let text = money_text(value);
    match Number::from_str(&text) {
        Ok(number) => Value::Number(number),
        Err(_) => Value::String(text),
    }
}

/// A PSA id: a JSON integer when it is one (the APIs number their
/// records), else the text as given.
pub(super) fn id_value(id: &str) -> Value {
    match id.parse::<u64>() {
        Ok(number) if !id.starts_with('0') || id == "0" => Value::Number(number.into()),
        _ => Value::String(id.to_string()),
    }
}

/// The effective date as the APIs take a date-time: a plain `YYYY-MM-DD`
/// becomes midnight UTC; anything else is passed on as given.
pub(super) fn api_date(effective_date: &str) -> String {
    match jiff::civil::Date::from_str(effective_date) {
        Ok(date) => format!("{date}T00:00:00Z"),
        Err(_) => effective_date.to_string(),
    }
}

/// reckon's note beside (never inside) a request body: what the change is
/// for, so a reviewer can check it before making the request.
#[derive(Debug, Serialize)]
pub(super) struct Note {
    finding_ids: Vec<String>,
    kind: String,
    client_id: String,
    client_name: String,
    product_id: String,
    product_name: String,
    line_id: Option<String>,
    current_quantity: Value,
    proposed_quantity: Value,
    unit_price: Value,
    monthly_effect: Value,
    reason: String,
}

impl Note {
    pub(super) fn of(adjustment: &Adjustment) -> Note {
        Note {
            finding_ids: adjustment.finding_ids.clone(),
            kind: adjustment.kind.clone(),
            client_id: adjustment.client_id.clone(),
            client_name: adjustment.client_name.clone(),
            product_id: adjustment.product_id.clone(),
            product_name: adjustment.product_name.clone(),
            line_id: adjustment.line_id.clone(),
            current_quantity: exact_number(adjustment.current_quantity),
            proposed_quantity: exact_number(adjustment.proposed_quantity),
            unit_price: exact_number(adjustment.unit_price),
            monthly_effect: money_number(adjustment.monthly_effect()),
            reason: adjustment.reason.clone(),
        }
    }
}

/// One API request to make by hand or by script.
#[derive(Debug, Serialize)]
pub(super) struct Request {
    pub method: &'static str,
    /// Relative to the API base.
    pub path: String,
    pub body: Value,
    pub reckon: Vec<Note>,
}

/// An adjustment no request can be made for yet, and what is missing.
#[derive(Debug, Serialize)]
pub(super) struct Incomplete {
    pub missing: String,
    pub reckon: Note,
}

#[derive(Debug, Serialize)]
struct SkippedFinding<'a> {
    finding_id: &'a str,
    kind: &'a str,
    client_id: &'a str,
    client_name: &'a str,
    reason: &'a str,
}

#[derive(Debug, Serialize)]
struct Document<'a> {
    psa: &'a str,
    api_base: &'a str,
    note: &'a str,
    currency: &'a str,
    /// The sum of every proposed change, requests and incomplete alike.
    monthly_effect: Value,
    requests: Vec<Request>,
    incomplete: Vec<Incomplete>,
    skipped_findings: Vec<SkippedFinding<'a>>,
}

/// The envelope every PSA document shares, as pretty JSON.
pub(super) struct Envelope<'a> {
    pub psa: &'a str,
    pub api_base: &'a str,
}

impl Envelope<'_> {
    pub(super) fn write(
        &self,
        proposal: &Proposal,
        currency: &str,
        requests: Vec<Request>,
        incomplete: Vec<Incomplete>,
        mut out: impl Write,
    ) -> io::Result<()> {
        let document = Document {
            psa: self.psa,
            api_base: self.api_base,
            note: "Proposed by reckon and not sent: review each request before making it.",
            currency,
            monthly_effect: money_number(proposal.monthly_effect()),
            requests,
            incomplete,
            skipped_findings: proposal
                .skipped
                .iter()
                .map(|s| SkippedFinding {
                    finding_id: &s.finding_id,
                    kind: &s.kind,
                    client_id: &s.client_id,
                    client_name: &s.client_name,
                    reason: &s.reason,
                })
                .collect(),
        };
        serde_json::to_writer_pretty(&mut out, &document)?;
        out.write_all(b"\n")?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_every_digit() {
        let value = exact_number(Decimal::from_str("0.1000000000000000000000000001").unwrap());
        assert_eq!(value.to_string(), "0.1000000000000000000000000001");
        assert_eq!(
            exact_number(Decimal::from_str("38.00").unwrap()).to_string(),
            "38"
        );
        assert_eq!(
            money_number(Decimal::from_str("-45").unwrap()).to_string(),
            "-45.00"
        );
        assert_eq!(money_text(Decimal::from_str("0.125").unwrap()), "0.13");
    }

    #[test]
    fn ids_are_numbers_only_when_they_are() {
        assert_eq!(id_value("48224"), Value::from(48224u64));
        assert_eq!(id_value("007"), Value::from("007"));
        assert_eq!(id_value("A-1"), Value::from("A-1"));
    }

    #[test]
    fn a_plain_date_becomes_midnight_utc() {
        assert_eq!(api_date("2026-11-01"), "2026-11-01T00:00:00Z");
        assert_eq!(api_date("2026-11-01T08:00:00Z"), "2026-11-01T08:00:00Z");
    }
}
