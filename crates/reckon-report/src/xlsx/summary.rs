//! The Summary sheet: what the run is, the money it found, counts by kind
//! and by review state, and the clients by money at stake.
//!
//! Totals and counts are formulas over the Findings sheet (so they follow
//! a reviewer's filtering and edits after a recalculation) carrying the
//! exact result from `run.totals()` as their cached value, so a reader
//! that never recalculates still shows the numbers every other format
//! shows, to the cent. The sheet freezes its title row; its table of
//! clients has the bold header and the autofilter.

use std::collections::HashMap;

use rust_decimal::Decimal;
use rust_xlsxwriter::utility::{column_number_to_name, quote_sheet_name, row_col_to_cell};
use rust_xlsxwriter::{Format, FormatAlign, Formula, Worksheet};

use super::XlsxError;
use super::cells::{Cell, excel_time, looks_like_formula, write_cell};
use super::findings::{KIND_COLUMN, MONTHLY_IMPACT_COLUMN, REVIEW_STATE_COLUMN};
use super::formats::Formats;
use super::table::header_width;
use crate::model::{ClientTotals, ReportRun, Totals, per_year};

pub(super) const SHEET: &str = "Summary";

const CLIENT_HEADERS: [&str; 7] = [
    "Client ID",
    "Client",
    "Findings",
    "Underbilled / month",
    "Overbilled / month",
    "Net / month",
    "Money at stake",
];

/// Where the Summary's formulas look: every part of the Findings table.
#[derive(Debug)]
pub(super) struct FindingsSheets {
    pub names: Vec<String>,
}

impl FindingsSheets {
    /// `A:A` of every part, e.g. `Findings!M:M`.
    fn ranges(&self, column: u16) -> Vec<String> {
        let letter = column_number_to_name(column);
        self.names
            .iter()
            .map(|name| format!("{}!{letter}:{letter}", quote_sheet_name(name)))
            .collect()
    }

    fn sum_if(&self, column: u16, criterion: &str) -> String {
        let terms: Vec<String> = self
            .ranges(column)
            .iter()
            .map(|range| format!("SUMIF({range},\"{criterion}\")"))
            .collect();
        terms.join("+")
    }

    fn count_if(&self, column: u16, value: &str) -> String {
        let terms: Vec<String> = self
            .ranges(column)
            .iter()
            .map(|range| format!("COUNTIF({range},\"{value}\")"))
            .collect();
        terms.join("+")
    }
}

struct SummaryWriter<'a> {
    sheet: Worksheet,
    formats: &'a Formats,
    currency: &'a str,
    row: u32,
    widths: [usize; CLIENT_HEADERS.len()],
}

pub(super) fn build(
    run: &ReportRun,
    totals: &Totals,
    formats: &Formats,
    findings: &FindingsSheets,
) -> Result<Worksheet, XlsxError> {
    let mut sheet = Worksheet::new();
    sheet.set_name(SHEET)?;
    sheet.set_freeze_panes(1, 0)?;
    // Printed, the whole summary is one page wide.
    sheet.set_print_fit_to_pages(1, 0);
    let mut summary = SummaryWriter {
        sheet,
        formats,
        currency: &run.currency,
        row: 0,
        widths: [0; CLIENT_HEADERS.len()],
    };
    summary.title()?;
    summary.about(run)?;
    summary.money(totals, findings)?;
    summary.counts("Findings by kind", &totals.by_kind, findings, KIND_COLUMN)?;
    summary.counts(
        "Findings by review state",
        &totals.by_state,
        findings,
        REVIEW_STATE_COLUMN,
    )?;
    summary.clients(run, totals)?;
    summary.set_widths()?;
    Ok(summary.sheet)
}

impl SummaryWriter<'_> {
    fn cell(&mut self, col: u16, cell: Cell<'_>) -> Result<(), XlsxError> {
        let width = write_cell(
            &mut self.sheet,
            self.formats,
            self.currency,
            (self.row, col),
            cell,
        )?;
        if let Some(widest) = self.widths.get_mut(usize::from(col)) {
            *widest = (*widest).max(width);
        }
        Ok(())
    }

    fn styled(&mut self, col: u16, text: &str, format: &Format) -> Result<(), XlsxError> {
        self.sheet
            .write_string_with_format(self.row, col, text, format)?;
        if let Some(widest) = self.widths.get_mut(usize::from(col)) {
            *widest = (*widest).max(text.chars().count());
        }
        Ok(())
    }

    /// A formula with its exact result cached.
    fn formula(
        &mut self,
        col: u16,
        formula: &str,
        result: &str,
        format: &Format,
    ) -> Result<(), XlsxError> {
        let formula = Formula::new(format!("={formula}")).set_result(result);
        self.sheet
            .write_formula_with_format(self.row, col, formula, format)?;
        if let Some(widest) = self.widths.get_mut(usize::from(col)) {
            *widest = (*widest).max(result.len() + 6);
        }
        Ok(())
    }

    fn title(&mut self) -> Result<(), XlsxError> {
        let title = self.formats.title.clone();
        self.sheet
            .write_string_with_format(0, 0, "reckon reconciliation", &title)?;
        self.sheet.set_row_height(0, 24)?;
        self.row = 2;
        Ok(())
    }

    fn about(&mut self, run: &ReportRun) -> Result<(), XlsxError> {
        let label = self.formats.label.clone();
        let run_id = run
            .run_id
            .map_or_else(|| "not stored".to_string(), |id| id.to_string());
        let rows: [(&str, &str); 5] = [
            ("Period", &run.period),
            ("As of", &run.as_of),
            ("Generated at (UTC)", &run.generated_at),
            ("Run ID", &run_id),
            ("Currency", &run.currency),
        ];
        for (name, value) in rows {
            self.styled(0, name, &label)?;
            // Right-aligned like the times and the money below them.
            match excel_time(value) {
                Some((time, _)) => {
                    let datetime = self.formats.datetime.clone();
                    self.sheet
                        .write_datetime_with_format(self.row, 1, time, &datetime)?;
                }
                None => {
                    let format = if looks_like_formula(value) {
                        self.formats.quoted_text.clone()
                    } else {
                        self.formats.text.clone()
                    }
                    .set_align(FormatAlign::Right)
                    .set_indent(1);
                    self.styled(1, value, &format)?;
                }
            }
            self.row += 1;
        }
        self.row += 1;
        Ok(())
    }

    fn money(&mut self, totals: &Totals, findings: &FindingsSheets) -> Result<(), XlsxError> {
        let (heading, label, money, money_total) = (
            self.formats.heading.clone(),
            self.formats.label.clone(),
            self.formats.money.clone(),
            self.formats.money_total.clone(),
        );
        self.styled(0, "Totals", &heading)?;
        let label_number = self.formats.label_number.clone();
        self.styled(1, "Per month", &label_number)?;
        self.styled(2, "Per year", &label_number)?;
        self.row += 1;

        let under = totals.underbilled_per_month;
        let over = totals.overbilled_per_month;
        let under_row = self.row;
        let over_row = self.row + 1;
        let lines = [
            (
                "Underbilled (revenue not billed)",
                self.sum_formula(findings, ">0", false),
                under,
            ),
            (
                "Overbilled (billed, not in use)",
                self.sum_formula(findings, "<0", true),
                over,
            ),
        ];
        for (name, formula, monthly) in lines {
            self.styled(0, name, &label)?;
            self.formula(1, &formula, &decimal_text(monthly), &money)?;
            let yearly = format!("{}*12", row_col_to_cell(self.row, 1));
            self.formula(2, &yearly, &decimal_text(per_year(monthly)), &money)?;
            self.row += 1;
        }
        self.styled(0, "Net (underbilled - overbilled)", &label)?;
        for col in [1, 2] {
            let net_formula = format!(
                "{}-{}",
                row_col_to_cell(under_row, col),
                row_col_to_cell(over_row, col)
            );
            let net = if col == 1 {
                under - over
            } else {
                per_year(under - over)
            };
            self.formula(col, &net_formula, &decimal_text(net), &money_total)?;
        }
        self.row += 2;
        Ok(())
    }

    fn sum_formula(&self, findings: &FindingsSheets, criterion: &str, negate: bool) -> String {
        let sum = findings.sum_if(MONTHLY_IMPACT_COLUMN, criterion);
        if negate { format!("-({sum})") } else { sum }
    }

    /// Counts per kind or state: a COUNTIF over the Findings column when
    /// the value is a plain word (a criterion with wildcards or operators
    /// would count something else), else the number itself.
    fn counts(
        &mut self,
        title: &str,
        counts: &std::collections::BTreeMap<String, u64>,
        findings: &FindingsSheets,
        column: u16,
    ) -> Result<(), XlsxError> {
        let (heading, label, count_format) = (
            self.formats.heading.clone(),
            self.formats.label.clone(),
            self.formats.count.clone(),
        );
        self.styled(0, title, &heading)?;
        self.styled(1, "Count", &self.formats.label_number.clone())?;
        self.row += 1;
        let first = self.row;
        for (value, count) in counts {
            let name = if value.is_empty() { "(none)" } else { value };
            self.cell(0, Cell::Text(name))?;
            if is_plain_word(value) {
                let formula = findings.count_if(column, value);
                self.formula(1, &formula, &count.to_string(), &count_format)?;
            } else {
                self.cell(1, Cell::Count(*count))?;
            }
            self.row += 1;
        }
        let total: u64 = counts.values().sum();
        self.styled(0, "All findings", &label)?;
        if self.row > first {
            let formula = format!(
                "SUM({}:{})",
                row_col_to_cell(first, 1),
                row_col_to_cell(self.row - 1, 1)
            );
            self.formula(1, &formula, &total.to_string(), &count_format)?;
        } else {
            self.cell(1, Cell::Count(0))?;
        }
        self.row += 2;
        Ok(())
    }

    fn clients(&mut self, run: &ReportRun, totals: &Totals) -> Result<(), XlsxError> {
        let (heading, header) = (self.formats.heading.clone(), self.formats.header.clone());
        self.styled(0, "Clients by money at stake", &heading)?;
        self.row += 1;
        let header_row = self.row;
        let header_number = self.formats.header_number.clone();
        for (col, name) in CLIENT_HEADERS.iter().enumerate() {
            // The first two columns are text, the rest numbers.
            let format = if col < 2 { &header } else { &header_number };
            self.styled(col as u16, name, format)?;
        }
        self.row += 1;
        for (client, at_stake) in clients_by_money_at_stake(run, totals) {
            self.cell(0, Cell::Text(&client.client_id))?;
            self.cell(1, Cell::Text(&client.client_name))?;
            self.cell(2, Cell::Count(client.findings))?;
            self.cell(3, Cell::Money(client.underbilled))?;
            self.cell(4, Cell::Money(client.overbilled))?;
            self.cell(5, Cell::Money(client.underbilled - client.overbilled))?;
            self.cell(6, Cell::Money(at_stake))?;
            self.row += 1;
        }
        let last_row = self.row.saturating_sub(1).max(header_row);
        self.sheet
            .autofilter(header_row, 0, last_row, CLIENT_HEADERS.len() as u16 - 1)?;
        Ok(())
    }

    fn set_widths(&mut self) -> Result<(), XlsxError> {
        // Column A holds the labels above the client table, so it is at
        // least as wide as the longest label; the rest fit their content.
        let minimums = [34, 16, 10, 12, 12, 12, 12];
        let maximums = [40, 40, 20, 22, 22, 20, 20];
        for (col, widest) in self.widths.iter().enumerate() {
            let width = (*widest + 2)
                .clamp(minimums[col], maximums[col])
                .max(header_width(CLIENT_HEADERS[col]));
            self.sheet.set_column_width(col as u16, width as f64)?;
        }
        Ok(())
    }
}

/// Clients sorted by the money their findings put at stake (largest
/// first), then by monthly money, then by id, with that amount.
fn clients_by_money_at_stake<'t>(
    run: &ReportRun,
    totals: &'t Totals,
) -> Vec<(&'t ClientTotals, Decimal)> {
    let mut at_stake: HashMap<&str, Decimal> = HashMap::new();
    for finding in &run.findings {
        *at_stake.entry(finding.client_id.as_str()).or_default() += finding.money_at_stake;
    }
    let mut clients: Vec<(&ClientTotals, Decimal)> = totals
        .per_client
        .iter()
        .map(|client| {
            let money = at_stake
                .get(client.client_id.as_str())
                .copied()
                .unwrap_or_default();
            (client, money)
        })
        .collect();
    clients.sort_by(|(a, a_stake), (b, b_stake)| {
        b_stake
            .cmp(a_stake)
            .then_with(|| (b.underbilled + b.overbilled).cmp(&(a.underbilled + a.overbilled)))
            .then_with(|| a.client_id.cmp(&b.client_id))
    });
    clients
}

fn is_plain_word(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A decimal as a formula's cached result: plain digits, no trailing zeros.
fn decimal_text(value: Decimal) -> String {
    value.normalize().to_string()
}
