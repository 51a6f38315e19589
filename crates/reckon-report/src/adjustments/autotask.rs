//! Autotask PSA REST requests, relative to `/ATServicesRest/V1.0`.
//!
//! Autotask changes the units of a recurring service with a
//! ContractServiceAdjustment (create only: it cannot be edited or deleted,
//! only reversed by another), effective from a date:
//! - an existing contract service (the billing line; the contract is its
//!   agreement, the service its product): `POST /ContractServiceAdjustments`
//!   with `contractID`, `contractServiceID`, `serviceID`, `effectiveDate`
//!   and `unitChange` (proposed minus current units);
//! - a new service: `POST /Contracts/{contractID}/Services` with
//!   `contractID`, `serviceID`, `unitPrice`, then its units with an
//!   adjustment naming `contractID` and `serviceID` (the contract service id
//!   is only known once it exists), `unitChange` and `adjustedUnitPrice`.
//!
//! Confirmed in public Autotask REST clients (code search): the entity and
//! path names, and the adjustment fields `contractID`, `contractServiceID`,
//! `serviceID`, `effectiveDate`, `unitChange`, `adjustedUnitPrice`, and the
//! ContractServices fields `contractID`, `serviceID`, `unitPrice`. Autotask
//! types `unitChange` as an integer: a fractional change is written exactly
//! and Autotask will refuse it, which is the right outcome for a reviewer
//! to see. A line with no contract id is listed under `incomplete`.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::request_json::{Envelope, Incomplete, Note, Request, api_date, exact_number, id_value};
use super::{Adjustment, Proposal};

/// The ContractServiceAdjustments (and ContractServices for new services)
/// that would apply `proposal`, with reckon's note beside each body.
pub fn write_autotask_requests(
    proposal: &Proposal,
    currency: &str,
    out: impl Write,
) -> io::Result<()> {
    let mut requests = Vec::new();
    let mut incomplete = Vec::new();
    for adjustment in &proposal.adjustments {
        if adjustment.agreement_id.is_empty() {
            incomplete.push(Incomplete {
                missing: "contract id: choose the contract the service belongs to".to_string(),
                reckon: Note::of(adjustment),
            });
            continue;
        }
        requests.extend(requests_for(adjustment));
    }
    Envelope {
        psa: "autotask",
        api_base: "/ATServicesRest/V1.0",
    }
    .write(proposal, currency, requests, incomplete, out)
}

fn requests_for(adjustment: &Adjustment) -> Vec<Request> {
    let contract = id_value(&adjustment.agreement_id);
    let service = id_value(&adjustment.product_id);
    let effective = Value::String(api_date(&adjustment.effective_date));
    match &adjustment.line_id {
        Some(line_id) => vec![Request {
            method: "POST",
            path: "/ContractServiceAdjustments".to_string(),
            body: json!({
                "contractID": contract,
                "contractServiceID": id_value(line_id),
                "serviceID": service,
                "effectiveDate": effective,
                "unitChange": exact_number(adjustment.change()),
            }),
            reckon: vec![Note::of(adjustment)],
        }],
        None => vec![
            Request {
                method: "POST",
                path: format!("/Contracts/{}/Services", adjustment.agreement_id),
                body: json!({
                    "contractID": contract,
                    "serviceID": service,
                    "unitPrice": exact_number(adjustment.unit_price),
                }),
                reckon: vec![Note::of(adjustment)],
            },
            Request {
                method: "POST",
                path: "/ContractServiceAdjustments".to_string(),
                body: json!({
                    "contractID": contract,
                    "serviceID": service,
                    "effectiveDate": effective,
                    "unitChange": exact_number(adjustment.change()),
                    "adjustedUnitPrice": exact_number(adjustment.unit_price),
                }),
                reckon: vec![Note::of(adjustment)],
            },
        ],
    }
}
