//! One cell of data as a sheet writes it: the value's kind decides the
//! cell type and format, so quantities and money are numbers, times are
//! real date cells, and text from data can never become a formula.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{ExcelDateTime, Worksheet};

use super::formats::{Formats, money_display_width};

/// Excel keeps at most this many characters in a cell; longer text (a
/// pasted note) is cut rather than failing the whole workbook.
const MAX_CELL_CHARS: usize = 32_767;

#[derive(Debug, Clone, Copy)]
pub(super) enum Cell<'a> {
    Text(&'a str),
    Quantity(Decimal),
    Money(Decimal),
    Count(u64),
    /// An RFC 3339 time (shown in UTC) or a `YYYY-MM-DD` date becomes a
    /// date cell; anything else stays as the text it is.
    Time(&'a str),
    Empty,
}

impl<'a> Cell<'a> {
    pub fn quantity(value: Option<Decimal>) -> Cell<'a> {
        value.map_or(Cell::Empty, Cell::Quantity)
    }

    pub fn money(value: Option<Decimal>) -> Cell<'a> {
        value.map_or(Cell::Empty, Cell::Money)
    }

    pub fn count(value: Option<u64>) -> Cell<'a> {
        value.map_or(Cell::Empty, Cell::Count)
    }
}

/// Writes `cell` at (`row`, `col`) and returns how many characters it shows,
/// so the sheet can size its columns.
pub(super) fn write_cell(
    sheet: &mut Worksheet,
    formats: &Formats,
    currency: &str,
    (row, col): (u32, u16),
    cell: Cell<'_>,
) -> Result<usize, rust_xlsxwriter::XlsxError> {
    match cell {
        Cell::Text(text) => write_text(sheet, formats, (row, col), text),
        Cell::Quantity(value) => match value.to_f64() {
            Some(number) => {
                sheet.write_number_with_format(row, col, number, &formats.quantity)?;
                Ok(value.normalize().to_string().len())
            }
            None => write_text(sheet, formats, (row, col), &value.to_string()),
        },
        Cell::Money(value) => match value.to_f64() {
            Some(number) => {
                sheet.write_number_with_format(row, col, number, &formats.money)?;
                Ok(money_display_width(currency, integer_digits(value)))
            }
            None => write_text(sheet, formats, (row, col), &value.to_string()),
        },
        Cell::Count(value) => {
            // Counts fit an f64 exactly up to 2^53, far past any run.
            sheet.write_number_with_format(row, col, value as f64, &formats.count)?;
            Ok(integer_digits(Decimal::from(value)) * 4 / 3)
        }
        Cell::Time(text) => match excel_time(text) {
            Some((time, true)) => {
                sheet.write_datetime_with_format(row, col, time, &formats.datetime)?;
                Ok(19)
            }
            Some((date, false)) => {
                sheet.write_datetime_with_format(row, col, date, &formats.date)?;
                Ok(10)
            }
            None => write_text(sheet, formats, (row, col), text),
        },
        Cell::Empty => Ok(0),
    }
}

/// Always a string cell (never a formula); text that a spreadsheet would
/// take for a formula when retyped gets the quote prefix too.
fn write_text(
    sheet: &mut Worksheet,
    formats: &Formats,
    (row, col): (u32, u16),
    text: &str,
) -> Result<usize, rust_xlsxwriter::XlsxError> {
    if text.is_empty() {
        return Ok(0);
    }
    let text = fit_text(text);
    let format = if looks_like_formula(text) {
        &formats.quoted_text
    } else {
        &formats.text
    };
    sheet.write_string_with_format(row, col, text, format)?;
    Ok(text
        .lines()
        .map(|line| line.chars().count())
        .max()
        .unwrap_or(0))
}

/// The characters that start a formula in Excel, LibreOffice or Sheets
/// (OWASP's CSV-injection list).
pub(super) fn looks_like_formula(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

fn fit_text(text: &str) -> &str {
    match text.char_indices().nth(MAX_CELL_CHARS) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

fn integer_digits(value: Decimal) -> usize {
    let whole = value.abs().trunc();
    whole.to_string().len()
}

/// A time for an Excel cell and whether it has a time of day: RFC 3339
/// (converted to UTC) or a plain `YYYY-MM-DD`. `None` when it is neither
/// or falls outside Excel's calendar (before 1900).
pub(super) fn excel_time(text: &str) -> Option<(ExcelDateTime, bool)> {
    let text = text.trim();
    if text.len() == 10 {
        let date: jiff::civil::Date = text.parse().ok()?;
        return Some((excel_date(date)?, false));
    }
    let timestamp: jiff::Timestamp = text.parse().ok()?;
    let utc = jiff::tz::Offset::UTC.to_datetime(timestamp);
    let seconds = f64::from(utc.second()) + f64::from(utc.subsec_nanosecond()) / 1e9;
    let time = excel_date(utc.date())?
        .and_hms(
            u16::try_from(utc.hour()).ok()?,
            u8::try_from(utc.minute()).ok()?,
            seconds,
        )
        .ok()?;
    Some((time, true))
}

fn excel_date(date: jiff::civil::Date) -> Option<ExcelDateTime> {
    ExcelDateTime::from_ymd(
        u16::try_from(date.year()).ok()?,
        u8::try_from(date.month()).ok()?,
        u8::try_from(date.day()).ok()?,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_recognised() {
        assert!(looks_like_formula("=cmd|' /C calc'!A0"));
        assert!(looks_like_formula("+1"));
        assert!(looks_like_formula("-2"));
        assert!(looks_like_formula("@SUM(A1)"));
        assert!(!looks_like_formula("Contoso"));
        assert!(!looks_like_formula(""));
    }

    #[test]
    fn times_parse_as_rfc3339_or_dates_only() {
        assert!(matches!(
            excel_time("2026-10-23T12:10:39Z"),
            Some((_, true))
        ));
        assert!(matches!(
            excel_time("2026-10-23T12:10:39+02:00"),
            Some((_, true))
        ));
        assert!(matches!(excel_time("2026-10-23"), Some((_, false))));
        assert!(excel_time("yesterday").is_none());
        assert!(excel_time("").is_none());
        assert!(excel_time("1850-01-01").is_none());
    }

    #[test]
    fn long_text_is_cut_at_the_cell_limit() {
        let long = "é".repeat(MAX_CELL_CHARS + 10);
        assert_eq!(fit_text(&long).chars().count(), MAX_CELL_CHARS);
        assert_eq!(fit_text("short"), "short");
    }
}
