//! HaloPSA requests: one `POST /api/RecurringInvoice` per recurring
//! invoice (the line's agreement id is its header id), whose body is a JSON
//! array holding the header `id` and its changed `lines`: an existing line
//! by its `id` with `qty_order` and `unit_price`; a new line without `id`,
//! with `ihid` (the header), its item and `qty_order`, `unit_price`.
//!
//! Confirmed: Halo updates a record by POSTing an array of objects that
//! carry their `id` to the entity's endpoint (a public HaloPSA PowerShell
//! module's `Set-HaloRecurringInvoice`), and the line fields `id`, `ihid`,
//! `item_code`, `item_shortdescription`, `qty_order`, `unit_price` (a
//! generated Halo SDK; see the halopsa fixture's NOTES.md). Assumed, as in
//! the profile: `item_id` on a line (written when the product id is a
//! number, else `item_code`). Not confirmed: whether Halo keeps the lines a
//! body leaves out (try it on a test recurring invoice first), and a line
//! whose quantity Halo syncs (Pax8, CSP licences) takes its synced quantity
//! back at the next sync. A line with no header id is listed under
//! `incomplete`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Map, Value};

use super::request_json::{Envelope, Incomplete, Note, Request, exact_number, id_value};
use super::{Adjustment, Proposal};

/// The recurring-invoice updates that would apply `proposal`, one request
/// per header, with reckon's notes (one per line) beside each body.
pub fn write_halopsa_requests(
    proposal: &Proposal,
    currency: &str,
    out: impl Write,
) -> io::Result<()> {
    let mut incomplete = Vec::new();
    // By header id, in the proposal's order within each header.
    let mut headers: BTreeMap<&str, Vec<&Adjustment>> = BTreeMap::new();
    for adjustment in &proposal.adjustments {
        if adjustment.agreement_id.is_empty() {
            incomplete.push(Incomplete {
                missing: "recurring invoice id: choose the client's recurring invoice".to_string(),
                reckon: Note::of(adjustment),
            });
            continue;
        }
        headers
            .entry(adjustment.agreement_id.as_str())
            .or_default()
            .push(adjustment);
    }
    let requests = headers
        .into_iter()
        .map(|(header_id, adjustments)| {
            let lines: Vec<Value> = adjustments.iter().map(|a| line(header_id, a)).collect();
            let mut header = Map::new();
            header.insert("id".to_string(), id_value(header_id));
            header.insert("lines".to_string(), Value::Array(lines));
            Request {
                method: "POST",
                path: "/api/RecurringInvoice".to_string(),
                body: Value::Array(vec![Value::Object(header)]),
                reckon: adjustments.iter().map(|a| Note::of(a)).collect(),
            }
        })
        .collect();
    Envelope {
        psa: "halopsa",
        api_base: "/api",
    }
    .write(proposal, currency, requests, incomplete, out)
}

fn line(header_id: &str, adjustment: &Adjustment) -> Value {
    let mut line = Map::new();
    match &adjustment.line_id {
        Some(line_id) => {
            line.insert("id".to_string(), id_value(line_id));
        }
        None => {
            line.insert("ihid".to_string(), id_value(header_id));
            let item = &adjustment.product_id;
            match item.parse::<u64>() {
                Ok(item_id) => line.insert("item_id".to_string(), Value::from(item_id)),
                Err(_) => line.insert("item_code".to_string(), Value::from(item.as_str())),
            };
            if !adjustment.product_name.is_empty() {
                line.insert(
                    "item_shortdescription".to_string(),
                    Value::from(adjustment.product_name.as_str()),
                );
            }
        }
    }
    line.insert(
        "qty_order".to_string(),
        exact_number(adjustment.psa_quantity()),
    );
    // Only a new line gets a price: an existing line keeps the one the
    // PSA has (a quantity change must never reprice it).
    if adjustment.line_id.is_none() {
        line.insert(
            "unit_price".to_string(),
            exact_number(adjustment.unit_price),
        );
    }
    Value::Object(line)
}
