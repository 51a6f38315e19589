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
const DEVICE_CLASS: usize = 8;

const NAMES: [&str; 9] = [
    "source",
    "client_ref",
    "sku",
    "item_id",
    "status",
    "last_seen",
    "client_name",
    "quantity",
    "device_class",
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
        .map(|chunk| chunk.rows)
        .map_err(|e| e.with_row(|offset| 1 + count_rows(&text[..offset as usize])))
}

/// Rows (line ends) in a prefix of a CSV text; for error messages.
pub fn count_rows(prefix: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', prefix).count() as u64
}

/// Bytes handed to the line splitter at a time.
const BLOCK_BYTES: usize = 4 << 20;

/// What [`read_usage_chunk`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkRead {
    pub rows: u64,
    /// Quote characters in the chunk. A chunk cut inside a quoted field
    /// shows as an odd count before the cut.
    pub quotes: u64,
}

/// Reads records (no header) that start at byte `base_offset` of the file.
/// Errors carry the byte offset of the bad record; the caller turns it into
/// a row number with [`SourceError::with_row`].
///
/// Blocks without a quote character are split on commas and line ends
/// directly (the common case, several times faster than a general CSV
/// parser); from the first block with a quote on, the csv crate reads the
/// rest, so quoted fields, even with line breaks inside, stay correct.
pub fn read_usage_chunk(
    reader: impl Read,
    columns: &UsageColumns,
    base_offset: u64,
    usage: &mut UsageAccumulator<'_>,
) -> Result<ChunkRead, SourceError> {
    read_rows(reader, columns, base_offset, BLOCK_BYTES, &mut |row| {
        usage.add(row)
    })
}

/// [`read_usage_chunk`], handing each row to `each`; `block_bytes` is the
/// size of a block (small in tests, to cross block ends often).
fn read_rows(
    mut reader: impl Read,
    columns: &UsageColumns,
    base_offset: u64,
    block_bytes: usize,
    each: &mut impl FnMut(&UsageRow<'_>),
) -> Result<ChunkRead, SourceError> {
    let unreadable = |e: std::io::Error| {
        SourceError::new(&columns.file, SourceErrorKind::Unreadable, e.to_string())
    };
    let layout = LineLayout::new(columns);
    let mut block = Block::new(block_bytes);
    let mut buffer_offset = base_offset;
    let mut starts = vec![0usize; layout.kept];
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
            // The blocks before had no quote: only the rest needs counting.
            let mut rest = QuoteCounter {
                inner: std::io::Cursor::new(block.into_data()).chain(reader),
                quotes: 0,
            };
            rows += read_csv_records(&mut rest, columns, buffer_offset, each)?;
            return Ok(ChunkRead {
                rows,
                quotes: rest.quotes,
            });
        }
        let text = std::str::from_utf8(&buffer[..complete]).map_err(|e| {
            SourceError::new(
                &columns.file,
                SourceErrorKind::Value,
                "is not valid UTF-8 text",
            )
            .at_byte(buffer_offset + line_start(buffer, e.valid_up_to()) as u64)
        })?;
        // `starts[..count]` holds where the fields of the current line
        // begin, as far as the wanted columns need.
        let bytes = text.as_bytes();
        let mut line_begin = 0;
        let mut count = 1;
        starts[0] = 0;
        let mut last_line_open = complete > 0 && bytes[complete - 1] != b'\n';
        let mut separators = Separators::new(bytes);
        loop {
            let at = match separators.next() {
                Some(at) => at,
                // The last line of the input may have no line end.
                None if last_line_open => {
                    last_line_open = false;
                    complete
                }
                None => break,
            };
            if bytes.get(at) == Some(&b',') {
                if let Some(start) = starts.get_mut(count) {
                    *start = at + 1;
                    count += 1;
                }
                continue;
            }
            let line_end = match at.checked_sub(1) {
                Some(before) if before >= line_begin && bytes[before] == b'\r' => before,
                _ => at,
            };
            // A line with a comma is not blank.
            if count > 1 || !text[line_begin..line_end].trim_ascii().is_empty() {
                let fields = layout.fields(text, &starts[..count], line_end);
                let row = parse_row(&mut dates, &fields).map_err(|(column, message)| {
                    SourceError::new(&columns.file, SourceErrorKind::Value, message)
                        .at_byte(buffer_offset + line_begin as u64)
                        .at_column(NAMES[column])
                })?;
                each(&row);
                rows += 1;
            }
            line_begin = at + 1;
            starts[0] = line_begin;
            count = 1;
        }
        block.consume(complete);
        buffer_offset += complete as u64;
        if at_end {
            return Ok(ChunkRead { rows, quotes: 0 });
        }
    }
}

/// Where the wanted columns sit in a line.
struct LineLayout {
    /// (wanted column, field number) of each wanted column the file has.
    present: Vec<(usize, usize)>,
    /// The file has exactly the six required columns, in `NAMES` order.
    canonical: bool,
    /// Field starts a line needs: through the one after the last wanted
    /// field, which marks where that field ends.
    kept: usize,
}

impl LineLayout {
    fn new(columns: &UsageColumns) -> Self {
        let present: Vec<(usize, usize)> = (0..NAMES.len())
            .filter_map(|column| Some((column, columns.columns.position(column)?)))
            .collect();
        let last = present.iter().map(|&(_, at)| at).max().unwrap_or(0);
        let canonical = present == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5)];
        LineLayout {
            present,
            canonical,
            kept: last + 2,
        }
    }

    /// The wanted fields of one line (trimmed, `""` when absent), given
    /// where its fields start and where it ends.
    #[inline(always)]
    fn fields<'t>(&self, text: &'t str, starts: &[usize], end: usize) -> Fields<'t> {
        // The usual file: six fields, cut without looking up positions.
        if self.canonical
            && let &[s0, s1, s2, s3, s4, s5] = starts
        {
            // Splitting the line at each comma checks one boundary per
            // field, where slicing it checks two.
            let mut rest = &text[s0..end];
            let mut next = |comma: usize, start: usize| {
                let (field, after) = rest.split_at(comma - start);
                rest = after.strip_prefix(',').unwrap_or(after);
                Ok(trim(field))
            };
            let f0 = next(s1 - 1, s0);
            let f1 = next(s2 - 1, s1);
            let f2 = next(s3 - 1, s2);
            let f3 = next(s4 - 1, s3);
            let f4 = next(s5 - 1, s4);
            return [f0, f1, f2, f3, f4, Ok(trim(rest)), Ok(""), Ok(""), Ok("")];
        }
        let mut fields = [Ok(""); NAMES.len()];
        for &(column, at) in &self.present {
            if let (Some(&start), Some(field)) = (starts.get(at), fields.get_mut(column)) {
                let end = starts.get(at + 1).map_or(end, |next| next - 1);
                *field = Ok(trim(&text[start..end]));
            }
        }
        fields
    }
}

/// `text.trim_ascii()`, with a quick test first: bytes above the space are
/// never whitespace, so most fields need no trimming loop.
#[inline(always)]
fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(&first), Some(&last)) if first > b' ' && last > b' ' => text,
        _ => text.trim_ascii(),
    }
}

/// Positions of the commas and line ends in a block, 64 bytes at a time:
/// the compiler turns [`separator_mask`] into a few vector compares, and
/// each separator then costs a couple of bit operations. This replaced a
/// `memchr2` search, which paid a call per separator (six per row).
struct Separators<'b> {
    bytes: &'b [u8],
    /// Where the current chunk starts, and where the next one does.
    chunk_at: usize,
    next_at: usize,
    /// One bit per separator of the current chunk not yet given.
    hits: u64,
}

impl<'b> Separators<'b> {
    fn new(bytes: &'b [u8]) -> Self {
        Separators {
            bytes,
            chunk_at: 0,
            next_at: 0,
            hits: 0,
        }
    }
}

impl Iterator for Separators<'_> {
    type Item = usize;

    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        while self.hits == 0 {
            let rest = &self.bytes[self.next_at.min(self.bytes.len())..];
            self.hits = match rest.first_chunk::<64>() {
                Some(chunk) => separator_mask(chunk),
                None if rest.is_empty() => return None,
                // The last bytes, padded with zeros (not separators).
                None => {
                    let mut chunk = [0u8; 64];
                    chunk[..rest.len()].copy_from_slice(rest);
                    separator_mask(&chunk)
                }
            };
            self.chunk_at = self.next_at;
            self.next_at += 64;
        }
        let at = self.chunk_at + self.hits.trailing_zeros() as usize;
        self.hits &= self.hits - 1;
        Some(at)
    }
}

/// Bit `i` is set when byte `i` is a comma or a line end. Written so that it
/// compiles to vector compares without `unsafe`: the flags are one byte
/// each (0 or 1), and a multiplication gathers each eight of them into a
/// byte of the mask.
#[inline]
fn separator_mask(chunk: &[u8; 64]) -> u64 {
    let mut flags = [0u8; 64];
    for (flag, &byte) in flags.iter_mut().zip(chunk) {
        *flag = u8::from(byte == b',') | u8::from(byte == b'\n');
    }
    let mut mask = 0;
    for (i, eight) in flags.chunks_exact(8).enumerate() {
        let Ok(eight) = <[u8; 8]>::try_from(eight) else {
            unreachable!("chunks_exact(8) gives eight bytes")
        };
        // Flag j (0 or 1) lands on bit 56 + j, with no carries between them.
        let gathered = u64::from_le_bytes(eight).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask |= gathered << (8 * i);
    }
    mask
}

/// Counts `"` bytes passing through.
struct QuoteCounter<R> {
    inner: R,
    quotes: u64,
}

impl<R: Read> Read for QuoteCounter<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.quotes += memchr::memchr_iter(b'"', &buffer[..read]).count() as u64;
        Ok(read)
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

    /// Reads from `reader` until the block is full or the input ends;
    /// returns whether it ended. A full block (one line longer than a block)
    /// doubles first.
    fn fill(&mut self, reader: &mut impl Read) -> std::io::Result<bool> {
        if self.filled == self.bytes.len() {
            self.bytes.resize(2 * self.bytes.len().max(1), 0);
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
    each: &mut impl FnMut(&UsageRow<'_>),
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
        let row = parse_row(&mut dates, &record_fields(columns, &record)).map_err(
            |(column, message)| {
                let offset = record.position().map_or(0, |p| p.byte());
                SourceError::new(&columns.file, SourceErrorKind::Value, message)
                    .at_byte(base_offset + offset)
                    .at_column(NAMES[column])
            },
        )?;
        each(&row);
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
        let row = parse_row(&mut dates, &record_fields(&columns, &record)).map_err(
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

/// A row's wanted fields, in `NAMES` order: the trimmed text (`""` when
/// absent), or `Err` for one that is not UTF-8 (only a record of the csv
/// crate can have one: the fast path checks whole blocks).
type Fields<'r> = [Result<&'r str, ()>; NAMES.len()];

/// One record's fields, checked. Errors name the column index and what was
/// wrong.
#[inline(always)]
fn parse_row<'r>(
    dates: &mut DateCache,
    fields: &Fields<'r>,
) -> Result<UsageRow<'r>, (usize, String)> {
    let text = |column: usize| fields[column].map_err(|()| not_utf8(column));
    let required = |column: usize| match fields[column] {
        Ok(value) if !value.is_empty() => Ok(value),
        Ok(_) => Err(missing(column)),
        Err(()) => Err(not_utf8(column)),
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
        device_class: text(DEVICE_CLASS)?,
    })
}

#[cold]
fn not_utf8(column: usize) -> (usize, String) {
    (column, "is not valid UTF-8 text".to_string())
}

#[cold]
fn missing(column: usize) -> (usize, String) {
    (column, "is empty; a value is required".to_string())
}

/// The fields of a record read by the csv crate.
fn record_fields<'r>(columns: &UsageColumns, record: &'r csv::ByteRecord) -> Fields<'r> {
    std::array::from_fn(|column| {
        std::str::from_utf8(columns.columns.get(record, column)).map_err(|_| ())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn owned_records_keep_items_and_counts_apart() {
        let text = "source,client_ref,sku,item_id,status,last_seen,quantity,client_name\n\
                    m365,t-1,SPB, Ann@Contoso.com ,active,2025-06-28T14:03:11Z,,Contoso\n\
                    m365,t-1,SPB,,active,,42,\n";
        let records = read_usage_records(text.as_bytes(), "usage.csv").expect("valid");
        assert_eq!(records.len(), 2);
        assert_eq!(
            records[0].measure,
            Measure::Item {
                item_id: "Ann@Contoso.com".to_string()
            }
        );
        assert_eq!(records[0].client_name.as_deref(), Some("Contoso"));
        assert_eq!(
            records[0].last_seen,
            Some("2025-06-28T14:03:11Z".parse().expect("literal"))
        );
        assert_eq!(
            records[1].measure,
            Measure::Count {
                quantity: 42.into()
            }
        );
        assert_eq!(records[1].last_seen, None);
        let bad =
            "source,client_ref,sku,item_id,status,last_seen\nm365,t-1,SPB,a@b.c,active,soon\n";
        let error = read_usage_records(bad.as_bytes(), "usage.csv").expect_err("bad date");
        assert_eq!(
            (error.row, error.column.as_deref()),
            (Some(2), Some("last_seen"))
        );
    }

    use super::*;

    /// The rows (as debug text) or the error, read by the fast path in
    /// blocks of `block_bytes`.
    fn fast(text: &str, block_bytes: usize) -> Result<Vec<String>, String> {
        let (columns, header_end) = header(text)?;
        let mut rows = Vec::new();
        let body = &text.as_bytes()[header_end..];
        let read = read_rows(body, &columns, header_end as u64, block_bytes, &mut |row| {
            rows.push(format!("{row:?}"))
        })
        .map_err(|e| e.to_string())?;
        assert_eq!(read.rows, rows.len() as u64);
        let quotes = memchr::memchr_iter(b'"', body).count() as u64;
        assert_eq!(
            read.quotes, quotes,
            "quotes counted at block size {block_bytes}"
        );
        Ok(rows)
    }

    /// The same through the csv crate alone.
    fn general(text: &str) -> Result<Vec<String>, String> {
        let (columns, header_end) = header(text)?;
        let mut rows = Vec::new();
        let body = &text.as_bytes()[header_end..];
        read_csv_records(body, &columns, header_end as u64, &mut |row| {
            rows.push(format!("{row:?}"))
        })
        .map_err(|e| e.to_string())?;
        Ok(rows)
    }

    fn header(text: &str) -> Result<(UsageColumns, usize), String> {
        let end = memchr::memchr(b'\n', text.as_bytes()).map_or(text.len(), |i| i + 1);
        let columns =
            usage_header("usage.csv", &text.as_bytes()[..end]).map_err(|e| e.to_string())?;
        Ok((columns, end))
    }

    /// Both paths agree, whatever the block size.
    fn check(text: &str) -> Result<Vec<String>, String> {
        let expected = general(text);
        for block_bytes in [1, 2, 3, 7, 8, 63, 64, 65, 100, 129, 4096] {
            assert_eq!(
                fast(text, block_bytes),
                expected,
                "block of {block_bytes} bytes:\n{text}"
            );
        }
        expected
    }

    const HEADER: &str = "source,client_ref,sku,item_id,status,last_seen\n";

    #[test]
    fn plain_rows() {
        let text = format!(
            "{HEADER}m365,t-1,SPB,Ann@Contoso.com,active,2025-06-28T14:03:11Z\n\
             rmm,org-1,WORKSTATION,SN-0001,disabled,2025-05-01T00:00:00Z\n"
        );
        let rows = check(&text).expect("valid rows");
        assert_eq!(rows.len(), 2);
        assert!(
            rows[0].contains("item_id: \"Ann@Contoso.com\""),
            "{}",
            rows[0]
        );
    }

    #[test]
    fn line_ends_blank_lines_and_spaces() {
        for body in [
            "m365,t-1,SPB,ann@c.com,active,2025-06-28T14:03:11Z",
            "m365,t-1,SPB,ann@c.com,active,2025-06-28T14:03:11Z\r\n",
            "\nm365,t-1,SPB,ann@c.com,active,2025-06-28T14:03:11Z\n\n   \n\t\n",
            " m365 , t-1 ,SPB,  Ann@c.com\t,active , 2025-06-28T14:03:11Z \r\n",
            "m365,t-1,SPB,ann@c.com,active,\nrmm,o,W,s,active,\r\n",
            "m365,t-1,SPB,ann@c.com,active,",
            "m365,t-1,SPB,ann@c.com,active,\r",
            "m365,t-1,SPB,jürgen@müller.de,active,2025-06-28T14:03:11Z\n",
            "m365,t-1,SPB,ann@c.com,active,2025-06-28T14:03:11Z,extra,fields\n",
            "\r\n",
            "",
        ] {
            check(&format!("{HEADER}{body}")).expect("valid rows");
        }
    }

    #[test]
    fn columns_in_any_order_with_optional_ones() {
        let text = "extra,last_seen,Quantity,item_id,status,sku,client_name,client_ref,source,more\n\
                    x,2025-06-28T14:03:11Z,,ann@c.com,active,SPB,Contoso,t-1,m365,y\n\
                    x,2025-06-28T14:03:11Z,12.5,,active,SPB,Contoso,t-1,m365,y\n\
                    x,,3,,active,SPB,,t-1,m365\n";
        assert_eq!(check(text).expect("valid rows").len(), 3);
    }

    #[test]
    fn long_lines_cross_blocks() {
        let long_id = "x".repeat(300);
        let text = format!(
            "{HEADER}m365,t-1,SPB,{long_id},active,2025-06-28T14:03:11Z\n\
             m365,t-1,SPB,short,active,2025-06-28T14:03:11Z\n"
        );
        assert_eq!(check(&text).expect("valid rows").len(), 2);
    }

    #[test]
    fn bad_rows_are_named_the_same_way() {
        for body in [
            "m365,t-1,SPB,ann@c.com,active,yesterday\n",
            "m365,,SPB,ann@c.com,active,2025-06-28T14:03:11Z\n",
            "m365,t-1,SPB,,active,2025-06-28T14:03:11Z\n",
            "m365,t-1,SPB\n",
            ",,,,,\n",
            "m365,t-1,SPB,ann@c.com,active,2025-06-28T14:03:11Z\nrmm,o-1,W,s1,active,2025-02-30T00:00:00Z\n",
        ] {
            let error = check(&format!("{HEADER}{body}")).expect_err(body);
            assert!(error.contains("usage.csv, at byte"), "{error}");
        }
    }

    #[test]
    fn quoted_fields_switch_to_the_general_reader() {
        let text = format!(
            "{HEADER}m365,t-1,SPB,ann@c.com,active,2025-06-28T14:03:11Z\n\
             m365,t-1,SPB,\"bob,\nsmith@c.com\",active,2025-06-28T14:03:11Z\n\
             m365,t-1,SPB,cy@c.com,active,2025-06-28T14:03:11Z\n"
        );
        let rows = check(&text).expect("valid rows");
        assert_eq!(rows.len(), 3);
        assert!(rows[1].contains("bob,\\nsmith@c.com"), "{}", rows[1]);
    }

    #[test]
    fn separator_mask_marks_commas_and_line_ends_only() {
        let mut chunk = [0u8; 64];
        for (i, byte) in chunk.iter_mut().enumerate() {
            // Every byte value near the separators, in every position.
            *byte = [b',', b'\n', b'-', b'+', 0x0b, 0x09, 0x8c, 0xac, b'\r', 0][i % 10];
        }
        for shift in 0..10 {
            chunk.rotate_left(1);
            let expected = chunk.iter().enumerate().fold(0u64, |mask, (i, &b)| {
                mask | u64::from(b == b',' || b == b'\n') << i
            });
            assert_eq!(separator_mask(&chunk), expected, "shift {shift}");
        }
    }
}
