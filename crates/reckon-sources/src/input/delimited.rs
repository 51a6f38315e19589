//! Delimited text (CSV, semicolon or tab separated), streamed row by row.
//! The layout is guessed from the first block: the delimiter, and the
//! header row below any title or blank rows a report puts above it.

use std::io::Read;

use super::record::{Cells, Header, Record};
use crate::error::{SourceError, SourceErrorKind};
use crate::values::Locale;

/// What the first block of a file says about its layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub delimiter: u8,
    /// Records (not lines) above the header: titles, notes, blank rows.
    pub rows_above_header: usize,
    pub locale: Locale,
}

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Guesses the layout from the decoded first block. `header_row`, counted
/// from 1, overrides the guess of where the header is.
pub fn sniff_layout(text: &str, complete: bool, header_row: Option<usize>) -> Layout {
    let delimiter = sniff_delimiter(text);
    let mut rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .take(60)
        .map_while(Result::ok)
        .map(|record| record.iter().map(str::to_string).collect())
        .collect();
    if !complete && rows.len() > 1 {
        rows.pop(); // may be cut short by the end of the block
    }
    let rows_above_header = match header_row {
        Some(row) => row.saturating_sub(1),
        None => guess_header(&rows),
    };
    let locale = if delimiter == b';' {
        Locale::European
    } else {
        Locale::English
    };
    Layout {
        delimiter,
        rows_above_header,
        locale,
    }
}

/// The delimiter that splits the most lines into the same number of
/// fields (more than one), counted outside quotes.
fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .take(30)
        .collect();
    let mut best = (b',', 0usize);
    for delimiter in DELIMITERS {
        let counts: Vec<usize> = lines
            .iter()
            .map(|line| count_outside_quotes(line, delimiter))
            .collect();
        // The most common non-zero count, and on how many lines it occurs.
        let mut tally: Vec<(usize, usize)> = Vec::new();
        for &count in counts.iter().filter(|&&count| count > 0) {
            match tally.iter_mut().find(|(value, _)| *value == count) {
                Some(entry) => entry.1 += 1,
                None => tally.push((count, 1)),
            }
        }
        let score = tally
            .iter()
            .map(|&(count, lines)| lines * 1000 + count)
            .max()
            .unwrap_or(0);
        if score > best.1 {
            best = (delimiter, score);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    line.bytes()
        .filter(|&byte| {
            if byte == b'"' {
                quoted = !quoted;
            }
            !quoted && byte == delimiter
        })
        .count()
}

/// The first row that is as wide as the data below it and reads as names:
/// at least two cells and at least half the widest row's cells filled, and
/// not mostly numbers.
fn guess_header(rows: &[Vec<String>]) -> usize {
    let filled = |row: &Vec<String>| row.iter().filter(|cell| !cell.trim().is_empty()).count();
    let widest = rows.iter().map(filled).max().unwrap_or(0);
    let needed = 2.max(widest.div_ceil(2));
    rows.iter()
        .position(|row| {
            let cells = filled(row);
            let numeric = row
                .iter()
                .filter(|cell| {
                    let cell = cell.trim();
                    !cell.is_empty() && cell.parse::<f64>().is_ok()
                })
                .count();
            cells >= needed && numeric * 2 < cells
        })
        .unwrap_or(0)
}

/// Streams the rows of a delimited file below its header.
pub struct DelimitedRows<R: Read> {
    file: String,
    reader: csv::Reader<R>,
    header: Header,
    record: csv::StringRecord,
    header_line: u64,
}

impl<R: Read> std::fmt::Debug for DelimitedRows<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DelimitedRows")
            .field("file", &self.file)
            .field("header", &self.header)
            .finish()
    }
}

impl<R: Read> DelimitedRows<R> {
    /// Reads up to and including the header row.
    pub fn open(file: &str, reader: R, layout: &Layout) -> Result<Self, SourceError> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(layout.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut record = csv::StringRecord::new();
        let mut header = None;
        let mut header_line = 0;
        for _ in 0..=layout.rows_above_header {
            if !reader
                .read_record(&mut record)
                .map_err(|error| csv_error(file, &error))?
            {
                break;
            }
            header_line = record.position().map_or(0, |p| p.line());
            header = Some(record.iter().map(|name| name.trim().to_string()).collect());
        }
        let header = header.ok_or_else(|| {
            SourceError::new(
                file,
                SourceErrorKind::Header,
                "is empty: no header row found",
            )
        })?;
        Ok(DelimitedRows {
            file: file.to_string(),
            reader,
            header: Header::new(header),
            record,
            header_line,
        })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    pub fn header_line(&self) -> u64 {
        self.header_line
    }

    /// The next row, or `None` at the end.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, SourceError> {
        if !self
            .reader
            .read_record(&mut self.record)
            .map_err(|error| csv_error(&self.file, &error))?
        {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, |p| p.line());
        Ok(Some(Record::row(
            &self.header,
            Cells::Csv(&self.record),
            line,
        )))
    }

    /// Bytes read so far, for progress.
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }
}

fn csv_error(file: &str, error: &csv::Error) -> SourceError {
    let mut source_error = SourceError::new(file, SourceErrorKind::Value, error.to_string());
    if let csv::ErrorKind::Utf8 { pos, .. } = error.kind() {
        source_error.message =
            "is not valid UTF-8 here (save the export as UTF-8, or as Unicode text)".to_string();
        if let Some(pos) = pos {
            source_error = source_error.at_row(pos.line());
        }
    } else if let Some(position) = error.position() {
        source_error = source_error.at_row(position.line());
    }
    source_error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_and_header_are_found_below_a_title() {
        let raw = "Agreement additions report\r\nGenerated 2026-11-30\r\n\r\nCompany;Product;Qty\r\nContoso;M365;3\r\nFabrikam;M365;4\r\nTotal;;7\r\n";
        let mut text = String::new();
        std::io::Read::read_to_string(&mut crate::input::LineEnds::new(raw.as_bytes()), &mut text)
            .unwrap();
        let layout = sniff_layout(&text, true, None);
        assert_eq!(layout.delimiter, b';');
        assert_eq!(layout.rows_above_header, 3);
        assert_eq!(layout.locale, Locale::European);
        let mut rows = DelimitedRows::open("x.csv", text.as_bytes(), &layout).unwrap();
        assert_eq!(rows.header().names(), ["Company", "Product", "Qty"]);
        assert_eq!(rows.header_line(), 4);
        let first = rows.next_record().unwrap().unwrap();
        assert_eq!(first.text("qty"), Some("3"));
        assert_eq!(first.location.to_string(), "row 5");
    }

    #[test]
    fn tabs_and_quoted_newlines() {
        let text = "a\tb\tc\n1\t\"x\ny\"\t3\n4\t5\t6\n";
        let layout = sniff_layout(text, true, None);
        assert_eq!(layout.delimiter, b'\t');
        assert_eq!(layout.rows_above_header, 0);
        let mut rows = DelimitedRows::open("x.tsv", text.as_bytes(), &layout).unwrap();
        assert_eq!(rows.next_record().unwrap().unwrap().text("b"), Some("x\ny"));
        let second = rows.next_record().unwrap().unwrap();
        assert_eq!(second.location.to_string(), "row 4");
    }
}
