//! Any export or payload, read as a stream of [`Record`]s by field name:
//! delimited text in any common encoding (streamed), Excel workbooks (per
//! sheet), and JSON payloads (with or without an API envelope).

mod delimited;
mod json;
mod record;
mod text;
mod xlsx;

use std::io::Read;

use hashbrown::HashSet;

pub use delimited::{DelimitedRows, Layout, sniff_layout};
pub use json::JsonPayload;
pub use record::{Cells, Header, Location, Record, normalise_name};
pub use text::{LineEnds, SNIFF_LEN, decode_all, read_prefix, sniff_encoding, utf8_reader};
pub use xlsx::{Sheet, read_sheets};

use crate::error::{SourceError, SourceErrorKind};
use crate::values::Locale;

/// What kind of file the first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Delimited,
    Workbook,
    Json,
}

impl Format {
    pub fn sniff(prefix: &[u8]) -> Format {
        // XLSX is a zip file; XLS an OLE compound document.
        if prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(b"\xD0\xCF\x11\xE0") {
            return Format::Workbook;
        }
        let encoding = sniff_encoding(prefix);
        let head = decode_all(&prefix[..prefix.len().min(4096)], encoding);
        match head
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next()
        {
            Some('{' | '[') => Format::Json,
            _ => Format::Delimited,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Delimited => "delimited text",
            Format::Workbook => "workbook",
            Format::Json => "JSON",
        }
    }
}

/// How to read a file, when the user says more than the file does.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The sheet of a workbook to read (by name); default: every sheet.
    pub sheet: Option<String>,
    /// The header's row (from 1) in a table; default: guessed.
    pub header_row: Option<usize>,
}

/// One table or payload to convert: a delimited file, one sheet of a
/// workbook, or one JSON payload.
pub struct Input {
    /// The file's name, with the sheet for a workbook (`book.xlsx [Users]`).
    pub name: String,
    pub format: Format,
    pub locale: Locale,
    /// One sheet of a workbook read whole: a sheet that matches no profile
    /// (a cover page, notes) is passed over instead of failing.
    pub sheet_of_many: bool,
    body: Body,
}

enum Body {
    Delimited(DelimitedRows<Box<dyn Read + Send>>),
    Sheet { header: Header, sheet: Sheet },
    Json(JsonPayload),
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input")
            .field("name", &self.name)
            .field("format", &self.format)
            .finish()
    }
}

/// Opens a file as one or more inputs (a workbook gives one per sheet).
/// Delimited text is streamed from `reader`; workbooks and JSON are read
/// whole.
pub fn open_inputs(
    file: &str,
    reader: Box<dyn Read + Send>,
    options: &ReadOptions,
) -> Result<Vec<Input>, SourceError> {
    let unreadable = |error: std::io::Error| {
        SourceError::new(
            file,
            SourceErrorKind::Unreadable,
            format!("cannot be read: {error}"),
        )
    };
    let (prefix, mut replay) = read_prefix(reader).map_err(unreadable)?;
    if prefix.iter().all(u8::is_ascii_whitespace) {
        return Err(SourceError::new(file, SourceErrorKind::Header, "is empty"));
    }
    match Format::sniff(&prefix) {
        Format::Workbook => {
            let mut bytes = Vec::new();
            replay.read_to_end(&mut bytes).map_err(unreadable)?;
            let sheets = read_sheets(file, bytes)?;
            let chosen: Vec<Sheet> = match &options.sheet {
                Some(wanted) => {
                    let names: Vec<String> = sheets.iter().map(|s| s.name.clone()).collect();
                    let sheet = sheets
                        .into_iter()
                        .find(|sheet| sheet.name.eq_ignore_ascii_case(wanted))
                        .ok_or_else(|| {
                            SourceError::new(
                                file,
                                SourceErrorKind::Header,
                                format!(
                                    "has no sheet \"{wanted}\" (its sheets: {})",
                                    names.join(", ")
                                ),
                            )
                        })?;
                    vec![sheet]
                }
                None => sheets,
            };
            let many = chosen.len() > 1;
            if chosen.is_empty() {
                return Err(SourceError::new(
                    file,
                    SourceErrorKind::Header,
                    "has no data in any sheet",
                ));
            }
            Ok(chosen
                .into_iter()
                .map(|sheet| sheet_input(file, sheet, options.header_row, many))
                .collect())
        }
        Format::Json => {
            let mut bytes = Vec::new();
            replay.read_to_end(&mut bytes).map_err(unreadable)?;
            let text = decode_all(&bytes, sniff_encoding(&prefix));
            let payload = JsonPayload::parse(file, text.trim_start_matches('\u{feff}'))?;
            Ok(vec![Input {
                name: file.to_string(),
                format: Format::Json,
                locale: Locale::English,
                sheet_of_many: false,
                body: Body::Json(payload),
            }])
        }
        Format::Delimited => {
            let encoding = sniff_encoding(&prefix);
            let complete = prefix.len() < SNIFF_LEN;
            let mut sniffed = String::new();
            LineEnds::new(decode_all(&prefix, encoding).as_bytes())
                .read_to_string(&mut sniffed)
                .map_err(unreadable)?;
            let layout = sniff_layout(
                sniffed.trim_start_matches('\u{feff}'),
                complete,
                options.header_row,
            );
            let stream: Box<dyn Read + Send> =
                Box::new(LineEnds::new(utf8_reader(replay, encoding)));
            let rows = DelimitedRows::open(file, stream, &layout)?;
            Ok(vec![Input {
                name: file.to_string(),
                format: Format::Delimited,
                locale: layout.locale,
                sheet_of_many: false,
                body: Body::Delimited(rows),
            }])
        }
    }
}

fn sheet_input(file: &str, mut sheet: Sheet, header_row: Option<usize>, many: bool) -> Input {
    // Find the header in the sheet as in a CSV file: below titles.
    let text_rows = &sheet.rows;
    let above = match header_row {
        Some(row) => row.saturating_sub(sheet.first_row as usize),
        None => {
            let sample: String = text_rows
                .iter()
                .take(60)
                .map(|row| {
                    row.iter()
                        .map(|cell| format!("\"{}\"", cell.replace('"', "\"\"")))
                        .collect::<Vec<_>>()
                        .join(",")
                        + "\n"
                })
                .collect();
            sniff_layout(&sample, true, None).rows_above_header
        }
    };
    let header_cells = sheet.rows.get(above).cloned().unwrap_or_default();
    let header = Header::new(header_cells.iter().map(|c| c.trim().to_string()).collect());
    sheet.first_row += above as u64 + 1;
    sheet.rows.drain(..(above + 1).min(sheet.rows.len()));
    Input {
        name: format!("{file} [{}]", sheet.name),
        format: Format::Workbook,
        locale: Locale::English,
        sheet_of_many: many,
        body: Body::Sheet { header, sheet },
    }
}

impl Input {
    /// The normalised field names the input offers: a table's header, or
    /// the keys (one level deep) of a payload's first records.
    pub fn field_names(&self) -> HashSet<String> {
        match &self.body {
            Body::Delimited(rows) => header_names(rows.header()),
            Body::Sheet { header, .. } => header_names(header),
            Body::Json(payload) => payload.field_names(),
        }
    }

    /// The header as the file spells it (tables only).
    pub fn header_names(&self) -> Vec<String> {
        match &self.body {
            Body::Delimited(rows) => rows.header().names().to_vec(),
            Body::Sheet { header, .. } => header.names().to_vec(),
            Body::Json(_) => Vec::new(),
        }
    }

    /// A JSON payload's envelope key (`value`, `data`, ...).
    pub fn envelope(&self) -> Option<&str> {
        match &self.body {
            Body::Json(payload) => payload.envelope.as_deref(),
            _ => None,
        }
    }

    /// A JSON payload's root, for profiles that read fields beside the
    /// records (Partner Center links, paging).
    pub fn json_root(&self) -> Option<&serde_json::Value> {
        match &self.body {
            Body::Json(payload) => Some(&payload.root),
            _ => None,
        }
    }

    /// Calls `visit` with every record in order; stops at the first error
    /// the visitor returns. `progress` gets bytes read (streamed text only).
    pub fn for_each_record<E>(
        &mut self,
        mut visit: impl FnMut(Record<'_>) -> Result<(), E>,
        mut progress: impl FnMut(u64),
    ) -> Result<(), E>
    where
        E: From<SourceError>,
    {
        match &mut self.body {
            Body::Delimited(rows) => {
                let mut count = 0u64;
                let locale = self.locale;
                while let Some(record) = rows.next_record()? {
                    visit(record.with_locale(locale))?;
                    count += 1;
                    if count % 8192 == 0 {
                        progress(rows.bytes_read());
                    }
                }
                progress(rows.bytes_read());
                Ok(())
            }
            Body::Sheet { header, sheet } => {
                for (offset, cells) in sheet.rows.iter().enumerate() {
                    visit(Record::row(
                        header,
                        Cells::Owned(cells),
                        sheet.first_row + offset as u64,
                    ))?;
                }
                Ok(())
            }
            Body::Json(payload) => {
                for (index, value) in payload.records().iter().enumerate() {
                    visit(Record::json(value, Location::Record(index as u64 + 1)))?;
                }
                Ok(())
            }
        }
    }
}

fn header_names(header: &Header) -> HashSet<String> {
    header
        .names()
        .iter()
        .map(|name| normalise_name(name))
        .collect()
}
