//! ConnectWise Manage (PSA) REST requests for agreement additions, relative
//! to `/v4_6_release/apis/3.0`.
//!
//! - An existing addition: `PATCH /finance/agreements/{agreementId}/additions/{id}`
//!   with a JSON Patch body `[{"op":"replace","path":"/quantity","value":N}]`.
//!   `quantity` counts the included units (`lessIncluded`) too, so N is the
//!   proposed billed quantity plus the line's included quantity.
//! - A new addition: `POST /finance/agreements/{agreementId}/additions` with
//!   `product.identifier`, `quantity`, `unitPrice`, `billCustomer`
//!   ("Billable") and `effectiveDate`.
//!
//! Confirmed: the endpoint and the addition fields (shared/FORMATS.md, and
//! a public runbook that PATCHes `/quantity` on this path with this body
//! shape). The pointer is written `/quantity` (RFC 6902 form, as in that
//! runbook). An addition with no agreement id cannot be addressed: it is
//! listed under `incomplete`.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::Proposal;
use super::request_json::{Envelope, Incomplete, Note, Request, api_date, exact_number};

/// The PATCH and POST requests that would apply `proposal`, as one JSON
/// document, with reckon's note (findings, money effect) beside each body.
pub fn write_connectwise_requests(
    proposal: &Proposal,
    currency: &str,
    out: impl Write,
) -> io::Result<()> {
    let mut requests = Vec::new();
    let mut incomplete = Vec::new();
    for adjustment in &proposal.adjustments {
        if adjustment.agreement_id.is_empty() {
            incomplete.push(Incomplete {
                missing: "agreement id: choose the agreement the addition belongs to".to_string(),
                reckon: Note::of(adjustment),
            });
            continue;
        }
        // The CSV export has no addition ids: its line ids are made up
        // (agreement#sequence) and cannot be addressed in the API.
        if adjustment.line_id.is_some() && adjustment.profile == "connectwise_csv" {
            incomplete.push(Incomplete {
                missing: "addition id: the ConnectWise CSV export does not give it; change the \
                          line by hand or import the additions from the API"
                    .to_string(),
                reckon: Note::of(adjustment),
            });
            continue;
        }
        let additions = format!("/finance/agreements/{}/additions", adjustment.agreement_id);
        let request = match &adjustment.line_id {
            Some(line_id) => Request {
                method: "PATCH",
                path: format!("{additions}/{line_id}"),
                body: json!([{
                    "op": "replace",
                    "path": "/quantity",
                    "value": exact_number(adjustment.psa_quantity()),
                }]),
                reckon: vec![Note::of(adjustment)],
            },
            None => Request {
                method: "POST",
                path: additions,
                body: json!({
                    "product": { "identifier": adjustment.product_id },
                    "quantity": exact_number(adjustment.psa_quantity()),
                    "unitPrice": exact_number(adjustment.unit_price),
                    "billCustomer": "Billable",
                    "effectiveDate": Value::String(api_date(&adjustment.effective_date)),
                }),
                reckon: vec![Note::of(adjustment)],
            },
        };
        requests.push(request);
    }
    Envelope {
        psa: "connectwise",
        api_base: "/v4_6_release/apis/3.0",
    }
    .write(proposal, currency, requests, incomplete, out)
}
