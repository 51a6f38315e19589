//! A CSV table read by column name, tolerant of what real exports contain:
//! a UTF-8 byte-order mark, CRLF line ends, quoted fields, spaces around
//! values, columns in any order, extra columns, header names in any case.

use std::io::Read;

use crate::error::{SourceError, SourceErrorKind};

/// Column positions resolved from a header row.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    /// Position of each wanted column, in the order asked for; `None` for an
    /// optional column the file lacks.
    positions: Vec<Option<usize>>,
}

impl Columns {
    pub(crate) fn resolve(
        file: &str,
        header: &csv::ByteRecord,
        required: &[&str],
        optional: &[&str],
    ) -> Result<Columns, SourceError> {
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                let name = String::from_utf8_lossy(raw);
                let name = if i == 0 {
                    name.trim_start_matches('\u{feff}')
                } else {
                    &name
                };
                name.trim().to_ascii_lowercase()
            })
            .collect();
        if names.iter().all(String::is_empty) {
            return Err(SourceError::new(
                file,
                SourceErrorKind::Header,
                format!(
                    "the file is empty: expected a header row with the columns {}",
                    required.join(", ")
                ),
            )
            .at_row(1));
        }
        for (i, name) in names.iter().enumerate() {
            if !name.is_empty() && names[..i].contains(name) {
                return Err(SourceError::new(
                    file,
                    SourceErrorKind::Header,
                    "the header names this column twice",
                )
                .at_row(1)
                .at_column(name));
            }
        }
        let mut positions = Vec::with_capacity(required.len() + optional.len());
        for &wanted in required {
            match names.iter().position(|n| n == wanted) {
                Some(at) => positions.push(Some(at)),
                None => {
                    return Err(SourceError::new(
                        file,
                        SourceErrorKind::Header,
                        format!(
                            "required column is missing (the header has: {})",
                            names.join(", ")
                        ),
                    )
                    .at_row(1)
                    .at_column(wanted));
                }
            }
        }
        positions.extend(
            optional
                .iter()
                .map(|&wanted| names.iter().position(|n| n == wanted)),
        );
        Ok(Columns { positions })
    }

    /// Where wanted column `index` sits in a record, if the file has it.
    pub(crate) fn position(&self, index: usize) -> Option<usize> {
        self.positions[index]
    }

    /// The field of wanted column `index` (trimmed), or `""` when the file
    /// lacks that optional column or the row is short.
    pub(crate) fn get<'r>(&self, record: &'r csv::ByteRecord, index: usize) -> &'r [u8] {
        self.positions[index]
            .and_then(|at| record.get(at))
            .map_or(&[][..], |field| field.trim_ascii())
    }
}

pub(crate) fn csv_reader<R: Read>(reader: R, has_headers: bool) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(has_headers)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(reader)
}

/// A small table read row by row, with row numbers for errors.
pub(crate) struct Table {
    file: String,
    rows: Rows,
    columns: Columns,
    names: Vec<&'static str>,
}

/// Where a table's rows come from.
enum Rows {
    /// Text with no quote and no bare carriage return (what exports nearly
    /// always are): lines and fields are split directly, several times
    /// faster than the general reader. The same rows come out either way.
    Plain {
        text: String,
        /// Where the next line starts.
        next: usize,
        /// Line ends before `next`.
        newlines: u64,
        /// Line number of the current record, and of the next one, as the
        /// csv crate counts them: 1 + the line ends before the byte that
        /// follows the previous record's terminator (with CRLF that is the
        /// `\r`, so the count trails the physical line).
        line: u64,
        next_line: u64,
        /// Byte ranges of the current record's fields in `text`.
        fields: Vec<(usize, usize)>,
    },
    /// Anything else: the csv crate.
    Csv {
        reader: csv::Reader<std::io::Cursor<Vec<u8>>>,
        record: csv::ByteRecord,
    },
}

impl Rows {
    fn new(text: Vec<u8>) -> Rows {
        let plain = memchr::memchr(b'"', &text).is_none()
            && memchr::memchr_iter(b'\r', &text).all(|at| text.get(at + 1) == Some(&b'\n'));
        // Valid UTF-8 as a whole, so every field (cut at ASCII commas and
        // line ends) is too: no check per field. Otherwise the csv crate's
        // path checks each field and names the one that is not.
        let text = match (plain, String::from_utf8(text)) {
            (true, Ok(text)) => {
                return Rows::Plain {
                    // The csv crate drops a byte-order mark at the start.
                    next: if text.starts_with('\u{feff}') { 3 } else { 0 },
                    text,
                    newlines: 0,
                    line: 0,
                    next_line: 1,
                    fields: Vec::new(),
                };
            }
            (_, Ok(text)) => text.into_bytes(),
            (_, Err(error)) => error.into_bytes(),
        };
        Rows::Csv {
            reader: csv_reader(std::io::Cursor::new(text), false),
            record: csv::ByteRecord::new(),
        }
    }

    /// Moves to the next record (as the csv crate sees records: empty lines
    /// are none); `false` at the end.
    fn advance(&mut self, file: &str) -> Result<bool, SourceError> {
        match self {
            Rows::Plain {
                text,
                next,
                newlines,
                line,
                next_line,
                fields,
            } => loop {
                if *next >= text.len() {
                    return Ok(false);
                }
                let start = *next;
                let bytes = text.as_bytes();
                let newline = memchr::memchr(b'\n', &bytes[start..]).map(|i| start + i);
                let end = newline.unwrap_or(text.len());
                let crlf = end > start && bytes[end - 1] == b'\r';
                let content_end = if crlf { end - 1 } else { end };
                let newlines_before = *newlines;
                *next = end + 1;
                *newlines += u64::from(newline.is_some());
                if start == content_end {
                    continue; // an empty line is no record
                }
                *line = *next_line;
                *next_line = 1 + newlines_before + u64::from(newline.is_some() && !crlf);
                fields.clear();
                let mut field_start = start;
                for (at, &byte) in bytes[start..content_end].iter().enumerate() {
                    if byte == b',' {
                        fields.push((field_start, start + at));
                        field_start = start + at + 1;
                    }
                }
                fields.push((field_start, content_end));
                return Ok(true);
            },
            Rows::Csv { reader, record } => reader
                .read_byte_record(record)
                .map_err(|e| csv_error(file, &e)),
        }
    }

    fn len(&self) -> usize {
        match self {
            Rows::Plain { fields, .. } => fields.len(),
            Rows::Csv { record, .. } => record.len(),
        }
    }

    /// Field `at` of the current record, untrimmed; `None` past its end.
    fn get(&self, at: usize) -> Option<&[u8]> {
        match self {
            Rows::Plain { text, fields, .. } => fields
                .get(at)
                .map(|&(start, end)| &text.as_bytes()[start..end]),
            Rows::Csv { record, .. } => record.get(at),
        }
    }

    /// Field `at` of the current record, trimmed; empty past its end.
    fn text(&self, at: usize) -> Result<&str, std::str::Utf8Error> {
        match self {
            Rows::Plain { text, fields, .. } => Ok(fields
                .get(at)
                .and_then(|&(start, end)| text.get(start..end))
                .map_or("", str::trim_ascii)),
            Rows::Csv { record, .. } => {
                std::str::from_utf8(record.get(at).map_or(&[][..], <[u8]>::trim_ascii))
            }
        }
    }

    /// About how many lines are left: for sizing what the rows fill.
    fn lines_left(&self) -> usize {
        match self {
            Rows::Plain { text, next, .. } => {
                memchr::memchr_iter(b'\n', text.as_bytes().get(*next..).unwrap_or_default()).count()
                    + 1
            }
            Rows::Csv { .. } => 0,
        }
    }

    fn line(&self) -> u64 {
        match self {
            Rows::Plain { line, .. } => *line,
            Rows::Csv { record, .. } => record.position().map_or(0, |p| p.line()),
        }
    }
}

impl Table {
    pub(crate) fn open(
        mut reader: impl Read,
        file: &str,
        required: &[&'static str],
        optional: &[&'static str],
    ) -> Result<Self, SourceError> {
        let mut text = Vec::new();
        reader
            .read_to_end(&mut text)
            .map_err(|e| SourceError::new(file, SourceErrorKind::Unreadable, e.to_string()))?;
        let mut rows = Rows::new(text);
        let header = if rows.advance(file)? {
            (0..rows.len()).filter_map(|at| rows.get(at)).collect()
        } else {
            csv::ByteRecord::new()
        };
        let columns = Columns::resolve(file, &header, required, optional)?;
        Ok(Table {
            file: file.to_string(),
            rows,
            columns,
            names: required.iter().chain(optional).copied().collect(),
        })
    }

    /// Moves to the next non-blank row; `false` at the end.
    pub(crate) fn advance(&mut self) -> Result<bool, SourceError> {
        while self.rows.advance(&self.file)? {
            let rows = &self.rows;
            if !(0..rows.len()).all(|at| rows.get(at).is_none_or(|f| f.trim_ascii().is_empty())) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub(crate) fn row(&self) -> u64 {
        self.rows.line()
    }

    /// The text of wanted column `column` in the current row.
    pub(crate) fn text(&self, column: usize) -> Result<&str, SourceError> {
        match self.columns.position(column) {
            Some(at) => self
                .rows
                .text(at)
                .map_err(|_| self.error(column, "is not valid UTF-8 text")),
            None => Ok(""),
        }
    }

    /// About how many rows are left (0 if unknown), to reserve room.
    pub(crate) fn rows_hint(&self) -> usize {
        self.rows.lines_left()
    }

    /// Like [`text`](Self::text), but empty is an error.
    pub(crate) fn required(&self, column: usize) -> Result<&str, SourceError> {
        let text = self.text(column)?;
        if text.is_empty() {
            return Err(self.error(column, "is empty; a value is required"));
        }
        Ok(text)
    }

    pub(crate) fn error(&self, column: usize, message: impl Into<String>) -> SourceError {
        SourceError::new(&self.file, SourceErrorKind::Value, message)
            .at_row(self.row())
            .at_column(self.names[column])
    }

    /// The current row contradicts an earlier one: `message` says how, and
    /// the error is placed at `column` of the current row.
    pub(crate) fn conflict(&self, column: &str, message: String) -> SourceError {
        SourceError::new(&self.file, SourceErrorKind::Conflict, message)
            .at_row(self.row())
            .at_column(column)
    }
}

pub(crate) fn csv_error(file: &str, error: &csv::Error) -> SourceError {
    let mut out = SourceError::new(file, SourceErrorKind::Value, error.to_string());
    if let csv::ErrorKind::Io(io) = error.kind() {
        out = SourceError::new(file, SourceErrorKind::Unreadable, io.to_string());
    }
    match error.position() {
        Some(position) => out.at_row(position.line()),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record as (line, fields).
    fn records(mut rows: Rows) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut out = Vec::new();
        while rows.advance("t.csv").expect("in memory") {
            let fields = (0..rows.len())
                .map(|at| rows.get(at).expect("in range").to_vec())
                .collect();
            out.push((rows.line(), fields));
        }
        out
    }

    #[test]
    fn plain_rows_are_the_rows_the_csv_crate_reads() {
        for text in [
            "a,b,c\n1,2,3\n",
            "a,b\r\n1,2\r\n\r\n\n3,4",
            "\u{feff}a,b\n\n\n 1 , 2 ,\n,,\n  \nx\n",
            "a\n1,2,3,4\n,\n",
            "a\n\n\nb\nc\n",
            "\n\na,b\n\n1",
            "a\r\n\r\n\r\nb\r\nc",
            "a\nb\r\n\r\nc\n\nd",
            "a\r\nb\r\n",
            "\u{feff}",
            "\u{feff}\r\na,b\r\n\r\n",
            "x\u{feff},y\n",
            "",
            "\n\n",
            "only",
        ] {
            let plain = Rows::new(text.as_bytes().to_vec());
            assert!(matches!(plain, Rows::Plain { .. }), "{text:?}");
            let csv = Rows::Csv {
                reader: csv_reader(std::io::Cursor::new(text.as_bytes().to_vec()), false),
                record: csv::ByteRecord::new(),
            };
            assert_eq!(records(plain), records(csv), "{text:?}");
        }
        for text in ["a,\"b\"\n", "a\rb\n"] {
            assert!(
                matches!(Rows::new(text.as_bytes().to_vec()), Rows::Csv { .. }),
                "{text:?}"
            );
        }
    }
}
