//! The Findings sheet: one row per finding, every field a reviewer filters
//! or sums on. The Summary's formulas read its kind, impact and state
//! columns, so their positions are named here.

use super::XlsxError;
use super::cells::Cell;
use super::table::{Column, Table, column, number_column};
use crate::model::ReportFinding;

pub(super) const SHEET: &str = "Findings";

pub(super) const COLUMNS: &[Column] = &[
    column("ID", 10),
    column("Kind", 20),
    column("Client ID", 14),
    column("Client", 32),
    column("Product ID", 16),
    column("Product", 34),
    column("Source", 12),
    column("Key", 40),
    number_column("Billed", 12),
    number_column("Actual", 12),
    number_column("Difference", 14),
    number_column("Unit price", 16),
    number_column("Monthly impact", 18),
    number_column("Annual impact", 18),
    number_column("Money at stake", 18),
    column("Cause", 16),
    column("Priority", 11),
    column("Review state", 15),
    column("Assignee", 14),
    column("Marked for action", 20),
    column("Note", 40),
    column("Explanation", 70),
];

/// Column positions the Summary's formulas refer to (0-based).
pub(super) const KIND_COLUMN: u16 = 1;
pub(super) const MONTHLY_IMPACT_COLUMN: u16 = 12;
pub(super) const REVIEW_STATE_COLUMN: u16 = 17;

pub(super) fn write(table: &mut Table<'_>, findings: &[ReportFinding]) -> Result<(), XlsxError> {
    for finding in findings {
        let annual_impact = crate::model::per_year(finding.impact);
        table.row(&[
            Cell::Text(&finding.id),
            Cell::Text(&finding.kind),
            Cell::Text(&finding.client_id),
            Cell::Text(&finding.client_name),
            Cell::Text(&finding.product_id),
            Cell::Text(&finding.product_name),
            Cell::Text(&finding.source),
            Cell::Text(&finding.key),
            Cell::quantity(finding.billed),
            Cell::quantity(finding.actual),
            Cell::quantity(finding.diff),
            Cell::money(finding.unit_price),
            Cell::Money(finding.impact),
            Cell::Money(annual_impact),
            Cell::Money(finding.money_at_stake),
            Cell::Text(&finding.cause),
            Cell::Text(&finding.priority),
            Cell::Text(&finding.state),
            Cell::Text(&finding.assignee),
            Cell::Text(if finding.for_action { "Yes" } else { "" }),
            Cell::Text(&finding.note),
            Cell::Text(&finding.explanation),
        ])?;
    }
    Ok(())
}
