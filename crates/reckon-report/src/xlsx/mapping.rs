//! The Mapping issues sheet: source references and SKUs no mapping knows,
//! with what they put at stake and the suggested PSA client or product, so
//! whoever maintains the mappings works from one list.

use super::XlsxError;
use super::cells::Cell;
use super::table::{Column, Table, column, number_column};
use crate::model::{ReportFinding, ReportRun};

pub(super) const SHEET: &str = "Mapping issues";

pub(super) const COLUMNS: &[Column] = &[
    column("ID", 10),
    column("Kind", 17),
    column("Source", 12),
    column("External reference", 40),
    column("External name", 34),
    number_column("Rows", 8),
    number_column("Money at stake", 18),
    column("Suggested ID", 16),
    column("Suggested name", 34),
    number_column("Score", 8),
    column("Reason", 40),
    column("Other suggestions", 60),
];

pub(super) fn write(table: &mut Table<'_>, run: &ReportRun) -> Result<(), XlsxError> {
    for finding in run.findings.iter().filter(|f| f.is_mapping_issue()) {
        let best = finding.suggestions.first();
        let others = other_suggestions(finding);
        table.row(&[
            Cell::Text(&finding.id),
            Cell::Text(&finding.kind),
            Cell::Text(&finding.source),
            Cell::Text(&finding.key),
            Cell::Text(external_name(finding)),
            Cell::count(finding.count),
            Cell::Money(finding.money_at_stake),
            best.map_or(Cell::Empty, |s| Cell::Text(&s.id)),
            best.map_or(Cell::Empty, |s| Cell::Text(&s.name)),
            best.map_or(Cell::Empty, |s| Cell::Count(u64::from(s.score))),
            best.map_or(Cell::Empty, |s| Cell::Text(&s.reason)),
            Cell::Text(&others),
        ])?;
    }
    Ok(())
}

/// The name the source gave: the client's for an unmapped client, the
/// SKU's for an unmapped SKU (whose client is already a PSA client).
fn external_name(finding: &ReportFinding) -> &str {
    if finding.kind == "unmapped_client" {
        &finding.client_name
    } else {
        &finding.sku_name
    }
}

/// The suggestions after the best, as `ID Name (score N)` joined by "; ".
fn other_suggestions(finding: &ReportFinding) -> String {
    finding
        .suggestions
        .iter()
        .skip(1)
        .map(|s| format!("{} {} (score {})", s.id, s.name, s.score))
        .collect::<Vec<_>>()
        .join("; ")
}
