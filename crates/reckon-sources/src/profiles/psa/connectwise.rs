//! ConnectWise Manage (ConnectWise PSA) agreement additions: the REST API
//! payloads (`finance/agreements/{id}/additions` with the agreements and
//! companies they belong to) and the additions CSV export.
//!
//! Billed this period: `billCustomer` is `Billable` (`DoNotBill` and
//! `NoCharge` are deliberate and shown, never revenue), the addition is
//! effective by the period's last day and not cancelled by then, and its
//! agreement is live over the period (not cancelled, started, not ended).
//! The agreement's dates and `cancelledFlag` decide; its `agreementStatus`
//! string decides only when the agreement has no start date (and in the CSV
//! export, which carries no agreement dates). A status that contradicts
//! live dates is noted.
//!
//! The quantity billed is `quantity - lessIncluded` when `lessIncluded` is
//! given (a `billedQuantity` that disagrees is noted), else
//! `billedQuantity`, else `quantity` (noted: no included quantity given).

use hashbrown::HashMap;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::period::Period;
use crate::convert::{BillingOut, ClientSeen, ProductSeen, Side};
use crate::input::Record;
use crate::profiles::{
    Context, Emit, Outcome, PartRole, PartSpec, Profile, ProfileRun, ProfileSpec, Step, date, need,
    need_number, number, outcome, text,
};

pub fn api_profile() -> Profile {
    let spec = ProfileSpec {
        name: "connectwise".to_string(),
        title: "ConnectWise Manage agreement additions (REST API JSON)".to_string(),
        source: String::new(),
        side: Side::Billing,
        parts: vec![
            PartSpec::new(
                "companies",
                PartRole::Reference,
                "company/companies: client names",
            )
            .required(&["id", "identifier", "name"])
            .optional(&["status.name", "website", "types"]),
            PartSpec::new(
                "agreements",
                PartRole::Reference,
                "finance/agreements: each agreement's company, dates and status",
            )
            .required(&[
                "id",
                "company.id",
                "startDate",
                "agreementStatus|cancelledFlag",
            ])
            .optional(&[
                "noEndingDateFlag",
                "endDate",
                "billingCycle.name",
                "type.name",
                "name",
            ])
            .needed(),
            PartSpec::new(
                "additions",
                PartRole::Main,
                "finance/agreements/{id}/additions: the billed lines",
            )
            .required(&[
                "agreementId",
                "product.identifier",
                "quantity",
                "billCustomer",
            ])
            .optional(&[
                "lessIncluded",
                "billedQuantity",
                "unitPrice",
                "unitCost",
                "effectiveDate",
                "cancelledDate",
                "description",
                "invoiceDescription",
            ]),
        ],
    };
    Profile::new(spec, |context: &Context| ApiRun {
        period: Period::of(context),
        companies: HashMap::new(),
        agreements: HashMap::new(),
    })
}

pub fn csv_profile() -> Profile {
    let spec = ProfileSpec {
        name: "connectwise_csv".to_string(),
        title: "ConnectWise Manage agreement additions (CSV export)".to_string(),
        source: String::new(),
        side: Side::Billing,
        parts: vec![
            PartSpec::new(
                "additions",
                PartRole::Main,
                "the agreement additions export",
            )
            .required(&[
                "Company Name|Company",
                "Agreement Name|Agreement",
                "Product ID",
                "Quantity",
                "Bill Customer|Bill",
            ])
            .optional(&[
                "Less Included",
                "Billed Quantity",
                "Unit Price|Price",
                "Unit Cost|Cost",
                "Effective Date|Effective",
                "Cancelled Date|Cancelled",
                "Agreement Status",
                "Sequence",
                "Description",
            ]),
        ],
    };
    Profile::new(spec, |context: &Context| CsvRun {
        period: Period::of(context),
        lines_seen: HashMap::new(),
    })
}

/// What the additions need to know of their agreement.
#[derive(Debug, Clone)]
struct Agreement {
    name: String,
    company_id: String,
    company_name: String,
    /// Why the agreement bills nothing this period, if it does not.
    not_billing: Option<String>,
}

struct ApiRun {
    period: Period,
    companies: HashMap<String, String>,
    agreements: HashMap<String, Agreement>,
}

/// Whether an agreement bills in the period, by its flags and dates. The
/// status string decides only for an agreement without a start date (the
/// CSV export has no agreement dates at all): dates decide, not statuses.
fn agreement_excluded(
    status: &str,
    cancelled: bool,
    start: Option<Date>,
    end: Option<Date>,
    open_ended: bool,
    period: Period,
) -> Option<String> {
    if cancelled {
        return Some("agreement cancelled".to_string());
    }
    if let Some(start) = start
        && start > period.end
    {
        return Some(format!("agreement starts {start}, after the period"));
    }
    if !open_ended
        && let Some(end) = end
        && end < period.end
    {
        return Some(format!("agreement ended {end}"));
    }
    if start.is_none() && status_not_billing(status) {
        return Some(format!("agreement {}", status.to_ascii_lowercase()));
    }
    None
}

/// Whether an `agreementStatus` string says the agreement bills nothing.
fn status_not_billing(status: &str) -> bool {
    matches!(
        status.to_ascii_lowercase().as_str(),
        "cancelled" | "expired" | "inactive"
    )
}

/// The addition's own rules: billable, effective, not cancelled.
fn addition_excluded(
    bill_customer: &str,
    effective: Option<Date>,
    cancelled: Option<Date>,
    period: Period,
) -> Option<String> {
    if !bill_customer.eq_ignore_ascii_case("billable") {
        return Some(format!("not billable: {bill_customer}"));
    }
    if let Some(effective) = effective
        && effective > period.end
    {
        return Some(format!("not yet effective: starts {effective}"));
    }
    if let Some(cancelled) = cancelled
        && cancelled <= period.end
    {
        return Some(format!("cancelled {cancelled}"));
    }
    None
}

/// How an export names the quantity columns, for notes and complaints.
struct QuantityColumns {
    quantity: &'static str,
    less_included: &'static str,
    billed_quantity: &'static str,
}

const API_COLUMNS: QuantityColumns = QuantityColumns {
    quantity: "quantity",
    less_included: "lessIncluded",
    billed_quantity: "billedQuantity",
};

const CSV_COLUMNS: QuantityColumns = QuantityColumns {
    quantity: "Quantity",
    less_included: "Less Included",
    billed_quantity: "Billed Quantity",
};

/// What the line bills: `quantity - lessIncluded` when the included
/// quantity is given (a disagreeing `billedQuantity` is noted), else
/// `billedQuantity`, else `quantity` (noted). Never below zero.
fn billed_quantity(
    line: &str,
    quantity: Decimal,
    less_included: Option<Decimal>,
    billed: Option<Decimal>,
    columns: &QuantityColumns,
    out: &mut dyn Emit,
) -> Step<Decimal> {
    let QuantityColumns {
        quantity: q_col,
        less_included: less_col,
        billed_quantity: billed_col,
    } = columns;
    let Some(less) = less_included else {
        if let Some(billed) = billed {
            return Ok(billed.max(Decimal::ZERO).normalize());
        }
        out.note(
            "no included quantity given",
            &format!("line {line}: neither {less_col} nor {billed_col}; {q_col} {quantity} billed"),
        );
        return Ok(quantity.max(Decimal::ZERO).normalize());
    };
    let net = quantity.checked_sub(less).ok_or_else(|| {
        Outcome::unreadable(
            less_col,
            format!("{q_col} {quantity} - {less_col} {less} overflows"),
        )
    })?;
    if let Some(billed) = billed
        && billed != net
    {
        out.note(
            "billed quantity disagrees with quantity less included",
            &format!(
                "line {line}: {q_col} {quantity} - {less_col} {less} = {net}, \
                 {billed_col} {billed}; {net} kept"
            ),
        );
    }
    if net < Decimal::ZERO {
        out.note(
            "more included than the quantity",
            &format!("line {line}: {q_col} {quantity}, {less_col} {less}; 0 billed"),
        );
        return Ok(Decimal::ZERO);
    }
    Ok(net.normalize())
}

impl ApiRun {
    fn company(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["id"])?;
        let name = text(record, &["name"]);
        self.companies.insert(id.to_string(), name.to_string());
        out.client(ClientSeen {
            source: "psa".to_string(),
            id: id.to_string(),
            name: name.to_string(),
            domain: text(record, &["website"]).to_string(),
            ..ClientSeen::default()
        });
        Ok(())
    }

    fn agreement(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let id = need(record, &["id"])?;
        let company_id = need(record, &["company.id"])?;
        let company_name = text(record, &["company.name"]);
        let cancelled = crate::profiles::flag(record, &["cancelledFlag"])?.unwrap_or(false);
        let open_ended = crate::profiles::flag(record, &["noEndingDateFlag"])?.unwrap_or(false);
        let status = text(record, &["agreementStatus"]);
        let start = date(record, &["startDate"])?;
        let not_billing = agreement_excluded(
            status,
            cancelled,
            start,
            date(record, &["endDate"])?,
            open_ended,
            self.period,
        );
        if not_billing.is_none() && start.is_some() && status_not_billing(status) {
            out.note(
                "agreement status contradicts its dates",
                &format!(
                    "agreement {id} is {status} but live by its dates and cancelledFlag: \
                     its additions bill"
                ),
            );
        }
        self.agreements.insert(
            id.to_string(),
            Agreement {
                name: text(record, &["name"]).to_string(),
                company_id: company_id.to_string(),
                company_name: company_name.to_string(),
                not_billing,
            },
        );
        Ok(())
    }

    fn addition(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let line_id = need(record, &["id"])?;
        let agreement_id = need(record, &["agreementId"])?;
        let agreement = self.agreements.get(agreement_id).ok_or_else(|| {
            Outcome::unreadable(
                "agreementId",
                format!("agreement {agreement_id} is not in the agreements file"),
            )
        })?;
        let product_id = need(record, &["product.identifier"])?;
        let quantity = need_number(record, &["quantity"])?;
        let less_included = number(record, &["lessIncluded"])?;
        let billed = number(record, &["billedQuantity"])?;
        let unit_price = number(record, &["unitPrice"])?.unwrap_or_default();
        let unit_cost = number(record, &["unitCost"])?;
        let product_name = text(record, &["description", "invoiceDescription"]);
        let client_name = self
            .companies
            .get(&agreement.company_id)
            .filter(|name| !name.is_empty())
            .cloned()
            .unwrap_or_else(|| agreement.company_name.clone());
        out.product(ProductSeen {
            source: "psa".to_string(),
            id: product_id.to_string(),
            name: product_name.to_string(),
            unit_price: Some(unit_price),
        });
        out.client(ClientSeen {
            source: "psa".to_string(),
            id: agreement.company_id.clone(),
            name: client_name.clone(),
            ..ClientSeen::default()
        });
        if let Some(reason) = &agreement.not_billing {
            return Err(Outcome::Excluded(reason.clone()));
        }
        if let Some(reason) = addition_excluded(
            text(record, &["billCustomer"]),
            date(record, &["effectiveDate"])?,
            date(record, &["cancelledDate"])?,
            self.period,
        ) {
            return Err(Outcome::Excluded(reason));
        }
        // What the PSA includes free: `lessIncluded`, else what
        // `billedQuantity` leaves out of `quantity`.
        let included = less_included.or_else(|| {
            billed.and_then(|billed| quantity.checked_sub(billed).filter(|d| *d >= Decimal::ZERO))
        });
        let quantity =
            billed_quantity(line_id, quantity, less_included, billed, &API_COLUMNS, out)?;
        out.billing(BillingOut {
            line_id: line_id.to_string(),
            client_id: agreement.company_id.clone(),
            client_name,
            product_id: product_id.to_string(),
            product_name: product_name.to_string(),
            quantity,
            unit_price,
            unit_cost,
            description: text(record, &["invoiceDescription"]).to_string(),
            agreement: agreement.name.clone(),
            agreement_id: agreement_id.to_string(),
            included,
            quantity_source: String::new(),
        });
        Ok(())
    }
}

impl ProfileRun for ApiRun {
    fn record(&mut self, part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(match part {
            "companies" => self.company(record, out),
            "agreements" => self.agreement(record, out),
            _ => self.addition(record, out),
        })
    }
}

/// The CSV export names companies, not their ids: the company name is the
/// client reference, to be mapped once to the PSA company.
struct CsvRun {
    period: Period,
    /// Line ids made from agreement and sequence, to keep them unique.
    lines_seen: HashMap<String, u32>,
}

impl CsvRun {
    fn addition(&mut self, record: &Record<'_>, out: &mut dyn Emit) -> Step<()> {
        let company = need(record, &["Company Name", "Company"])?;
        let agreement = need(record, &["Agreement Name", "Agreement"])?;
        let product_id = need(record, &["Product ID"])?;
        let quantity = need_number(record, &["Quantity"])?;
        let less_included = number(record, &["Less Included"])?;
        let billed = number(record, &["Billed Quantity"])?;
        let unit_price = number(record, &["Unit Price", "Price"])?.unwrap_or_default();
        let unit_cost = number(record, &["Unit Cost", "Cost"])?;
        let product_name = text(record, &["Description"]);
        let sequence = match text(record, &["Sequence"]) {
            "" => record.location.to_string(),
            sequence => sequence.to_string(),
        };
        let mut line_id = format!("{agreement}#{sequence}");
        let seen = self.lines_seen.entry(line_id.clone()).or_insert(0);
        *seen += 1;
        if *seen > 1 {
            line_id = format!("{line_id}/{}", record.location);
        }
        out.client(ClientSeen {
            source: "psa".to_string(),
            id: company.to_string(),
            name: company.to_string(),
            ..ClientSeen::default()
        });
        out.product(ProductSeen {
            source: "psa".to_string(),
            id: product_id.to_string(),
            name: product_name.to_string(),
            unit_price: Some(unit_price),
        });
        let status = text(record, &["Agreement Status"]);
        if let Some(reason) = agreement_excluded(status, false, None, None, true, self.period) {
            return Err(Outcome::Excluded(reason));
        }
        if let Some(reason) = addition_excluded(
            text(record, &["Bill Customer", "Bill"]),
            date(record, &["Effective Date", "Effective"])?,
            date(record, &["Cancelled Date", "Cancelled"])?,
            self.period,
        ) {
            return Err(Outcome::Excluded(reason));
        }
        // What the PSA includes free: `lessIncluded`, else what
        // `billedQuantity` leaves out of `quantity`.
        let included = less_included.or_else(|| {
            billed.and_then(|billed| quantity.checked_sub(billed).filter(|d| *d >= Decimal::ZERO))
        });
        let quantity =
            billed_quantity(&line_id, quantity, less_included, billed, &CSV_COLUMNS, out)?;
        out.billing(BillingOut {
            line_id,
            client_id: company.to_string(),
            client_name: company.to_string(),
            product_id: product_id.to_string(),
            product_name: product_name.to_string(),
            quantity,
            unit_price,
            unit_cost,
            description: product_name.to_string(),
            agreement: agreement.to_string(),
            agreement_id: text(record, &["Agreement ID", "Agreement Id", "Agreement RecID"])
                .to_string(),
            included,
            quantity_source: String::new(),
        });
        Ok(())
    }
}

impl ProfileRun for CsvRun {
    fn record(&mut self, _part: &str, record: &Record<'_>, out: &mut dyn Emit) -> Outcome {
        outcome(self.addition(record, out))
    }
}
