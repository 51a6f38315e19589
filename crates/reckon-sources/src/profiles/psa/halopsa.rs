//! HaloPSA recurring invoices: `GET /api/RecurringInvoice?includelines=true`
//! (records under `invoices`), one header per client with its `lines`.
//!
//! A line bills this period when its header is not `disabled`, the line is
//! not `isinactive`, not a group heading (`isgroupdesc`), has started by the
//! period's last day and has not ended before it. Each line says where its
//! quantity comes from (`quantity_source`): Halo syncs quantities from Pax8
//! subscriptions, Microsoft CSP licences, assets or users; a synced
//! quantity compared with the same vendor proves nothing. Excluded lines of
//! a header that is read are written as notes, and so is each line that
//! cannot be read (its id, column and problem): the other lines of its
//! header still bill. A header whose every line is unreadable is
//! unreadable.

use crate::convert::{BillingOut, ClientSeen, ProductSeen, Side};
use crate::input::Record;
use crate::profiles::{
    Context, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun, ProfileSpec, Step, date, flag,
    need, need_number, number, outcome, text,
};

use super::lines::read_lines;
use super::period::Period;

pub fn profile() -> Profile {
    let spec = ProfileSpec {
        name: "halopsa".to_string(),
        title: "HaloPSA recurring invoices with lines (REST API JSON)".to_string(),
        source: String::new(),
        side: Side::Billing,
        parts: vec![
            PartSpec::new(
                "recurring_invoices",
                PartRole::Main,
                "api/RecurringInvoice?includelines=true: headers and their lines",
            )
            .required(&[
                "id",
                "client_id",
                "lines",
                "is_recurring_invoice|nextcreationdate",
            ])
            .optional(&[
                "client_name",
                "disabled",
                "site_name",
                "reference",
                "lastcreated",
            ])
            .envelope("invoices"),
        ],
    };
    Profile::new(spec, |context: &Context| HaloRun {
        period: Period::of(context),
    })
}

struct HaloRun {
    period: Period,
}

/// Where a line's quantity comes from: the first synced list with entries.
fn quantity_source(line: &Record<'_>) -> &'static str {
    const SYNCED: [(&str, &str); 4] = [
        ("quantity_subscriptions", "synced:subscription"),
        ("quantity_licences", "synced:licence"),
        ("quantity_assets", "synced:assets"),
        ("quantity_users", "synced:users"),
    ];
    SYNCED
        .iter()
        .find(|(field, _)| !line.list(field).is_empty())
        .map_or("manual", |(_, source)| source)
}

/// The line's item: its id (0 means none), else its code.
fn item_reference<'a>(line: &Record<'a>) -> &'a str {
    match text(line, &["item_id", "_itemid"]) {
        "" | "0" => text(line, &["item_code"]),
        id => id,
    }
}

/// One line, read in full before anything of its header is emitted.
struct Line {
    id: String,
    product: Option<ProductSeen>,
    /// Why the line does not bill, else the line it bills.
    billed: Result<BillingOut, String>,
}

impl HaloRun {
    fn invoice(&self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        need(record, &["id"])?;
        let client_id = need(record, &["client_id"])?;
        let client_name = text(record, &["client_name"]);
        let reference = text(record, &["reference"]);
        let header_id = text(record, &["id"]);
        out.client(ClientSeen {
            source: "psa".to_string(),
            id: client_id.to_string(),
            name: client_name.to_string(),
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
                    self.line(line, client_id, client_name, (reference, header_id)),
                )
            })
            .collect();
        let disabled = flag(record, &["disabled"])?.unwrap_or(false);
        let recurring = flag(record, &["is_recurring_invoice"])?;
        // Bad lines are noted only for a header that bills.
        let bills = !disabled && recurring != Some(false);
        let lines = read_lines(results, out, bills)?;
        for product in lines.iter().filter_map(|line| line.product.clone()) {
            out.product(product);
        }
        if disabled {
            return Err(Outcome::Excluded("recurring invoice disabled".to_string()));
        }
        if !bills {
            return Err(Outcome::Excluded("not a recurring invoice".to_string()));
        }
        for line in lines {
            match line.billed {
                Ok(billing) => out.billing(billing),
                Err(reason) => out.note(&reason, &line.id),
            }
        }
        Ok(())
    }

    /// Reads one line whole: its product, and why it does not bill or what
    /// it bills.
    fn line(
        &self,
        line: &Record<'_>,
        client_id: &str,
        client_name: &str,
        (reference, header_id): (&str, &str),
    ) -> Step<Line> {
        let line_id = need(line, &["id"])?;
        let product_id = item_reference(line);
        let group = flag(line, &["isgroupdesc"])?.unwrap_or(false);
        let unit_price = match group {
            true => None,
            false => number(line, &["unit_price"])?,
        };
        let product_name = text(line, &["item_shortdescription"]);
        let product = (!product_id.is_empty() && !group).then(|| ProductSeen {
            source: "psa".to_string(),
            id: product_id.to_string(),
            name: product_name.to_string(),
            unit_price,
        });
        let billed = match self.line_excluded(line)? {
            Some(reason) => {
                let detail = format!("line {line_id} {}", text(line, &["item_code"]));
                return Ok(Line {
                    id: detail.trim_end().to_string(),
                    product,
                    billed: Err(reason),
                });
            }
            None => BillingOut {
                line_id: line_id.to_string(),
                client_id: client_id.to_string(),
                client_name: client_name.to_string(),
                product_id: product_id.to_string(),
                product_name: product_name.to_string(),
                quantity: need_number(line, &["qty_order"])?.normalize(),
                unit_price: unit_price.unwrap_or_default(),
                unit_cost: number(line, &["unit_cost"])?,
                description: match text(line, &["item_longdescription"]) {
                    "" => product_name.to_string(),
                    long => long.to_string(),
                },
                agreement: reference.to_string(),
                agreement_id: header_id.to_string(),
                included: None,
                quantity_source: quantity_source(line).to_string(),
            },
        };
        Ok(Line {
            id: line_id.to_string(),
            product,
            billed: Ok(billed),
        })
    }

    /// Why a line of an enabled recurring invoice does not bill, if so.
    fn line_excluded(&self, line: &Record<'_>) -> Step<Option<String>> {
        if flag(line, &["isgroupdesc"])?.unwrap_or(false) {
            return Ok(Some("group description line, not a product".to_string()));
        }
        if flag(line, &["isinactive"])?.unwrap_or(false) {
            return Ok(Some("line inactive".to_string()));
        }
        if let Some(start) = date(line, &["startdate"])?
            && start > self.period.end
        {
            return Ok(Some(format!("line not yet started: starts {start}")));
        }
        if let Some(end) = date(line, &["enddate"])?
            && end < self.period.end
        {
            return Ok(Some(format!("line ended {end}")));
        }
        Ok(None)
    }
}

impl ProfileRun for HaloRun {
    fn record(&mut self, _part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(self.invoice(record, out))
    }
}
