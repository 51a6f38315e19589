//! Datto SaaS Protection (Backupify) through the Datto partner REST API:
//! `GET /v1/saas/domains` (one object per protected customer) and, per
//! customer, `GET /v1/saas/{saasCustomerId}/seats` saved as
//! `seats_<saasCustomerId>.json`.
//!
//! Each seat is one item (`<productType>:<seatType>`, by `mainId`). Datto
//! bills seats that are Active, Paused **or** Archived (DOMAIN.md), so all
//! three are `active`; Unprotected seats are `unprotected`. The seat state
//! stays visible in `sku_name` ("... User (Archived)"), so retention-only
//! seats (leavers) can be shown per client while mapping uses the `sku`,
//! which does not change with the state. A seat Datto marks not billable
//! (`billable = 0`) in a billing state is `not_billable`.
//!
//! A seats payload does not name its customer: the customer is the one
//! whose `saasCustomerId` its file is named after (`seats_1048211.json`).
//! `seatsUsed` checks the seats read: a customer whose billing seats
//! differ from it gets a note.

use std::collections::BTreeMap;

use super::shared::source_name;
use crate::convert::{ClientSeen, Measured, ProductSeen, Side, UsageOut};
use crate::input::Record;
use crate::profiles::id_in_file_name;
use crate::profiles::{
    ACTIVE, Context, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun, ProfileSpec, Step,
    flag, need, number, outcome, text,
};

const SOURCE: &str = "datto_saas";

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: SOURCE.to_string(),
        title: "Datto SaaS Protection customers and seats (partner REST API)".to_string(),
        source: SOURCE.to_string(),
        side: Side::Usage,
        parts: vec![
            PartSpec::new(
                "domains",
                PartRole::Reference,
                "v1/saas/domains: customer names, product type and seats used",
            )
            .required(&[
                "saasCustomerId",
                "saasCustomerName",
                "productType",
                "seatsUsed",
            ])
            .optional(&[
                "organizationId",
                "organizationName",
                "domain",
                "retentionType",
            ])
            .needed(),
            PartSpec::new(
                "seats",
                PartRole::Main,
                "v1/saas/{saasCustomerId}/seats: the seats",
            )
            .required(&["mainId", "seatType", "seatState"])
            .optional(&["name", "billable", "dateAdded"]),
        ],
    };
    Profile::new(spec, |context: &Context| SaasRun {
        source: source_name(context, SOURCE),
        customers: BTreeMap::new(),
        current: Err(String::new()),
    })
}

#[derive(Debug, Clone, Default)]
struct Customer {
    name: String,
    product_type: String,
    domain: String,
    seats_used: Option<rust_decimal::Decimal>,
    /// Seats read in a billing state (Active, Paused, Archived).
    billing_seats: u64,
    seats_read: u64,
}

struct SaasRun {
    source: String,
    /// By `saasCustomerId`.
    customers: BTreeMap<String, Customer>,
    /// The customer of the seats file being read, or the file's name when
    /// it names none.
    current: Result<String, String>,
}

/// What a seat state means for billing: the status and the label kept in
/// the SKU name.
fn seat_status(state: &str) -> (String, &'static str) {
    match state.to_ascii_lowercase().as_str() {
        "active" => (ACTIVE.to_string(), ""),
        "paused" => (ACTIVE.to_string(), " (Paused)"),
        "archived" => (ACTIVE.to_string(), " (Archived)"),
        other => (other.replace(' ', "_"), ""),
    }
}

impl SaasRun {
    fn domain(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["saasCustomerId"])?;
        let name = text(record, &["saasCustomerName", "organizationName"]);
        let domain = text(record, &["domain"]);
        out.client(ClientSeen {
            source: self.source.clone(),
            id: id.to_string(),
            name: name.to_string(),
            domain: domain.to_string(),
            ..ClientSeen::default()
        });
        self.customers.insert(
            id.to_string(),
            Customer {
                name: name.to_string(),
                product_type: text(record, &["productType"]).to_string(),
                domain: domain.to_string(),
                seats_used: number(record, &["seatsUsed"])?,
                ..Customer::default()
            },
        );
        Ok(())
    }

    fn seat(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let client_ref = match &self.current {
            Ok(id) => id.clone(),
            Err(file) => {
                return Err(Outcome::unreadable(
                    "saasCustomerId",
                    format!(
                        "{file} does not name a customer of the domains file: save each customer's seats as seats_<saasCustomerId>.json"
                    ),
                ));
            }
        };
        let customer = self
            .customers
            .get_mut(&client_ref)
            .ok_or_else(|| Outcome::unreadable("saasCustomerId", "unknown customer"))?;
        let main_id = need(record, &["mainId"])?;
        let seat_type = need(record, &["seatType"])?;
        let state = need(record, &["seatState"])?;
        let billable = flag(record, &["billable"])?;
        // Only a seat read in full counts: one that is unreadable must not
        // also make seatsUsed look wrong.
        customer.seats_read = customer.seats_read.saturating_add(1);
        let (mut status, state_label) = seat_status(state);
        if status == ACTIVE {
            if billable == Some(false) {
                status = "not_billable".to_string();
            } else {
                customer.billing_seats = customer.billing_seats.saturating_add(1);
            }
        }
        let product = &customer.product_type;
        let sku = format!("{product}:{seat_type}");
        let base_name = format!("Datto SaaS Protection {product} {seat_type}");
        out.product(ProductSeen {
            source: self.source.clone(),
            id: sku.clone(),
            name: base_name.clone(),
            unit_price: None,
        });
        out.usage(UsageOut {
            source: self.source.clone(),
            client_ref: client_ref.clone(),
            client_name: customer.name.clone(),
            sku,
            sku_name: format!("{base_name}{state_label}"),
            measured: Measured::Item(main_id.to_string()),
            status,
            ..UsageOut::default()
        });
        Ok(())
    }
}

impl ProfileRun for SaasRun {
    fn start_file(&mut self, part: &str, file_name: &str, _out: &mut dyn Emit) {
        if part == "seats" {
            self.current = id_in_file_name(file_name, self.customers.keys().map(String::as_str))
                .map(str::to_string)
                .ok_or_else(|| file_name.to_string());
        }
    }

    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "domains" => self.domain(record, out),
            _ => self.seat(record, out),
        })
    }

    fn finish(&mut self, out: &mut dyn Emit) {
        for (id, customer) in &self.customers {
            let Some(seats_used) = customer.seats_used else {
                continue;
            };
            if customer.seats_read > 0
                && seats_used != rust_decimal::Decimal::from(customer.billing_seats)
            {
                out.note(
                    "seatsUsed differs from the seats read",
                    &format!(
                        "{} ({id}, {}): seatsUsed {seats_used}, billing seats read {}; \
                         check that its seats file is the one named after it",
                        customer.name, customer.domain, customer.billing_seats
                    ),
                );
            }
        }
    }
}
