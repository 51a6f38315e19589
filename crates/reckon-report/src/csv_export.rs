//! The CSV exports: one row per finding (`findings.csv`) and one row per
//! item or billing line behind them (`evidence.csv`). The columns are a
//! stable contract (README, "Export columns"): new columns are only ever
//! appended.

use std::io::{self, Write};

use rust_decimal::Decimal;

use crate::model::{ReportRun, money_text, per_year, quantity_text};

/// The columns of `findings.csv`, in order.
pub const FINDING_COLUMNS: [&str; 24] = [
    "id",
    "kind",
    "client_id",
    "client_name",
    "product_id",
    "product_name",
    "source",
    "key",
    "billed",
    "actual",
    "difference",
    "unit_price",
    "monthly_impact",
    "annual_impact",
    "money_at_stake",
    "currency",
    "cause",
    "priority",
    "state",
    "assignee",
    "for_action",
    "note",
    "explanation",
    "run_id",
];

/// The columns of `evidence.csv`, in order.
pub const EVIDENCE_COLUMNS: [&str; 15] = [
    "finding_id",
    "kind",
    "client_id",
    "product_id",
    "side",
    "source",
    "sku",
    "sku_name",
    "state",
    "status",
    "basis",
    "item",
    "last_seen",
    "quantity",
    "rows",
];

fn optional(value: Option<Decimal>, text: fn(Decimal) -> String) -> String {
    value.map(text).unwrap_or_default()
}

/// A cell a spreadsheet would run as a formula is prefixed with `'`
/// (CSV injection): the export is opened in Excel by people.
fn safe(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if text.parse::<Decimal>().is_err() => {
            format!("'{text}")
        }
        _ => text.to_string(),
    }
}

/// `findings.csv`: one row per finding, in the run's order.
pub fn write_findings_csv(run: &ReportRun, out: impl Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(FINDING_COLUMNS)?;
    let run_id = run.run_id.map(|id| id.to_string()).unwrap_or_default();
    for finding in &run.findings {
        writer.write_record([
            safe(&finding.id),
            finding.kind.clone(),
            safe(&finding.client_id),
            safe(&finding.client_name),
            safe(&finding.product_id),
            safe(&finding.product_name),
            safe(&finding.source),
            safe(&finding.key),
            optional(finding.billed, quantity_text),
            optional(finding.actual, quantity_text),
            optional(finding.diff, quantity_text),
            optional(finding.unit_price, money_text),
            money_text(finding.impact),
            money_text(per_year(finding.impact)),
            money_text(finding.money_at_stake),
            run.currency.clone(),
            finding.cause.clone(),
            finding.priority.clone(),
            finding.state.clone(),
            safe(&finding.assignee),
            if finding.for_action { "yes" } else { "" }.to_string(),
            safe(&finding.note),
            safe(&finding.explanation),
            run_id.clone(),
        ])?;
    }
    writer.flush()
}

/// `evidence.csv`: every item behind each finding (`side` usage) and every
/// billing line behind a pair finding (`side` billing).
pub fn write_evidence_csv(run: &ReportRun, out: impl Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(EVIDENCE_COLUMNS)?;
    for finding in &run.findings {
        for item in &finding.evidence {
            writer.write_record([
                safe(&finding.id),
                finding.kind.clone(),
                safe(&finding.client_id),
                safe(&finding.product_id),
                "usage".to_string(),
                safe(&item.source),
                safe(&item.sku),
                safe(&item.sku_name),
                item.state.clone(),
                safe(&item.status),
                item.basis.clone(),
                safe(&item.item_key),
                item.last_seen.clone(),
                quantity_text(item.units),
                item.rows.to_string(),
            ])?;
        }
        for line in &finding.billing_lines {
            writer.write_record([
                safe(&finding.id),
                finding.kind.clone(),
                safe(&finding.client_id),
                safe(&finding.product_id),
                "billing".to_string(),
                "psa".to_string(),
                String::new(),
                String::new(),
                "billed".to_string(),
                String::new(),
                "line".to_string(),
                safe(&line.line_id),
                String::new(),
                quantity_text(line.quantity),
                "1".to_string(),
            ])?;
        }
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_defused_but_negative_numbers_are_not() {
        assert_eq!(safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe("-45.00"), "-45.00");
        assert_eq!(safe("Contoso"), "Contoso");
    }
}
