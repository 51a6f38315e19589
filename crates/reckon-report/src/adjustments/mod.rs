//! Proposed PSA billing adjustments: the quantity changes that would make
//! billing match usage, line by line, for a reviewer to apply. Nothing here
//! talks to a PSA: [`propose`] is pure, and the writers only write files
//! (a generic CSV, or the request bodies one PSA's REST API takes).
//!
//! Money stays exact: a line's monthly effect is `(proposed - current) *
//! unit price`, so when every line of a pair has one price the effects of
//! a proposal add up to the proposed findings' impacts to the cent.

mod autotask;
mod connectwise;
mod generic_csv;
mod halopsa;
mod request_json;

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::io::{self, Write};

use rust_decimal::Decimal;

use crate::model::{BilledRow, LineInfo, ReportFinding, ReportRun};

pub use autotask::write_autotask_requests;
pub use connectwise::write_connectwise_requests;
pub use generic_csv::{GENERIC_CSV_COLUMNS, write_adjustments_csv};
pub use halopsa::write_halopsa_requests;

/// Which findings become adjustments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Only pair findings a reviewer marked for a change in the PSA.
    MarkedForAction,
    /// Every pair finding that is not ignored or resolved.
    AllPairFindings,
}

/// A change to one PSA billing line (or a new line) for one finding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Adjustment {
    pub client_id: String,
    pub client_name: String,
    /// The agreement, contract or recurring invoice: name and PSA id. Both
    /// empty when the line is unknown or a new line has no agreement yet.
    pub agreement: String,
    pub agreement_id: String,
    /// The PSA line to change; `None` for a line to add.
    pub line_id: Option<String>,
    pub product_id: String,
    pub product_name: String,
    /// What the line bills now (after included quantities).
    pub current_quantity: Decimal,
    /// What it should bill.
    pub proposed_quantity: Decimal,
    /// Quantity included at no charge on the line (ConnectWise
    /// `lessIncluded`), zero elsewhere.
    pub included: Decimal,
    pub unit_price: Decimal,
    /// The source profile that read the line (`connectwise`, `autotask`,
    /// ...), or empty.
    pub profile: String,
    /// The findings this change settles (their short ids).
    pub finding_ids: Vec<String>,
    pub kind: String,
    /// One line for a person: why this change ("42 in use, 38 billed").
    pub reason: String,
    /// When the change should take effect (as the caller gave it).
    pub effective_date: String,
}

impl Adjustment {
    /// The value of the PSA's own quantity field: ConnectWise counts the
    /// included quantity inside `quantity`, so it is `proposed + included`.
    pub fn psa_quantity(&self) -> Decimal {
        self.proposed_quantity + self.included
    }

    /// Proposed minus current: positive adds units.
    pub fn change(&self) -> Decimal {
        self.proposed_quantity - self.current_quantity
    }

    /// The change in monthly billing, exact (positive bills more).
    pub fn monthly_effect(&self) -> Decimal {
        self.change() * self.unit_price
    }

    pub fn is_new_line(&self) -> bool {
        self.line_id.is_none()
    }
}

/// A finding that was a candidate but is not proposed, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    pub finding_id: String,
    pub kind: String,
    pub client_id: String,
    pub client_name: String,
    pub reason: String,
}

/// What [`propose`] suggests: the line changes and the findings left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proposal {
    /// Sorted by client, agreement and line (new lines last).
    pub adjustments: Vec<Adjustment>,
    /// In the run's finding order.
    pub skipped: Vec<Skipped>,
}

impl Proposal {
    /// The sum of every adjustment's monthly effect, exact.
    pub fn monthly_effect(&self) -> Decimal {
        self.adjustments
            .iter()
            .map(Adjustment::monthly_effect)
            .sum()
    }
}

/// The adjustments that would settle the selected pair findings of `run`.
///
/// A pair's proposed billed total is the finding's `actual`. One line takes
/// the whole change; with several lines an increase goes to the largest
/// line (ties: the smallest line id) and a decrease comes off the largest
/// first, never below zero. `billed_no_usage` takes every line to zero;
/// `usage_not_billed` adds a line at the finding's (list) unit price on the
/// client's agreement with the most lines. Ignored and resolved findings
/// are never proposed.
pub fn propose(run: &ReportRun, selection: Selection, effective_date: &str) -> Proposal {
    let mut proposal = Proposal::default();
    for finding in &run.findings {
        let wanted =
            finding.for_action || (selection == Selection::AllPairFindings && finding.is_pair());
        if !wanted {
            continue;
        }
        match adjust(run, finding, effective_date) {
            Ok(adjustments) => proposal.adjustments.extend(adjustments),
            Err(reason) => proposal.skipped.push(Skipped {
                finding_id: finding.id.clone(),
                kind: finding.kind.clone(),
                client_id: finding.client_id.clone(),
                client_name: finding.client_name.clone(),
                reason,
            }),
        }
    }
    proposal.adjustments.sort_by(|a, b| {
        (
            a.client_id.as_str(),
            a.agreement.as_str(),
            a.agreement_id.as_str(),
        )
            .cmp(&(
                b.client_id.as_str(),
                b.agreement.as_str(),
                b.agreement_id.as_str(),
            ))
            .then_with(|| match (&a.line_id, &b.line_id) {
                (Some(a), Some(b)) => compare_ids(a, b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .then_with(|| a.product_id.cmp(&b.product_id))
            .then_with(|| a.finding_ids.cmp(&b.finding_ids))
    });
    proposal
}

/// One finding's line changes, or why it has none.
fn adjust(
    run: &ReportRun,
    finding: &ReportFinding,
    effective_date: &str,
) -> Result<Vec<Adjustment>, String> {
    match finding.state.as_str() {
        "ignored" => return Err("ignored: never proposed".to_string()),
        "resolved" => return Err("resolved: nothing left to change".to_string()),
        _ => {}
    }
    if !finding.is_pair() {
        return Err("no billing quantity to change: a setup clean-up".to_string());
    }
    let target = match finding.kind.as_str() {
        "billed_no_usage" => Decimal::ZERO,
        _ => finding
            .actual
            .ok_or_else(|| "no actual quantity to bill".to_string())?,
    };
    let base = Adjustment {
        client_id: finding.client_id.clone(),
        client_name: finding.client_name.clone(),
        product_id: finding.product_id.clone(),
        product_name: finding.product_name.clone(),
        finding_ids: [&finding.id]
            .into_iter()
            .filter(|id| !id.is_empty())
            .cloned()
            .collect(),
        kind: finding.kind.clone(),
        effective_date: effective_date.to_string(),
        ..Adjustment::default()
    };
    if finding.billing_lines.is_empty() {
        return new_line(run, finding, target, base).map(|adjustment| vec![adjustment]);
    }
    let current: Vec<Decimal> = finding.billing_lines.iter().map(|l| l.quantity).collect();
    let proposed = allocate(&finding.billing_lines, target);
    let lines = finding.billing_lines.len();
    let adjustments: Vec<Adjustment> = finding
        .billing_lines
        .iter()
        .zip(current.iter().zip(&proposed))
        .filter(|(_, (current, proposed))| current != proposed)
        .map(|(billed, (&current, &proposed))| {
            existing_line(run, finding, billed, current, proposed, lines, base.clone())
        })
        .collect();
    if adjustments.is_empty() {
        return Err("billing already matches the actual quantity".to_string());
    }
    Ok(adjustments)
}

/// The change to one billed line, with the line's PSA metadata when the
/// run read it.
fn existing_line(
    run: &ReportRun,
    finding: &ReportFinding,
    billed: &BilledRow,
    current: Decimal,
    proposed: Decimal,
    lines: usize,
    base: Adjustment,
) -> Adjustment {
    let info = find_line(run, finding, &billed.line_id);
    let mut reason = numbers_reason(finding);
    if lines > 1 {
        reason.push_str(&format!("; line {} of {lines}", billed.line_id));
    }
    let mut adjustment = Adjustment {
        line_id: Some(billed.line_id.clone()),
        current_quantity: current,
        proposed_quantity: proposed,
        unit_price: billed.unit_price,
        ..base
    };
    match info {
        Some(info) => {
            adjustment.agreement = info.agreement.clone();
            adjustment.agreement_id = info.agreement_id.clone();
            adjustment.included = info.included;
            adjustment.profile = info.profile.clone();
            if !info.product_name.is_empty() {
                adjustment.product_name = info.product_name.clone();
            }
            if adjustment.client_name.is_empty() {
                adjustment.client_name = info.client_name.clone();
            }
        }
        None => reason.push_str(&format!(
            "; line {} is not among the run's billing lines: find its agreement in the PSA",
            billed.line_id
        )),
    }
    adjustment.reason = reason;
    adjustment
}

/// A new line for usage nothing bills, on the client's main agreement.
fn new_line(
    run: &ReportRun,
    finding: &ReportFinding,
    target: Decimal,
    base: Adjustment,
) -> Result<Adjustment, String> {
    if target <= Decimal::ZERO {
        return Err("no billing line to change".to_string());
    }
    // A product priced nowhere is valued at 0.00 by the engine: a new line
    // at 0.00 would bill nothing and hide it, so it is left to a person.
    let unit_price = finding
        .unit_price
        .filter(|price| *price > Decimal::ZERO)
        .ok_or_else(|| "no list price for a new line: price the product first".to_string())?;
    let mut reason = numbers_reason(finding);
    reason.push_str("; a new line at the list price");
    let mut adjustment = Adjustment {
        current_quantity: Decimal::ZERO,
        proposed_quantity: target,
        unit_price,
        ..base
    };
    match main_agreement(run, &finding.client_id) {
        Some(line) => {
            adjustment.agreement = line.agreement.clone();
            adjustment.agreement_id = line.agreement_id.clone();
            adjustment.profile = line.profile.clone();
        }
        None => reason.push_str("; the client has no agreement in the run: choose an agreement"),
    }
    adjustment.reason = reason;
    Ok(adjustment)
}

/// "42 in use, 38 billed": the pair's two numbers.
fn numbers_reason(finding: &ReportFinding) -> String {
    let quantity = |value: Option<Decimal>| match value.map(|v| v.normalize()) {
        None => "?".to_string(),
        Some(value) if value.is_zero() => "none".to_string(),
        Some(value) => value.to_string(),
    };
    format!(
        "{} in use, {} billed",
        quantity(finding.actual),
        quantity(finding.billed)
    )
}

/// The proposed quantity of each line, in the finding's line order, so the
/// lines add up to `target`. An increase goes to the largest line; a
/// decrease comes off the largest first, never below zero.
fn allocate(lines: &[BilledRow], target: Decimal) -> Vec<Decimal> {
    let mut proposed: Vec<Decimal> = lines.iter().map(|l| l.quantity).collect();
    let mut by_size: Vec<usize> = (0..lines.len()).collect();
    by_size.sort_by(|&a, &b| {
        lines[b]
            .quantity
            .cmp(&lines[a].quantity)
            .then_with(|| compare_ids(&lines[a].line_id, &lines[b].line_id))
    });
    let total: Decimal = proposed.iter().sum();
    let change = target - total;
    if change > Decimal::ZERO {
        if let Some(&largest) = by_size.first() {
            proposed[largest] += change;
        }
    } else {
        let mut to_remove = -change;
        for index in by_size {
            if to_remove <= Decimal::ZERO {
                break;
            }
            let taken = to_remove.min(proposed[index].max(Decimal::ZERO));
            proposed[index] -= taken;
            to_remove -= taken;
        }
    }
    proposed
}

/// The run's line with this id, preferring the finding's client.
fn find_line<'a>(
    run: &'a ReportRun,
    finding: &ReportFinding,
    line_id: &str,
) -> Option<&'a LineInfo> {
    let mut matching = run.lines.iter().filter(|l| l.line_id == line_id);
    let first = matching.next()?;
    if first.client_id == finding.client_id {
        return Some(first);
    }
    matching
        .find(|l| l.client_id == finding.client_id)
        .or(Some(first))
}

/// A line of the client's agreement that has the most lines (ties: the
/// agreement name, then its id), standing for that agreement.
fn main_agreement<'a>(run: &'a ReportRun, client_id: &str) -> Option<&'a LineInfo> {
    let mut agreements: BTreeMap<(&str, &str), (usize, &LineInfo)> = BTreeMap::new();
    for line in run.lines.iter().filter(|l| l.client_id == client_id) {
        if line.agreement.is_empty() && line.agreement_id.is_empty() {
            continue;
        }
        agreements
            .entry((line.agreement.as_str(), line.agreement_id.as_str()))
            .or_insert((0, line))
            .0 += 1;
    }
    // The map iterates by name then id, and `max_by_key` keeps the last of
    // equals: walk it backwards so ties go to the first name.
    agreements
        .into_values()
        .rev()
        .max_by_key(|(count, _)| *count)
        .map(|(_, line)| line)
}

/// PSA ids are usually numbers: compare them as numbers when both are, so
/// "9" comes before "10"; otherwise as text.
fn compare_ids(a: &str, b: &str) -> Ordering {
    match (a.parse::<u128>(), b.parse::<u128>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

/// The shape of the adjustments file: a neutral CSV or one PSA's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PsaShape {
    Generic,
    ConnectWise,
    Autotask,
    HaloPsa,
}

impl PsaShape {
    /// The shape of the PSA every one of `lines` came from; generic when
    /// they came from several, or from none.
    pub fn of_lines(lines: &[LineInfo]) -> PsaShape {
        let mut shapes = lines
            .iter()
            .map(|line| PsaShape::for_profile(&line.profile));
        match shapes.next() {
            Some(first) if shapes.all(|shape| shape == first) => first,
            _ => PsaShape::Generic,
        }
    }

    /// The names `parse` accepts, for help text and error messages.
    pub const NAMES: [&'static str; 4] = ["generic", "connectwise", "autotask", "halopsa"];

    /// The shape for the source profile that read the billing lines.
    pub fn for_profile(profile: &str) -> PsaShape {
        match profile {
            "connectwise" | "connectwise_csv" => PsaShape::ConnectWise,
            "autotask" => PsaShape::Autotask,
            "halopsa" => PsaShape::HaloPsa,
            _ => PsaShape::Generic,
        }
    }

    /// A shape by its CLI name (case-blind); `None` for any other name.
    pub fn parse(name: &str) -> Option<PsaShape> {
        match name.trim().to_ascii_lowercase().as_str() {
            "generic" => Some(PsaShape::Generic),
            "connectwise" => Some(PsaShape::ConnectWise),
            "autotask" => Some(PsaShape::Autotask),
            "halopsa" => Some(PsaShape::HaloPsa),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PsaShape::Generic => "generic",
            PsaShape::ConnectWise => "connectwise",
            PsaShape::Autotask => "autotask",
            PsaShape::HaloPsa => "halopsa",
        }
    }

    /// The file extension the shape is written with.
    pub fn extension(self) -> &'static str {
        match self {
            PsaShape::Generic => "csv",
            _ => "json",
        }
    }

    /// Writes `proposal` in this shape.
    pub fn write(self, proposal: &Proposal, currency: &str, out: impl Write) -> io::Result<()> {
        match self {
            PsaShape::Generic => write_adjustments_csv(&proposal.adjustments, currency, out),
            PsaShape::ConnectWise => write_connectwise_requests(proposal, currency, out),
            PsaShape::Autotask => write_autotask_requests(proposal, currency, out),
            PsaShape::HaloPsa => write_halopsa_requests(proposal, currency, out),
        }
    }
}
