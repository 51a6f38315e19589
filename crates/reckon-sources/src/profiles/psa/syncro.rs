//! SyncroMSP invoice schedules (recurring invoices): `GET /api/v1/schedules`
//! (records under `schedules`, the lines in `lines`) with `GET
//! /api/v1/customers` (under `customers`) for the client names.
//!
//! A line bills this period when its schedule is not `paused`, the line is
//! not a `one_time_charge`, and the schedule invoices in the period:
//! Monthly schedules once every period; Quarterly and longer ones only when
//! their last run (`next_run` less one interval) or next run falls in the
//! period. Daily, Weekly and Biweekly schedules invoice several times a
//! period: the runs whose dates fall in the period are counted from
//! `next_run` stepping by the interval both ways, and each line's quantity
//! is multiplied by that count (noted); without `next_run` their run dates
//! cannot be known and the schedule is unreadable. Schedules have no
//! per-line dates. A line without a product is a free-text line: its
//! product id is `name:` and its name. Excluded lines of a schedule that is
//! read are written as notes, and so is each line that cannot be read (the
//! other lines still bill; a schedule with no readable line is unreadable).

use hashbrown::HashMap;
use jiff::Span;
use jiff::civil::Date;

use crate::convert::{BillingOut, ClientSeen, ProductSeen, Side};
use crate::input::Record;
use crate::profiles::{
    Context, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun, ProfileSpec, Step, date, flag,
    need, need_number, number, outcome, text,
};
use rust_decimal::Decimal;

use super::lines::read_lines;
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

/// How often a schedule invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cadence {
    /// Once every period (Monthly).
    EveryPeriod,
    /// Every so many days (Daily, Weekly, Biweekly): several runs a period.
    Days(i32),
    /// Every so many months (Quarterly and longer).
    Months(i64),
}

fn cadence(frequency: &str) -> Result<Cadence, String> {
    Ok(
        match frequency
            .to_ascii_lowercase()
            .replace(['-', ' ', '_'], "")
            .as_str()
        {
            "daily" => Cadence::Days(1),
            "weekly" => Cadence::Days(7),
            "biweekly" => Cadence::Days(14),
            "monthly" => Cadence::EveryPeriod,
            "quarterly" => Cadence::Months(3),
            "semiannually" => Cadence::Months(6),
            "annually" | "yearly" => Cadence::Months(12),
            "biennially" => Cadence::Months(24),
            "triennially" => Cadence::Months(36),
            _ => return Err(format!("unknown frequency \"{frequency}\"")),
        },
    )
}

/// How many runs every `step` days, one of them on `run`, fall in the
/// period.
fn runs_in(period: Period, run: Date, step: i32) -> Result<i32, String> {
    let offset = period
        .start
        .until(run)
        .map_err(|error| error.to_string())?
        .get_days();
    let length = period
        .start
        .until(period.end)
        .map_err(|error| error.to_string())?
        .get_days();
    let first = offset.rem_euclid(step);
    if first > length {
        return Ok(0);
    }
    Ok((length - first) / step + 1)
}

/// What a schedule invoices this period.
enum Runs {
    /// Nothing, and why.
    None(String),
    /// This many times: each line's quantity is multiplied by it.
    Times(i32),
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

    /// How many times the schedule invoices this period.
    fn runs(&self, record: &Record<'_>) -> Step<Runs> {
        if flag(record, &["paused"])?.unwrap_or(false) {
            return Ok(Runs::None("schedule paused".to_string()));
        }
        let frequency = need(record, &["frequency"])?;
        let every =
            cadence(frequency).map_err(|problem| Outcome::unreadable("frequency", problem))?;
        let months = match every {
            Cadence::EveryPeriod => return Ok(Runs::Times(1)),
            Cadence::Days(step) => {
                let next_run = date(record, &["next_run"])?.ok_or_else(|| {
                    Outcome::unreadable(
                        "next_run",
                        format!(
                            "is empty: a {} schedule runs several times a period and its run \
                             dates cannot be known without it",
                            frequency.to_ascii_lowercase()
                        ),
                    )
                })?;
                let runs = runs_in(self.period, next_run, step)
                    .map_err(|problem| Outcome::unreadable("next_run", problem))?;
                return Ok(match runs {
                    0 => Runs::None(format!(
                        "{} schedule not invoiced this period (next run {next_run})",
                        frequency.to_ascii_lowercase()
                    )),
                    runs => Runs::Times(runs),
                });
            }
            Cadence::Months(months) => months,
        };
        let next_run: Date = date(record, &["next_run"])?
            .ok_or_else(|| Outcome::unreadable("next_run", "is empty"))?;
        let last_run = next_run
            .checked_sub(Span::new().months(months))
            .map_err(|error| Outcome::unreadable("next_run", error.to_string()))?;
        if self.period.contains(last_run) || self.period.contains(next_run) {
            return Ok(Runs::Times(1));
        }
        Ok(Runs::None(format!(
            "{} schedule not invoiced this period (last run {last_run}, next {next_run})",
            frequency.to_ascii_lowercase()
        )))
    }

    fn schedule(&self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let schedule_id = need(record, &["id"])?;
        let client_id = need(record, &["customer_id"])?;
        let client_name = self.customers.get(client_id).cloned().unwrap_or_default();
        let agreement = text(record, &["name"]);
        out.client(ClientSeen {
            source: "psa".to_string(),
            id: client_id.to_string(),
            name: client_name.clone(),
            ..ClientSeen::default()
        });
        let results: Vec<(String, Step<Line>)> = record
            .list("lines")
            .iter()
            .enumerate()
            .map(|(index, line)| {
                let id = match text(line, &["id"]) {
                    "" => format!("#{}", index + 1),
                    id => id.to_string(),
                };
                (
                    id,
                    read_line(line, client_id, &client_name, (agreement, schedule_id)),
                )
            })
            .collect();
        let runs = match self.runs(record) {
            Ok(runs) => runs,
            Err(outcome) => {
                // The products are known even when the schedule is not.
                for product in results.iter().filter_map(|(_, line)| line.as_ref().ok()) {
                    out.product(product.product.clone());
                }
                return Err(outcome);
            }
        };
        let lines = read_lines(results, out, matches!(runs, Runs::Times(_)))?;
        for line in &lines {
            out.product(line.product.clone());
        }
        let times = match runs {
            Runs::None(reason) => return Err(Outcome::Excluded(reason)),
            Runs::Times(times) => Decimal::from(times),
        };
        if times > Decimal::ONE {
            out.note(
                "schedule runs several times a period",
                &format!(
                    "schedule {schedule_id}: {times} runs from {} to {}; line quantities \
                     multiplied by {times}",
                    self.period.start, self.period.end
                ),
            );
        }
        for line in lines {
            let Some(mut billing) = line.billing else {
                out.note("one-time charge", &format!("line {}", line.id));
                continue;
            };
            billing.quantity = billing.quantity.checked_mul(times).ok_or_else(|| {
                Outcome::unreadable(
                    "quantity",
                    format!(
                        "line {}: {} x {times} runs overflows",
                        line.id, billing.quantity
                    ),
                )
            })?;
            billing.quantity = billing.quantity.normalize();
            out.billing(billing);
        }
        Ok(())
    }
}

/// One schedule line, read whole before anything is emitted.
struct Line {
    id: String,
    product: ProductSeen,
    /// The line it bills per run; `None` for a one-time charge.
    billing: Option<BillingOut>,
}

fn read_line(
    line: &Record<'_>,
    client_id: &str,
    client_name: &str,
    (agreement, agreement_id): (&str, &str),
) -> Step<Line> {
    let line_id = need(line, &["id"])?;
    let name = text(line, &["name"]);
    let retail = number(line, &["price_retail"])?;
    let product = ProductSeen {
        source: "psa".to_string(),
        id: product_id(line),
        name: name.to_string(),
        unit_price: retail,
    };
    if flag(line, &["one_time_charge"])?.unwrap_or(false) {
        return Ok(Line {
            id: line_id.to_string(),
            product,
            billing: None,
        });
    }
    let unit_price = match retail {
        Some(price) => price,
        None => number(line, &["retail_cents"])?.unwrap_or_default() / Decimal::ONE_HUNDRED,
    };
    let unit_cost = match number(line, &["price_cost"])? {
        Some(cost) => Some(cost),
        None => number(line, &["cost_cents"])?.map(|cents| cents / Decimal::ONE_HUNDRED),
    };
    let billing = BillingOut {
        line_id: line_id.to_string(),
        client_id: client_id.to_string(),
        client_name: client_name.to_string(),
        product_id: product_id(line),
        product_name: name.to_string(),
        quantity: need_number(line, &["quantity"])?,
        unit_price,
        unit_cost,
        description: match text(line, &["description"]) {
            "" => name.to_string(),
            description => description.to_string(),
        },
        agreement: agreement.to_string(),
        agreement_id: agreement_id.to_string(),
        included: None,
        quantity_source: String::new(),
    };
    Ok(Line {
        id: line_id.to_string(),
        product,
        billing: Some(billing),
    })
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
