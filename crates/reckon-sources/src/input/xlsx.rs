//! Excel workbooks: every sheet read into rows of text. Dates become ISO
//! text and whole numbers lose Excel's `.0`, so profiles read a sheet's
//! cells exactly as they read a CSV file's.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use crate::error::{SourceError, SourceErrorKind};
use crate::values::excel_serial;

/// One sheet: its name and its rows (row 1 first), as text.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    /// The sheet's first used row number (from 1), so that rows can be
    /// reported as Excel numbers them.
    pub first_row: u64,
    pub rows: Vec<Vec<String>>,
}

/// Reads every non-empty sheet of a workbook.
pub fn read_sheets(file: &str, bytes: Vec<u8>) -> Result<Vec<Sheet>, SourceError> {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|error| {
        SourceError::new(
            file,
            SourceErrorKind::Unreadable,
            format!("is not a workbook reckon can read: {error}"),
        )
    })?;
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).map_err(|error| {
            SourceError::new(
                file,
                SourceErrorKind::Unreadable,
                format!("sheet \"{name}\" cannot be read: {error}"),
            )
        })?;
        let Some((first_row, _)) = range.start() else {
            continue;
        };
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|row| row.iter().map(cell_text).collect())
            .collect();
        if rows.is_empty() {
            continue;
        }
        sheets.push(Sheet {
            name,
            first_row: u64::from(first_row) + 1,
            rows,
        });
    }
    Ok(sheets)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Int(number) => number.to_string(),
        Data::Float(number) => float_text(*number),
        Data::Bool(flag) => flag.to_string(),
        Data::DateTime(when) => match excel_serial(when.as_f64()) {
            Some(at) if when.is_datetime() => at.to_string(),
            _ => float_text(when.as_f64()),
        },
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Error(error) => format!("#{error:?}"),
    }
}

/// The shortest text that reads back as the same number: `38` not `38.0`,
/// `22.99` not `22.989999…`.
fn float_text(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        format!("{number}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_they_show() {
        assert_eq!(float_text(38.0), "38");
        assert_eq!(float_text(22.99), "22.99");
        assert_eq!(float_text(-0.5), "-0.5");
    }
}
