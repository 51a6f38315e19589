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
pub(crate) struct Table<R: Read> {
    file: String,
    reader: csv::Reader<R>,
    columns: Columns,
    names: Vec<&'static str>,
    record: csv::ByteRecord,
}

impl<R: Read> Table<R> {
    pub(crate) fn open(
        reader: R,
        file: &str,
        required: &[&'static str],
        optional: &[&'static str],
    ) -> Result<Self, SourceError> {
        let mut reader = csv_reader(reader, false);
        let mut header = csv::ByteRecord::new();
        let read = reader
            .read_byte_record(&mut header)
            .map_err(|e| csv_error(file, &e))?;
        if !read {
            header.clear();
        }
        let columns = Columns::resolve(file, &header, required, optional)?;
        Ok(Table {
            file: file.to_string(),
            reader,
            columns,
            names: required.iter().chain(optional).copied().collect(),
            record: csv::ByteRecord::new(),
        })
    }

    /// Moves to the next non-blank row; `false` at the end.
    pub(crate) fn advance(&mut self) -> Result<bool, SourceError> {
        loop {
            let read = self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|e| csv_error(&self.file, &e))?;
            if !read {
                return Ok(false);
            }
            if !self.record.iter().all(|f| f.trim_ascii().is_empty()) {
                return Ok(true);
            }
        }
    }

    pub(crate) fn row(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// The text of wanted column `column` in the current row.
    pub(crate) fn text(&self, column: usize) -> Result<&str, SourceError> {
        std::str::from_utf8(self.columns.get(&self.record, column))
            .map_err(|_| self.error(column, "is not valid UTF-8 text"))
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

    pub(crate) fn file(&self) -> &str {
        &self.file
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
