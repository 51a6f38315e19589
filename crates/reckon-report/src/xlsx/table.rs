//! A data sheet as one table: a bold frozen header, rows written in order
//! (low-memory worksheets stream them to disk), an autofilter over all of
//! it and columns sized to what they hold. A table longer than Excel's
//! row limit goes on in "Name (2)", "Name (3)", ... with the header again.

use rust_xlsxwriter::{Workbook, Worksheet};

use super::XlsxError;
use super::cells::{Cell, write_cell};
use super::formats::Formats;

/// Excel's rows per sheet, the header included.
pub(super) const EXCEL_MAX_ROWS: u32 = 1_048_576;

/// A column's header, how wide it may grow (in characters), and whether it
/// holds numbers (its header then aligns right, over them).
#[derive(Debug, Clone, Copy)]
pub(super) struct Column {
    pub header: &'static str,
    pub max_width: usize,
    pub numeric: bool,
}

pub(super) const fn column(header: &'static str, max_width: usize) -> Column {
    Column {
        header,
        max_width,
        numeric: false,
    }
}

pub(super) const fn number_column(header: &'static str, max_width: usize) -> Column {
    Column {
        header,
        max_width,
        numeric: true,
    }
}

/// The width a bold header needs, with room for the filter button: bold
/// text runs about 15% wider than the character count.
pub(super) fn header_width(header: &str) -> usize {
    (header.chars().count() * 23).div_ceil(20) + 3
}

/// The name of part `part` (1-based) of a table called `name`.
pub(super) fn part_name(name: &str, part: u32) -> String {
    if part <= 1 {
        name.to_string()
    } else {
        format!("{name} ({part})")
    }
}

/// How many sheets a table of `rows` data rows takes (at least one, for
/// the header).
pub(super) fn part_count(rows: usize, rows_per_sheet: u32) -> u32 {
    let per_sheet = rows_per_sheet.max(1) as usize;
    u32::try_from(rows.div_ceil(per_sheet).max(1)).unwrap_or(u32::MAX)
}

/// rust_xlsxwriter's types have no `Debug`, hence the allow.
#[allow(missing_debug_implementations)]
pub(super) struct Table<'w> {
    workbook: &'w mut Workbook,
    formats: &'w Formats,
    currency: &'w str,
    name: &'static str,
    columns: &'static [Column],
    /// Data rows per sheet (the header is extra).
    rows_per_sheet: u32,
    part: u32,
    sheet: Worksheet,
    /// The next row to write on the current sheet.
    row: u32,
    widths: Vec<usize>,
}

impl<'w> Table<'w> {
    pub fn start(
        workbook: &'w mut Workbook,
        formats: &'w Formats,
        currency: &'w str,
        name: &'static str,
        columns: &'static [Column],
        rows_per_sheet: u32,
    ) -> Result<Table<'w>, XlsxError> {
        let sheet = workbook.new_worksheet_with_low_memory();
        let mut table = Table {
            workbook,
            formats,
            currency,
            name,
            columns,
            rows_per_sheet: rows_per_sheet.clamp(1, EXCEL_MAX_ROWS - 1),
            part: 1,
            sheet,
            row: 0,
            widths: Vec::new(),
        };
        table.begin_part()?;
        Ok(table)
    }

    /// Writes one row; `cells` follow the columns (extra cells are ignored).
    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), XlsxError> {
        if self.row > self.rows_per_sheet {
            self.end_part()?;
            let next = self.workbook.new_worksheet_with_low_memory();
            let finished = std::mem::replace(&mut self.sheet, next);
            self.workbook.push_worksheet(finished);
            self.part += 1;
            self.begin_part()?;
        }
        for (col, cell) in cells.iter().take(self.columns.len()).enumerate() {
            let col_number = col as u16;
            let width = write_cell(
                &mut self.sheet,
                self.formats,
                self.currency,
                (self.row, col_number),
                *cell,
            )?;
            if let Some(widest) = self.widths.get_mut(col) {
                *widest = (*widest).max(width);
            }
        }
        self.row += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), XlsxError> {
        self.end_part()?;
        let Table {
            workbook, sheet, ..
        } = self;
        workbook.push_worksheet(sheet);
        Ok(())
    }

    fn begin_part(&mut self) -> Result<(), XlsxError> {
        self.sheet.set_name(part_name(self.name, self.part))?;
        for (col, column) in self.columns.iter().enumerate() {
            let format = if column.numeric {
                &self.formats.header_number
            } else {
                &self.formats.header
            };
            self.sheet
                .write_string_with_format(0, col as u16, column.header, format)?;
        }
        self.sheet.set_freeze_panes(1, 0)?;
        // On paper: landscape, with the header on every page.
        self.sheet.set_landscape();
        self.sheet.set_repeat_rows(0, 0)?;
        self.widths = vec![0; self.columns.len()];
        self.row = 1;
        Ok(())
    }

    /// Filter and widths for the current sheet, once its rows are all in.
    fn end_part(&mut self) -> Result<(), XlsxError> {
        let last_col = self.columns.len().saturating_sub(1) as u16;
        self.sheet
            .autofilter(0, 0, self.row.saturating_sub(1), last_col)?;
        for (col, (column, widest)) in self.columns.iter().zip(&self.widths).enumerate() {
            let width = (*widest + 2)
                .min(column.max_width)
                .max(header_width(column.header));
            self.sheet.set_column_width(col as u16, width as f64)?;
        }
        Ok(())
    }
}
