//! The Evidence sheet: what stands behind each finding, one row per item.
//!
//! Both sides of a pair finding share one table, told apart by the "Side"
//! column, so one filter on a finding's ID shows everything behind it:
//! - `usage`: an evidence row from a vendor tool (a user, device or count
//!   line), with its state, status, last-seen time, units and source rows;
//! - `billing`: a PSA billing line the finding compared with; its line id
//!   is the Item, its quantity the Units, with its unit price, and the
//!   source is the PSA profile that read the line (or "psa").

use std::collections::HashMap;

use super::XlsxError;
use super::cells::Cell;
use super::table::{Column, Table, column, number_column};
use crate::model::{LineInfo, ReportFinding, ReportRun};

pub(super) const SHEET: &str = "Evidence";

pub(super) const COLUMNS: &[Column] = &[
    column("Finding ID", 12),
    column("Kind", 20),
    column("Client", 32),
    column("Product", 34),
    column("Side", 9),
    column("Source", 12),
    column("SKU", 24),
    column("SKU name", 34),
    column("State", 11),
    column("Status", 11),
    column("Basis", 8),
    column("Item", 42),
    number_column("Last seen (UTC)", 21),
    number_column("Units", 9),
    number_column("Rows", 8),
    number_column("Unit price", 14),
];

pub(super) fn write(table: &mut Table<'_>, run: &ReportRun) -> Result<(), XlsxError> {
    let lines: HashMap<&str, &LineInfo> = run
        .lines
        .iter()
        .map(|line| (line.line_id.as_str(), line))
        .collect();
    for finding in &run.findings {
        let client = non_empty(&finding.client_name, &finding.client_id);
        let product = non_empty(&finding.product_name, &finding.product_id);
        for evidence in &finding.evidence {
            table.row(&[
                Cell::Text(&finding.id),
                Cell::Text(&finding.kind),
                Cell::Text(client),
                Cell::Text(product),
                Cell::Text("usage"),
                Cell::Text(&evidence.source),
                Cell::Text(&evidence.sku),
                Cell::Text(&evidence.sku_name),
                Cell::Text(&evidence.state),
                Cell::Text(&evidence.status),
                Cell::Text(&evidence.basis),
                Cell::Text(&evidence.item_key),
                Cell::Time(&evidence.last_seen),
                Cell::Quantity(evidence.units),
                Cell::Count(evidence.rows),
                Cell::Empty,
            ])?;
        }
        write_billing_lines(table, finding, &lines, client, product)?;
    }
    Ok(())
}

fn write_billing_lines(
    table: &mut Table<'_>,
    finding: &ReportFinding,
    lines: &HashMap<&str, &LineInfo>,
    client: &str,
    product: &str,
) -> Result<(), XlsxError> {
    for billed in &finding.billing_lines {
        let profile = lines
            .get(billed.line_id.as_str())
            .map(|line| line.profile.as_str())
            .filter(|profile| !profile.is_empty())
            .unwrap_or("psa");
        table.row(&[
            Cell::Text(&finding.id),
            Cell::Text(&finding.kind),
            Cell::Text(client),
            Cell::Text(product),
            Cell::Text("billing"),
            Cell::Text(profile),
            Cell::Text(&finding.product_id),
            Cell::Text(&finding.product_name),
            Cell::Text("billed"),
            Cell::Empty,
            Cell::Empty,
            Cell::Text(&billed.line_id),
            Cell::Empty,
            Cell::Quantity(billed.quantity),
            Cell::Empty,
            Cell::Money(billed.unit_price),
        ])?;
    }
    Ok(())
}

fn non_empty<'a>(preferred: &'a str, fallback: &'a str) -> &'a str {
    if preferred.is_empty() {
        fallback
    } else {
        preferred
    }
}
