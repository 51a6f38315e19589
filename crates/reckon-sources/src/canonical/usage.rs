//! `usage.csv`: the hot path. A large feed is read in chunks, possibly on
//! several threads; each chunk folds straight into a [`UsageAccumulator`]
//! without building per-row objects.

use std::io::Read;

use reckon_core::model::{Measure, SourceId, UsageRecord};
use reckon_core::{UsageAccumulator, UsageRow};

use crate::error::{SourceError, SourceErrorKind};
use crate::fields::{DateCache, parse_decimal};
use crate::table::{Columns, csv_error, csv_reader};

const SOURCE: usize = 0;
const CLIENT_REF: usize = 1;
const SKU: usize = 2;
const ITEM_ID: usize = 3;
const STATUS: usize = 4;
const LAST_SEEN: usize = 5;
const CLIENT_NAME: usize = 6;
const QUANTITY: usize = 7;

const NAMES: [&str; 8] = [
    "source",
    "client_ref",
    "sku",
    "item_id",
    "status",
    "last_seen",
    "client_name",
    "quantity",
];

/// The column layout of a `usage.csv`, read from its header.
#[derive(Debug, Clone)]
pub struct UsageColumns {
    file: String,
    columns: Columns,
}

/// Reads the header record of a `usage.csv`. Required: `source, client_ref,
/// sku, item_id, status, last_seen`; optional: `client_name` (the client's
/// name as the source spells it) and `quantity` (set on count records).
pub fn usage_header(file: &str, header: &[u8]) -> Result<UsageColumns, SourceError> {
    let mut reader = csv_reader(header, false);
    let mut record = csv::ByteRecord::new();
    if !reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(file, &e))?
    {
        record.clear();
    }
    Ok(UsageColumns {
        file: file.to_string(),
        columns: Columns::resolve(file, &record, &NAMES[..6], &NAMES[6..])?,
    })
}

/// Reads a whole `usage.csv` (header included) into `usage`. Returns the
/// number of rows read.
pub fn read_usage(
    mut reader: impl Read,
    file: &str,
    usage: &mut UsageAccumulator<'_>,
) -> Result<u64, SourceError> {
    let mut text = Vec::new();
    reader
        .read_to_end(&mut text)
        .map_err(|e| SourceError::new(file, SourceErrorKind::Unreadable, e.to_string()))?;
    let header_end = memchr::memchr(b'\n', &text).map_or(text.len(), |i| i + 1);
    let columns = usage_header(file, &text[..header_end])?;
    read_usage_chunk(&text[header_end..], &columns, header_end as u64, usage)
        .map_err(|e| e.with_row(|offset| 1 + count_rows(&text[..offset as usize])))
}

/// Rows (line ends) in a prefix of a CSV text; for error messages.
pub fn count_rows(prefix: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', prefix).count() as u64
}

/// Bytes handed to the line splitter at a time.
const BLOCK_BYTES: usize = 4 << 20;

/// Reads records (no header) that start at byte `base_offset` of the file.
/// Errors carry the byte offset of the bad record; the caller turns it into
/// a row number with [`SourceError::with_row`].
///
/// Blocks without a quote character are split on commas and line ends
/// directly (the common case, several times faster than a general CSV
/// parser); from the first block with a quote on, the csv crate reads the
/// rest, so quoted fields, even with line breaks inside, stay correct.
pub fn read_usage_chunk(
    mut reader: impl Read,
    columns: &UsageColumns,
    base_offset: u64,
    usage: &mut UsageAccumulator<'_>,
) -> Result<u64, SourceError> {
    let unreadable = |e: std::io::Error| {
        SourceError::new(&columns.file, SourceErrorKind::Unreadable, e.to_string())
    };
    let wanted: Vec<Option<usize>> = (0..NAMES.len())
        .map(|i| columns.columns.position(i))
        .collect();
    let mut block = Block::new(BLOCK_BYTES);
    let mut buffer_offset = base_offset;
    let mut starts: Vec<usize> = Vec::with_capacity(16);
    let mut dates = DateCache::default();
    let mut rows = 0u64;
    loop {
        let at_end = block.fill(&mut reader).map_err(unreadable)?;
        let buffer = block.data();
        let complete = match memchr::memrchr(b'\n', buffer) {
            _ if at_end => buffer.len(),
            Some(last) => last + 1,
            // One line longer than a block: read more before splitting.
            None => continue,
        };
        if memchr::memchr(b'"', &buffer[..complete]).is_some() {
            let rest = std::io::Cursor::new(block.into_data()).chain(reader);
            return Ok(rows + read_csv_records(rest, columns, buffer_offset, usage)?);
        }
        let text = std::str::from_utf8(&buffer[..complete]).map_err(|e| {
            SourceError::new(
                &columns.file,
                SourceErrorKind::Value,
                "is not valid UTF-8 text",
            )
            .at_byte(buffer_offset + line_start(buffer, e.valid_up_to()) as u64)
        })?;
        // One pass over the block finds both separators (a vector search;
        // a byte loop and an eight-bytes-at-a-time scan were both measured
        // slower); `starts` holds where each field of the current line
        // begins.
        let bytes = text.as_bytes();
        let mut line_begin = 0;
        starts.clear();
        starts.push(0);
        let separators = memchr::memchr2_iter(b',', b'\n', bytes)
            .chain((complete > 0 && bytes[complete - 1] != b'\n').then_some(complete));
        for at in separators {
            if at < complete && bytes[at] == b',' {
                starts.push(at + 1);
                continue;
            }
            let line_end = if at > line_begin && bytes[at - 1] == b'\r' {
                at - 1
            } else {
                at
            };
            let line = Line {
                text,
                starts: &starts,
                end: line_end,
            };
            if !text[line_begin..line_end].trim_ascii().is_empty() {
                let row = parse_row(&mut dates, |column| Ok(line.field(wanted[column]))).map_err(
                    |(column, message)| {
                        SourceError::new(&columns.file, SourceErrorKind::Value, message)
                            .at_byte(buffer_offset + line_begin as u64)
                            .at_column(NAMES[column])
                    },
                )?;
                usage.add(&row);
                rows += 1;
            }
            line_begin = at + 1;
            starts.clear();
            starts.push(line_begin);
        }
        block.consume(complete);
        buffer_offset += complete as u64;
        if at_end {
            return Ok(rows);
        }
    }
}

/// One line of a block: where its fields start, and where it ends.
struct Line<'t> {
    text: &'t str,
    starts: &'t [usize],
    end: usize,
}

impl<'t> Line<'t> {
    /// Field number `position` (trimmed), or `""` if absent.
    fn field(&self, position: Option<usize>) -> &'t str {
        let Some(at) = position else {
            return "";
        };
        let Some(&start) = self.starts.get(at) else {
            return "";
        };
        let end = self.starts.get(at + 1).map_or(self.end, |next| next - 1);
        self.text[start..end].trim_ascii()
    }
}

/// A read buffer that keeps its length: only `filled` bytes are data. Each
/// refill reads into the same memory instead of zeroing it again.
struct Block {
    bytes: Vec<u8>,
    filled: usize,
}

impl Block {
    fn new(size: usize) -> Self {
        Block {
            bytes: vec![0; size],
            filled: 0,
        }
    }

    fn data(&self) -> &[u8] {
        &self.bytes[..self.filled]
    }

    /// Reads from `reader` until the block is full (growing it first if it
    /// holds less than 64 KiB of room, for a line longer than a block) or
    /// the input ends; returns whether it ended.
    fn fill(&mut self, reader: &mut impl Read) -> std::io::Result<bool> {
        if self.bytes.len() - self.filled < 64 << 10 {
            self.bytes.resize(self.filled + (64 << 10), 0);
        }
        while self.filled < self.bytes.len() {
            match reader.read(&mut self.bytes[self.filled..]) {
                Ok(0) => return Ok(true),
                Ok(read) => self.filled += read,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(false)
    }

    /// Drops the first `used` bytes, moving the rest to the front.
    fn consume(&mut self, used: usize) {
        self.bytes.copy_within(used..self.filled, 0);
        self.filled -= used;
    }

    fn into_data(mut self) -> Vec<u8> {
        self.bytes.truncate(self.filled);
        self.bytes
    }
}

fn line_start(text: &[u8], at: usize) -> usize {
    memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1)
}

/// The general path: any CSV, quoted fields included.
fn read_csv_records(
    reader: impl Read,
    columns: &UsageColumns,
    base_offset: u64,
    usage: &mut UsageAccumulator<'_>,
) -> Result<u64, SourceError> {
    let mut reader = csv_reader(reader, false);
    let mut record = csv::ByteRecord::new();
    let mut dates = DateCache::default();
    let mut rows = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(rows),
            Err(error) => {
                let offset = error.position().map_or(0, |p| p.byte());
                let mut error = csv_error(&columns.file, &error);
                error.row = None;
                return Err(error.at_byte(base_offset + offset));
            }
        }
        if record.len() == 1 && record[0].trim_ascii().is_empty() {
            continue;
        }
        let row = parse_row(&mut dates, record_field(columns, &record)).map_err(
            |(column, message)| {
                let offset = record.position().map_or(0, |p| p.byte());
                SourceError::new(&columns.file, SourceErrorKind::Value, message)
                    .at_byte(base_offset + offset)
                    .at_column(NAMES[column])
            },
        )?;
        usage.add(&row);
        rows += 1;
    }
}

/// Reads a whole `usage.csv` into owned records (for small files and tests).
pub fn read_usage_records(reader: impl Read, file: &str) -> Result<Vec<UsageRecord>, SourceError> {
    let mut text = Vec::new();
    let mut reader = reader;
    reader
        .read_to_end(&mut text)
        .map_err(|e| SourceError::new(file, SourceErrorKind::Unreadable, e.to_string()))?;
    let header_end = memchr::memchr(b'\n', &text).map_or(text.len(), |i| i + 1);
    let columns = usage_header(file, &text[..header_end])?;
    let mut csv = csv_reader(&text[header_end..], false);
    let mut record = csv::ByteRecord::new();
    let mut dates = DateCache::default();
    let mut records = Vec::new();
    let row_of = |record: &csv::ByteRecord| {
        let offset = header_end + record.position().map_or(0, |p| p.byte() as usize);
        1 + count_rows(&text[..offset])
    };
    while csv
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(file, &e))?
    {
        if record.len() == 1 && record[0].trim_ascii().is_empty() {
            continue;
        }
        let row = parse_row(&mut dates, record_field(&columns, &record)).map_err(
            |(column, message)| {
                SourceError::new(file, SourceErrorKind::Value, message)
                    .at_row(row_of(&record))
                    .at_column(NAMES[column])
            },
        )?;
        records.push(UsageRecord {
            source: SourceId::from(row.source),
            client_ref: row.client_ref.to_string(),
            client_name: (!row.client_name.is_empty()).then(|| row.client_name.to_string()),
            sku: row.sku.to_string(),
            measure: match row.quantity {
                Some(quantity) => Measure::Count { quantity },
                None => Measure::Item {
                    item_id: row.item_id.to_string(),
                },
            },
            status: row.status.to_string(),
            last_seen: row.last_seen,
        });
    }
    Ok(records)
}

/// One record's fields, checked. `field(i)` gives wanted column `i`
/// (trimmed, `""` when absent) or a UTF-8 error. Errors name the column index
/// and what was wrong.
fn parse_row<'r>(
    dates: &mut DateCache,
    field: impl Fn(usize) -> Result<&'r str, (usize, String)>,
) -> Result<UsageRow<'r>, (usize, String)> {
    let text = &field;
    let required = |column: usize| -> Result<&'r str, (usize, String)> {
        let value = text(column)?;
        if value.is_empty() {
            return Err((column, "is empty; a value is required".to_string()));
        }
        Ok(value)
    };
    let seen = text(LAST_SEEN)?;
    let last_seen = if seen.is_empty() {
        None
    } else {
        Some(dates.parse(seen).ok_or_else(|| {
            (
                LAST_SEEN,
                format!("expected a date-time such as 2025-06-28T14:03:11Z, found \"{seen}\""),
            )
        })?)
    };
    let quantity_text = text(QUANTITY)?;
    let quantity = if quantity_text.is_empty() {
        None
    } else {
        Some(parse_decimal(quantity_text).ok_or_else(|| {
            (
                QUANTITY,
                format!("expected a number, found \"{quantity_text}\""),
            )
        })?)
    };
    let item_id = text(ITEM_ID)?;
    match (item_id.is_empty(), quantity.is_some()) {
        (true, false) => {
            return Err((
                ITEM_ID,
                "is empty: an item row needs its user or device id (a count record needs a quantity instead)".to_string(),
            ));
        }
        (false, true) => {
            return Err((
                QUANTITY,
                "is set on a row that also names an item: a row is either an item or a count"
                    .to_string(),
            ));
        }
        _ => {}
    }
    Ok(UsageRow {
        source: required(SOURCE)?,
        client_ref: required(CLIENT_REF)?,
        client_name: text(CLIENT_NAME)?,
        sku: required(SKU)?,
        item_id,
        status: required(STATUS)?,
        last_seen,
        quantity,
    })
}

/// `field` for a record read by the csv crate.
fn record_field<'r>(
    columns: &'r UsageColumns,
    record: &'r csv::ByteRecord,
) -> impl Fn(usize) -> Result<&'r str, (usize, String)> {
    move |column| {
        std::str::from_utf8(columns.columns.get(record, column))
            .map_err(|_| (column, "is not valid UTF-8 text".to_string()))
    }
}
