//! SyncroMSP invoice schedules (recurring invoices): `GET /api/v1/schedules`
//! (records under `schedules`, the lines in `lines`) with `GET
//! /api/v1/customers` (under `customers`) for the client names.
//!
//! A line bills this period when its schedule is not `paused`, the line is
//! not a `one_time_charge`, and the schedule invoices in the period:
//! Monthly and shorter schedules always; longer ones only when their last
//! run (`next_run` less one interval) falls in the period. Schedules have
//! no per-line dates. A line without a product is a free-text line: its
//! product id is `name:` and its name. Excluded lines of a schedule that is
//! read are written as notes.

use hashbrown::HashMap;
use jiff::Span;
use jiff::civil::Date;

use crate::convert::{BillingOut, ClientSeen, ProductSeen, Side};
use crate::input::Record;
use crate::profiles::{
    Context, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun, ProfileSpec, Step, date, flag,
    need, need_number, number, outcome, text,
};

use super::period::Period;

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: "syncro".to_string(),
        title: "SyncroMSP invoice schedules (REST API JSON)".to_string(),
        source: String::new(),
        side: Side::Billing,
        parts: vec![
            PartSpec::new("customers", PartRole::Reference, "customers: client names")
                .required(&["id", "business_name", "fullname|business_then_name"])
                .optional(&["firstname", "lastname", "email", "disabled"])
                .envelope("customers"),
            PartSpec::new(
                "schedules",
                PartRole::Main,
                "schedules: recurring invoices and their lines",
            )
            .required(&["id", "customer_id", "frequency", "lines"])
            .optional(&[
                "name",
                "next_run",
                "paused",
                "subtotal",
                "invoice_unbilled_ticket_charges",
            ])
            .envelope("schedules"),
        ],
    };
    Profile::new(spec, |context: &Context| SyncroRun {
        period: Period::of(context),
        customers: HashMap::new(),
    })
}

struct SyncroRun {
    period: Period,
    customers: HashMap<String, String>,
}

/// How often a schedule invoices: `None` for Monthly and shorter (every
/// period), else the interval between runs.
fn interval(frequency: &str) -> Result<Option<Span>, String> {
    let months = match frequency
        .to_ascii_lowercase()
        .replace(['-', ' ', '_'], "")
        .as_str()
    {
        "daily" | "weekly" | "biweekly" | "monthly" => return Ok(None),
        "quarterly" => 3,
        "semiannually" => 6,
        "annually" | "yearly" => 12,
        "biennially" => 24,
        "triennially" => 36,
        _ => return Err(format!("unknown frequency \"{frequency}\"")),
    };
    Ok(Some(Span::new().months(months)))
}

/// A residential customer has no business name: its full name, else
/// first and last name.
fn customer_name(record: &Record<'_>) -> String {
    match text(record, &["business_name", "fullname"]) {
        "" => format!(
            "{} {}",
            text(record, &["firstname"]),
            text(record, &["lastname"])
        )
        .trim()
        .to_string(),
        name => name.to_string(),
    }
}

impl SyncroRun {
    fn customer(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["id"])?;
        let name = customer_name(record);
        out.client(ClientSeen {
            source: "psa".to_string(),
            id: id.to_string(),
            name: name.clone(),
            ..ClientSeen::default()
        });
        self.customers.insert(id.to_string(), name);
        Ok(())
    }

    /// Why a schedule invoices nothing this period, if it does not.
    fn schedule_excluded(&self, record: &Record<'_>) -> Step<Option<String>> {
        if flag(record, &["paused"])?.unwrap_or(false) {
            return Ok(Some("schedule paused".to_string()));
        }
        let frequency = need(record, &["frequency"])?;
        let every =
            interval(frequency).map_err(|problem| Outcome::unreadable("frequency", problem))?;
        let Some(every) = every else {
            return Ok(None);
        };
        let next_run: Date = date(record, &["next_run"])?
            .ok_or_else(|| Outcome::unreadable("next_run", "is empty"))?;
        let last_run = next_run
            .checked_sub(every)
            .map_err(|error| Outcome::unreadable("next_run", error.to_string()))?;
        if self.period.contains(last_run) || self.period.contains(next_run) {
            return Ok(None);
        }
        Ok(Some(format!(
            "{} schedule not invoiced this period (last run {last_run}, next {next_run})",
            frequency.to_ascii_lowercase()
        )))
    }

    fn schedule(&self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        need(record, &["id"])?;
        let client_id = need(record, &["customer_id"])?;
        let client_name = self.customers.get(client_id).cloned().unwrap_or_default();
        let agreement = text(record, &["name"]);
        out.client(ClientSeen {
            source: "psa".to_string(),
            id: client_id.to_string(),
            name: client_name.clone(),
            ..ClientSeen::default()
        });
        let lines = record.list("lines");
        for line in &lines {
            out.product(ProductSeen {
                source: "psa".to_string(),
                id: product_id(line),
                name: text(line, &["name"]).to_string(),
                unit_price: number(line, &["price_retail"])?,
            });
        }
        if let Some(reason) = self.schedule_excluded(record)? {
            return Err(Outcome::Excluded(reason));
        }
        for line in &lines {
            let line_id = need(line, &["id"])?;
            if flag(line, &["one_time_charge"])?.unwrap_or(false) {
                out.note("one-time charge", &format!("line {line_id}"));
                continue;
            }
            let unit_price = match number(line, &["price_retail"])? {
                Some(price) => price,
                None => {
                    number(line, &["retail_cents"])?.unwrap_or_default()
                        / rust_decimal::Decimal::ONE_HUNDRED
                }
            };
            let unit_cost = match number(line, &["price_cost"])? {
                Some(cost) => Some(cost),
                None => number(line, &["cost_cents"])?
                    .map(|cents| cents / rust_decimal::Decimal::ONE_HUNDRED),
            };
            let name = text(line, &["name"]);
            out.billing(BillingOut {
                line_id: line_id.to_string(),
                client_id: client_id.to_string(),
                client_name: client_name.clone(),
                product_id: product_id(line),
                product_name: name.to_string(),
                quantity: need_number(line, &["quantity"])?.normalize(),
                unit_price,
                unit_cost,
                description: match text(line, &["description"]) {
                    "" => name.to_string(),
                    description => description.to_string(),
                },
                agreement: agreement.to_string(),
                quantity_source: String::new(),
            });
        }
        Ok(())
    }
}

/// The line's product, or `name:` and its name for a free-text line.
fn product_id(line: &Record<'_>) -> String {
    match text(line, &["product_id"]) {
        "" => format!("name:{}", text(line, &["name"])),
        id => id.to_string(),
    }
}

impl ProfileRun for SyncroRun {
    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "customers" => self.customer(record, out),
            _ => self.schedule(record, out),
        })
    }
}
