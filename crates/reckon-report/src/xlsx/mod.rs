//! The XLSX workbook: a Summary for the reader, then Findings, Evidence and
//! Mapping issues as filterable tables. Money and quantities are number
//! cells (converted from `Decimal` here, at the format's edge), times are
//! date cells, and text from data is always a string cell, never a formula.
//!
//! The workbook is built in memory and returned as bytes, so the caller can
//! write the file atomically. The data sheets are rust_xlsxwriter
//! "low memory" worksheets: each row goes to a temporary file as soon as
//! the next begins, so a run with millions of evidence rows does not hold
//! every cell; a sheet that would pass Excel's row limit goes on in
//! "Evidence (2)" and so on.

mod cells;
mod evidence;
mod findings;
mod formats;
mod mapping;
mod summary;
mod table;

use std::path::PathBuf;

use rust_xlsxwriter::{DocProperties, Workbook};

use crate::model::ReportRun;
use formats::Formats;
use summary::FindingsSheets;
use table::{EXCEL_MAX_ROWS, Table, part_count, part_name};

/// Why a workbook could not be made.
#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    /// Large sheets are streamed through the temporary folder; it must be
    /// writable.
    #[error("cannot write the workbook's temporary files in {path}: {source}")]
    TempDir {
        path: PathBuf,
        source: rust_xlsxwriter::XlsxError,
    },
    #[error("cannot write the XLSX workbook: {0}")]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
}

/// The run as an XLSX workbook, in memory.
pub fn write_xlsx(run: &ReportRun) -> Result<Vec<u8>, XlsxError> {
    write_workbook(run, EXCEL_MAX_ROWS - 1)
}

/// As `write_xlsx`, with at most `rows_per_sheet` data rows on each sheet
/// (tests use a small number to see tables continue on the next sheet).
fn write_workbook(run: &ReportRun, rows_per_sheet: u32) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    // rust_xlsxwriter unwraps the temporary file each streamed sheet opens;
    // trying the folder first turns an unwritable one into an error.
    let temp_dir = std::env::temp_dir();
    workbook
        .set_tempdir(&temp_dir)
        .map_err(|source| XlsxError::TempDir {
            path: temp_dir.clone(),
            source,
        })?;
    workbook.set_properties(&properties(run));
    let formats = Formats::new(&run.currency);
    let totals = run.totals();

    let findings_sheets = FindingsSheets {
        names: (1..=part_count(run.findings.len(), rows_per_sheet))
            .map(|part| part_name(findings::SHEET, part))
            .collect(),
    };
    let summary = summary::build(run, &totals, &formats, &findings_sheets)?;
    workbook.push_worksheet(summary);

    let currency = run.currency.as_str();
    let mut table = Table::start(
        &mut workbook,
        &formats,
        currency,
        findings::SHEET,
        findings::COLUMNS,
        rows_per_sheet,
    )?;
    findings::write(&mut table, &run.findings)?;
    table.finish()?;

    let mut table = Table::start(
        &mut workbook,
        &formats,
        currency,
        evidence::SHEET,
        evidence::COLUMNS,
        rows_per_sheet,
    )?;
    evidence::write(&mut table, run)?;
    table.finish()?;

    let mut table = Table::start(
        &mut workbook,
        &formats,
        currency,
        mapping::SHEET,
        mapping::COLUMNS,
        rows_per_sheet,
    )?;
    mapping::write(&mut table, run)?;
    table.finish()?;

    Ok(workbook.save_to_buffer()?)
}

/// Title and creation time from the run, so the same run makes the same
/// file instead of one stamped with the clock.
fn properties(run: &ReportRun) -> DocProperties {
    let properties = DocProperties::new().set_title("reckon reconciliation");
    match cells::excel_time(&run.generated_at) {
        Some((created, _)) => properties.set_creation_datetime(&created),
        None => properties,
    }
}

#[cfg(test)]
mod tests;
