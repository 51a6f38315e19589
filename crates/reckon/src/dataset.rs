//! Loads a canonical data set (`billing.csv`, `usage.csv`, `client_map.csv`,
//! `product_map.csv`, `products.csv`, optional `clients.csv`) from a
//! directory or from memory, reading a large `usage.csv` on several threads.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use reckon_core::model::BillingLine;
use reckon_core::{Catalog, RunParams, UsageAccumulator};
use reckon_sources::canonical::{self, UsageColumns};
use reckon_sources::{SourceError, SourceErrorKind};

/// Everything but usage: the catalogue and what the PSA bills.
#[derive(Debug)]
pub struct Reference {
    pub catalog: Catalog,
    pub billing: Vec<BillingLine>,
}

/// Where the files of a data set come from.
pub trait Files {
    /// Opens a file of the set, or `None` when it does not exist.
    fn open(&self, name: &str) -> Result<Option<Box<dyn Read + '_>>, SourceError>;
}

/// A directory on disk.
#[derive(Debug)]
pub struct Dir<'a>(pub &'a Path);

impl Files for Dir<'_> {
    fn open(&self, name: &str) -> Result<Option<Box<dyn Read + '_>>, SourceError> {
        let path = self.0.join(name);
        match File::open(&path) {
            Ok(file) => Ok(Some(Box::new(file))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SourceError::new(
                &path.display().to_string(),
                SourceErrorKind::Unreadable,
                e.to_string(),
            )),
        }
    }
}

/// Files held in memory (the built-in demo), by name.
#[derive(Debug)]
pub struct InMemory<'a>(pub &'a [(&'a str, &'a str)]);

impl Files for InMemory<'_> {
    fn open(&self, name: &str) -> Result<Option<Box<dyn Read + '_>>, SourceError> {
        Ok(self
            .0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| Box::new(text.as_bytes()) as Box<dyn Read>))
    }
}

fn required<'f>(files: &'f dyn Files, name: &str) -> Result<Box<dyn Read + 'f>, SourceError> {
    files.open(name)?.ok_or_else(|| {
        SourceError::new(
            name,
            SourceErrorKind::Unreadable,
            "file not found: a data set needs billing.csv, usage.csv, products.csv, and client_map.csv and product_map.csv (or mapping.toml)",
        )
    })
}

/// Reads the catalogue, the mappings and the billing lines. The billing
/// file, the largest, is read on a second thread meanwhile. When several
/// files are bad, the error of the first in the order products, clients,
/// billing, client map, product map is reported.
pub fn load_reference(files: &(dyn Files + Sync)) -> Result<Reference, SourceError> {
    let (billing, catalog_files) = std::thread::scope(|scope| {
        let billing = scope.spawn(|| {
            canonical::read_billing(required(files, canonical::BILLING)?, canonical::BILLING)
        });
        let mut builder = Catalog::builder();
        let before_billing = (|| {
            canonical::read_products(
                required(files, canonical::PRODUCTS)?,
                canonical::PRODUCTS,
                &mut builder,
            )?;
            if let Some(clients) = files.open(canonical::CLIENTS)? {
                canonical::read_clients(clients, canonical::CLIENTS, &mut builder)?;
            }
            Ok(())
        })();
        let after_billing = (|| {
            // mapping.toml may hold the mappings instead of the two CSV
            // files, or add rules and more mappings beside them.
            let mapping_file = files.open(canonical::MAPPING_FILE)?;
            let needed = |name: &str| -> Result<Option<Box<dyn Read + '_>>, SourceError> {
                if mapping_file.is_some() {
                    files.open(name)
                } else {
                    required(files, name).map(Some)
                }
            };
            if let Some(reader) = needed(canonical::CLIENT_MAP)? {
                canonical::read_client_map(reader, canonical::CLIENT_MAP, &mut builder)?;
            }
            if let Some(reader) = needed(canonical::PRODUCT_MAP)? {
                canonical::read_product_map(reader, canonical::PRODUCT_MAP, &mut builder)?;
            }
            if let Some(reader) = mapping_file {
                canonical::mapping_file::MappingFile::read(reader, canonical::MAPPING_FILE)?
                    .apply(canonical::MAPPING_FILE, &mut builder)?;
            }
            Ok(())
        })();
        let billing = billing.join().expect("the billing reader thread panicked");
        (billing, (builder, before_billing, after_billing))
    });
    let (mut builder, before_billing, after_billing): (
        _,
        Result<(), SourceError>,
        Result<(), SourceError>,
    ) = catalog_files;
    before_billing?;
    let billing = billing?;
    after_billing?;
    for line in &billing {
        builder.add_billing_line(line);
    }
    Ok(Reference {
        catalog: builder.build(),
        billing,
    })
}

/// Reads `usage.csv` from in-memory or small sources on one thread.
pub fn load_usage<'c>(
    files: &dyn Files,
    catalog: &'c Catalog,
    params: &RunParams,
) -> Result<UsageAccumulator<'c>, SourceError> {
    let mut usage = UsageAccumulator::new(catalog, params);
    canonical::read_usage(
        required(files, canonical::USAGE)?,
        canonical::USAGE,
        &mut usage,
    )?;
    Ok(usage)
}

/// Below this size one thread reads the whole file.
const PARALLEL_MIN_BYTES: u64 = 8 << 20;

/// Reads a `usage.csv` file in `threads` byte ranges at once, each into its
/// own accumulator, then merges them in file order.
///
/// Ranges are cut at line ends. A line end inside a quoted field would cut a
/// record in two; each reader counts the quote characters it sees, and if the
/// count before any cut is odd, the file is read again on one thread.
pub fn load_usage_file<'c>(
    path: &Path,
    catalog: &'c Catalog,
    params: &RunParams,
    threads: usize,
) -> Result<UsageAccumulator<'c>, SourceError> {
    let name = canonical::USAGE;
    let unreadable = |e: std::io::Error| {
        let message = match e.kind() {
            std::io::ErrorKind::NotFound => "file not found: a data set needs billing.csv, usage.csv, client_map.csv, product_map.csv and products.csv".to_string(),
            _ => e.to_string(),
        };
        SourceError::new(name, SourceErrorKind::Unreadable, message)
    };
    let mut file = File::open(path).map_err(unreadable)?;
    let length = file.metadata().map_err(unreadable)?.len();
    let mut head = vec![0u8; length.min(1 << 16) as usize];
    file.read_exact(&mut head).map_err(unreadable)?;
    let header_end = memchr::memchr(b'\n', &head).map_or(head.len(), |i| i + 1) as u64;
    let columns = canonical::usage_header(name, &head[..header_end as usize])?;

    let threads = if length < PARALLEL_MIN_BYTES {
        1
    } else {
        threads.max(1)
    };
    let row_bytes = average_row_bytes(&head[header_end as usize..]);
    let mut cuts = vec![header_end];
    for i in 1..threads as u64 {
        let at = header_end + (length - header_end) * i / threads as u64;
        cuts.push(next_line_start(&mut file, at, length).map_err(unreadable)?);
    }
    cuts.push(length);
    cuts.dedup();

    let started = std::time::Instant::now();
    let outcomes: Vec<Result<(UsageAccumulator<'c>, u64), SourceError>> =
        std::thread::scope(|scope| {
            let workers: Vec<_> = cuts
                .windows(2)
                .map(|range| {
                    let (start, end) = (range[0], range[1]);
                    let columns = &columns;
                    scope.spawn(move || {
                        read_range(path, columns, start, end, row_bytes, catalog, params)
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().expect("a usage reader thread panicked"))
                .collect()
        });

    tracing::info!(
        threads = cuts.len() - 1,
        duration_ms = started.elapsed().as_millis() as u64,
        "parsed usage ranges"
    );
    let mut accumulators = Vec::with_capacity(outcomes.len());
    let mut quotes_before_cut = 0u64;
    let mut torn = false;
    for outcome in outcomes {
        let (usage, quotes) = outcome.map_err(|e| e.with_row(|offset| row_at(path, offset)))?;
        quotes_before_cut += quotes;
        torn |= quotes_before_cut % 2 == 1;
        accumulators.push(usage);
    }
    if torn && threads > 1 {
        tracing::info!("usage.csv has line breaks inside quoted fields; reading it on one thread");
        return load_usage_file(path, catalog, params, 1);
    }
    let mut accumulators = accumulators.into_iter();
    let mut usage = accumulators
        .next()
        .unwrap_or_else(|| UsageAccumulator::new(catalog, params));
    for other in accumulators {
        usage.merge(other);
    }
    Ok(usage)
}

fn read_range<'c>(
    path: &Path,
    columns: &UsageColumns,
    start: u64,
    end: u64,
    row_bytes: u64,
    catalog: &'c Catalog,
    params: &RunParams,
) -> Result<(UsageAccumulator<'c>, u64), SourceError> {
    let unreadable = |e: std::io::Error| {
        SourceError::new(canonical::USAGE, SourceErrorKind::Unreadable, e.to_string())
    };
    let mut file = File::open(path).map_err(unreadable)?;
    file.seek(SeekFrom::Start(start)).map_err(unreadable)?;
    let expected_rows = ((end - start) / row_bytes.max(1)) as usize;
    let mut usage =
        UsageAccumulator::with_capacity(catalog, params, expected_rows + expected_rows / 16);
    let read = canonical::read_usage_chunk(file.take(end - start), columns, start, &mut usage)?;
    Ok((usage, read.quotes))
}

/// The first byte after the line end at or after `at`.
fn next_line_start(file: &mut File, at: u64, length: u64) -> std::io::Result<u64> {
    let mut position = at;
    let mut buffer = vec![0u8; 1 << 16];
    while position < length {
        file.seek(SeekFrom::Start(position))?;
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        if let Some(i) = memchr::memchr(b'\n', &buffer[..read]) {
            return Ok(position + i as u64 + 1);
        }
        position += read as u64;
    }
    Ok(length)
}

fn average_row_bytes(sample: &[u8]) -> u64 {
    let rows = memchr::memchr_iter(b'\n', sample).count() as u64;
    (sample.len() as u64).checked_div(rows).unwrap_or(64)
}

/// The spreadsheet row number of the record at byte `offset` (header = 1).
fn row_at(path: &Path, offset: u64) -> u64 {
    let Ok(file) = File::open(path) else {
        return 0;
    };
    let mut prefix = Vec::new();
    if file.take(offset).read_to_end(&mut prefix).is_err() {
        return 0;
    }
    1 + canonical::count_rows(&prefix)
}
