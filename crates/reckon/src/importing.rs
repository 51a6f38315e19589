//! Turns the files given to `reckon import` into import snapshots: canonical
//! files are checked with the canonical readers and stored as they are;
//! any other export is converted with its source profile first. Billing and
//! usage are stored in one fixed column layout (usage one snapshot per
//! feed), so a run can put the latest snapshots of every feed together.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use reckon_core::Catalog;
use reckon_sources::canonical::{self, mapping_file::MappingFile};
use reckon_sources::convert::{
    BILLING_COLUMNS, CanonicalWriter, ConvertOptions, ConvertReport, FileReport, MemoryOutput,
    USAGE_COLUMNS, convert,
};
use reckon_sources::input::{ReadOptions, open_inputs};
use reckon_sources::profiles::{Context as ProfileContext, Registry};
use reckon_store::{ImportKind, NewImport};
use sha2::{Digest, Sha256};

use crate::error::UserError;

/// One file's contribution, before the period is known.
#[derive(Debug)]
struct Pending {
    kind: ImportKind,
    source: String,
    file_name: String,
    file_hash: String,
    rows: u64,
    newest_seen: Option<String>,
    content: Vec<u8>,
}

/// What the caller says beyond the files.
#[derive(Debug, Clone)]
pub struct ImportRequest<'a> {
    pub files: &'a [PathBuf],
    /// `YYYY-MM`; default: the month of the newest last-seen date.
    pub period: Option<String>,
    pub actor: String,
    /// RFC 3339 instant of the import (the caller's clock).
    pub now: jiff::Timestamp,
    pub registry: &'a Registry,
}

/// Reads, checks and converts every file; all or nothing.
pub fn prepare(request: &ImportRequest<'_>) -> Result<Vec<NewImport>> {
    let mut files = Vec::with_capacity(request.files.len());
    for path in request.files {
        let bytes = std::fs::read(path)
            .map_err(|e| UserError(format!("{}: cannot be read: {e}", path.display())))?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push(SourceFile {
            shown: path.display().to_string(),
            file_name,
            bytes,
        });
    }
    let as_of = conversion_instant(request.period.as_deref(), request.now)?;
    let mut pending = Vec::new();
    for file in files {
        pending.extend(prepare_file(file, as_of, request.registry)?.0);
    }
    finish_prepared(
        pending,
        request.period.as_deref(),
        &request.actor,
        request.now,
    )
}

/// A file to import, by the name it is shown with and its own name (which
/// tells a canonical file).
struct SourceFile {
    shown: String,
    file_name: String,
    bytes: Vec<u8>,
}

/// The instant converting judges at: the end of the period given or,
/// failing that, of this month.
fn conversion_instant(period: Option<&str>, now: jiff::Timestamp) -> Result<jiff::Timestamp> {
    let period_end = match period {
        Some(period) => period_last_day(period)?,
        None => now
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()
            .last_of_month(),
    };
    Ok(period_end
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| UserError(format!("bad period: {e}")))?)
}

/// One file's snapshots, with what the conversion said about it (nothing
/// for a canonical file).
fn prepare_file(
    file: SourceFile,
    as_of: jiff::Timestamp,
    registry: &Registry,
) -> Result<(Vec<Pending>, Option<ConvertReport>)> {
    let hash: String = Sha256::digest(&file.bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    match canonical_kind(&file.file_name) {
        Some(kind) => Ok((
            canonical_file(kind, &file.shown, &file.file_name, &hash, file.bytes)?,
            None,
        )),
        None => {
            let (pending, report) = vendor_export(
                &file.shown,
                &file.file_name,
                &hash,
                file.bytes,
                as_of,
                registry,
            )?;
            Ok((pending, Some(report)))
        }
    }
}

/// The period (given, or that of the newest last-seen date) and the
/// snapshots to store.
fn finish_prepared(
    pending: Vec<Pending>,
    period: Option<&str>,
    actor: &str,
    now: jiff::Timestamp,
) -> Result<Vec<NewImport>> {
    let period = match period {
        Some(period) => period.to_string(),
        None => period_of(&pending)?,
    };
    period_last_day(&period)?;
    Ok(pending
        .into_iter()
        .map(|p| NewImport {
            period: period.clone(),
            kind: p.kind,
            source: p.source,
            file_name: p.file_name,
            file_hash: p.file_hash,
            imported_at: now.to_string(),
            imported_by: actor.to_string(),
            rows: p.rows,
            newest_seen: p.newest_seen,
            content: p.content,
            changes: Vec::new(),
        })
        .collect())
}

/// The month of the newest last-seen date.
fn period_of(pending: &[Pending]) -> Result<String> {
    Ok(pending
        .iter()
        .filter_map(|p| p.newest_seen.as_deref())
        .max()
        .map(|newest| newest[..7].to_string())
        .ok_or_else(|| {
            UserError(
                "these files carry no last-seen date to tell the period: pass --period YYYY-MM"
                    .to_string(),
            )
        })?)
}

/// Files held in memory (uploaded, say), by name.
#[derive(Debug, Clone)]
pub struct NamedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Like [`prepare`], for files in memory (uploaded together): all or
/// nothing. Unlike `reckon import`, the PSA and vendor exports among them
/// are converted together, so a profile's parts may come in separate files
/// (NinjaOne's devices and organisations); their snapshots are named by all
/// of them.
pub fn prepare_named(
    files: &[NamedFile],
    period: Option<&str>,
    actor: &str,
    now: jiff::Timestamp,
    registry: &Registry,
) -> Result<Vec<NewImport>> {
    let as_of = conversion_instant(period, now)?;
    let (canonical, vendor): (Vec<&NamedFile>, Vec<&NamedFile>) = files
        .iter()
        .partition(|file| canonical_kind(&file.name).is_some());
    let mut pending = Vec::new();
    for file in canonical {
        pending.extend(prepare_file(named_source(file), as_of, registry)?.0);
    }
    if !vendor.is_empty() {
        pending.extend(vendor_group(&vendor, as_of, registry)?.0);
    }
    finish_prepared(pending, period, actor, now)
}

/// The name and hash snapshots of files converted together carry: the
/// names joined, the hash of their hashes (one file: its own).
fn group_identity(files: &[&NamedFile]) -> (String, String) {
    let hashes: Vec<String> = files.iter().map(|file| sha256_hex(&file.bytes)).collect();
    let name = files
        .iter()
        .map(|file| file.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let hash = if hashes.len() == 1 {
        hashes[0].clone()
    } else {
        sha256_hex(hashes.join("\n").as_bytes())
    };
    (name, hash)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Vendor exports converted in one go.
fn vendor_group(
    files: &[&NamedFile],
    as_of: jiff::Timestamp,
    registry: &Registry,
) -> Result<(Vec<Pending>, ConvertReport)> {
    let (name, hash) = group_identity(files);
    vendor_exports(
        files
            .iter()
            .map(|file| (file.name.clone(), file.bytes.clone()))
            .collect(),
        &name,
        &name,
        &hash,
        as_of,
        registry,
    )
}

fn named_source(file: &NamedFile) -> SourceFile {
    SourceFile {
        shown: file.name.clone(),
        file_name: file.name.clone(),
        bytes: file.bytes.clone(),
    }
}

/// What one file would give, without storing anything.
#[derive(Debug, Clone)]
pub struct FilePreview {
    pub file_name: String,
    pub file_hash: String,
    /// Each part the profiles recognised (a vendor export), with its rows
    /// read, used and skipped; empty for a canonical file.
    pub recognised: Vec<FileReport>,
    /// Notes of the conversion (an optional file not given).
    pub notes: Vec<String>,
    /// The snapshots it would store: kind, source, rows, newest last-seen.
    pub snapshots: Vec<(ImportKind, String, u64, Option<String>)>,
    /// Why nothing can be taken from it (it matches no profile, a row is
    /// malformed, ...).
    pub error: Option<String>,
}

/// What an import of some files would store.
#[derive(Debug, Clone)]
pub struct ImportPreview {
    /// The period the snapshots would be stored under; `Err` says why it
    /// cannot be told.
    pub period: std::result::Result<String, String>,
    pub files: Vec<FilePreview>,
}

/// Each file read and converted as [`prepare_named`] would: canonical
/// files one by one, the vendor exports together (one entry naming them
/// all) or, when they cannot be converted together, one by one, so each
/// file's problem is told.
pub fn preview(
    files: &[NamedFile],
    period: Option<&str>,
    now: jiff::Timestamp,
    registry: &Registry,
) -> ImportPreview {
    let as_of = match conversion_instant(period, now) {
        Ok(as_of) => as_of,
        Err(error) => {
            return ImportPreview {
                period: Err(format!("{error:#}")),
                files: Vec::new(),
            };
        }
    };
    let mut all = Vec::new();
    let mut previews = Vec::with_capacity(files.len());
    let mut record =
        |name: String, hash: String, outcome: Result<(Vec<Pending>, Option<ConvertReport>)>| {
            let mut preview = FilePreview {
                file_name: name,
                file_hash: hash,
                recognised: Vec::new(),
                notes: Vec::new(),
                snapshots: Vec::new(),
                error: None,
            };
            match outcome {
                Ok((pending, report)) => {
                    if let Some(report) = report {
                        preview.recognised = report.files;
                        preview.notes = report.notes;
                    }
                    preview.snapshots = pending
                        .iter()
                        .map(|p| (p.kind, p.source.clone(), p.rows, p.newest_seen.clone()))
                        .collect();
                    all.extend(pending);
                }
                Err(error) => preview.error = Some(format!("{error:#}")),
            }
            previews.push(preview);
        };
    let (canonical, vendor): (Vec<&NamedFile>, Vec<&NamedFile>) = files
        .iter()
        .partition(|file| canonical_kind(&file.name).is_some());
    for file in canonical {
        record(
            file.name.clone(),
            sha256_hex(&file.bytes),
            prepare_file(named_source(file), as_of, registry),
        );
    }
    if vendor.len() > 1
        && let Ok((pending, report)) = vendor_group(&vendor, as_of, registry)
    {
        let (name, hash) = group_identity(&vendor);
        record(name, hash, Ok((pending, Some(report))));
    } else {
        for file in vendor {
            record(
                file.name.clone(),
                sha256_hex(&file.bytes),
                prepare_file(named_source(file), as_of, registry),
            );
        }
    }
    let period = match period {
        Some(period) => Ok(period.to_string()),
        None if all.is_empty() => Err("no file could be read".to_string()),
        None => period_of(&all).map_err(|e| {
            format!("{e:#}").replace("pass --period YYYY-MM", "give the period (YYYY-MM)")
        }),
    };
    ImportPreview {
        period,
        files: previews,
    }
}

/// The last day of a `YYYY-MM` period.
pub fn period_last_day(period: &str) -> Result<jiff::civil::Date> {
    let bad = || {
        UserError(format!(
            "period {period}: expected YYYY-MM, such as 2026-11"
        ))
    };
    let (year, month) = period.split_once('-').ok_or_else(bad)?;
    if year.len() != 4 || month.len() != 2 {
        return Err(bad().into());
    }
    let date = jiff::civil::Date::new(
        year.parse().map_err(|_| bad())?,
        month.parse().map_err(|_| bad())?,
        1,
    )
    .map_err(|_| bad())?;
    Ok(date.last_of_month())
}

fn canonical_kind(file_name: &str) -> Option<ImportKind> {
    Some(match file_name.to_ascii_lowercase().as_str() {
        "billing.csv" => ImportKind::Billing,
        "usage.csv" => ImportKind::Usage,
        "subscriptions.csv" => ImportKind::Subscriptions,
        "clients.csv" => ImportKind::Clients,
        "products.csv" => ImportKind::Products,
        "client_map.csv" => ImportKind::ClientMap,
        "product_map.csv" => ImportKind::ProductMap,
        "mapping.toml" => ImportKind::MappingFile,
        _ => return None,
    })
}

/// A canonical file: checked by the reader `reckon run` uses, then kept
/// (billing and usage in the stored layout).
fn canonical_file(
    kind: ImportKind,
    shown: &str,
    file_name: &str,
    hash: &str,
    bytes: Vec<u8>,
) -> Result<Vec<Pending>> {
    let mut builder = Catalog::builder();
    let single = |rows: u64, content: Vec<u8>| Pending {
        kind,
        source: "psa".to_string(),
        file_name: file_name.to_string(),
        file_hash: hash.to_string(),
        rows,
        newest_seen: None,
        content,
    };
    Ok(match kind {
        ImportKind::Billing => {
            let lines = canonical::read_billing(&bytes[..], shown)?;
            // The optional columns reports read (agreement id, included
            // quantity) are checked now, not when a report is made.
            crate::report_source::read_lines(&bytes, shown)?;
            vec![single(
                lines.len() as u64,
                relayout(&bytes, &BILLING_COLUMNS, shown)?,
            )]
        }
        ImportKind::Usage | ImportKind::Subscriptions => {
            if kind == ImportKind::Usage {
                canonical::read_usage_records(&bytes[..], shown)?;
            }
            split_by_source(kind, &bytes, shown, file_name, hash)?
        }
        ImportKind::Clients => {
            let rows = canonical::read_clients(&bytes[..], shown, &mut builder)?;
            vec![single(rows as u64, bytes)]
        }
        ImportKind::Products => {
            let rows = canonical::read_products(&bytes[..], shown, &mut builder)?;
            vec![single(rows as u64, bytes)]
        }
        ImportKind::ClientMap => {
            let rows = canonical::read_client_map(&bytes[..], shown, &mut builder)?;
            vec![single(rows as u64, bytes)]
        }
        ImportKind::ProductMap => {
            let rows = canonical::read_product_map(&bytes[..], shown, &mut builder)?;
            vec![single(rows as u64, bytes)]
        }
        ImportKind::MappingFile => {
            let text = String::from_utf8(bytes)
                .map_err(|_| UserError(format!("{shown}: is not UTF-8 text")))?;
            let file = MappingFile::parse(&text, shown)?;
            file.apply(shown, &mut builder)?;
            vec![single(
                (file.clients.len() + file.products.len()) as u64,
                text.into_bytes(),
            )]
        }
    })
}

/// A PSA or vendor export, converted with its profile.
fn vendor_export(
    shown: &str,
    file_name: &str,
    hash: &str,
    bytes: Vec<u8>,
    as_of: jiff::Timestamp,
    registry: &Registry,
) -> Result<(Vec<Pending>, ConvertReport)> {
    vendor_exports(
        vec![(shown.to_string(), bytes)],
        shown,
        file_name,
        hash,
        as_of,
        registry,
    )
}

/// PSA or vendor exports converted together (a profile's parts may come
/// in separate files), their snapshots named `file_name`.
fn vendor_exports(
    files: Vec<(String, Vec<u8>)>,
    shown: &str,
    file_name: &str,
    hash: &str,
    as_of: jiff::Timestamp,
    registry: &Registry,
) -> Result<(Vec<Pending>, ConvertReport)> {
    let mut inputs = Vec::new();
    for (name, bytes) in files {
        inputs.extend(open_inputs(
            &name,
            Box::new(std::io::Cursor::new(bytes)),
            &ReadOptions::default(),
        )?);
    }
    let output = MemoryOutput::default();
    let mut writer = CanonicalWriter::new(output.clone());
    let context = ProfileContext::for_as_of(as_of);
    let report = convert(
        registry,
        inputs,
        &ConvertOptions::default(),
        &context,
        &mut writer,
        &mut |_, _| {},
    )
    .map_err(|error| match error {
        reckon_sources::convert::ConvertError::Input(error) => anyhow::Error::new(error),
        reckon_sources::convert::ConvertError::Output(error) => anyhow::Error::new(error),
    })?;
    writer.finish().context("cannot convert in memory")?;
    for file in &report.files {
        tracing::info!(file = %file.file, profile = %file.profile, rows = file.rows_used, "converted");
    }
    let texts = output.texts();
    let mut pending = Vec::new();
    if let Some(billing) = texts.get("billing.csv")
        && billing.lines().count() > 1
    {
        pending.push(Pending {
            kind: ImportKind::Billing,
            source: "psa".to_string(),
            file_name: file_name.to_string(),
            file_hash: hash.to_string(),
            rows: billing.lines().count() as u64 - 1,
            newest_seen: None,
            content: billing.clone().into_bytes(),
        });
    }
    for (name, kind) in [
        ("usage.csv", ImportKind::Usage),
        ("subscriptions.csv", ImportKind::Subscriptions),
    ] {
        if let Some(text) = texts.get(name)
            && text.lines().count() > 1
        {
            pending.extend(split_by_source(
                kind,
                text.as_bytes(),
                shown,
                file_name,
                hash,
            )?);
        }
    }
    if let Some(clients) = texts.get("clients.csv")
        && clients.lines().count() > 1
    {
        pending.push(Pending {
            kind: ImportKind::Clients,
            source: "psa".to_string(),
            file_name: file_name.to_string(),
            file_hash: hash.to_string(),
            rows: clients.lines().count() as u64 - 1,
            newest_seen: None,
            content: clients.clone().into_bytes(),
        });
    }
    if pending.is_empty() {
        return Err(UserError(format!("{shown}: no record could be read from it")).into());
    }
    Ok((pending, report))
}

/// Rewrites a CSV text into `columns` (by header name; missing ones empty).
pub(crate) fn relayout(bytes: &[u8], columns: &[&str], shown: &str) -> Result<Vec<u8>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| UserError(format!("{shown}: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let positions: Vec<Option<usize>> = columns
        .iter()
        .map(|column| header.iter().position(|h| h.eq_ignore_ascii_case(column)))
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(columns)?;
    for record in reader.records() {
        let record = record.map_err(|e| UserError(format!("{shown}: {e}")))?;
        writer.write_record(
            positions
                .iter()
                .map(|at| at.and_then(|i| record.get(i)).unwrap_or("")),
        )?;
    }
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot lay out {shown}: {e}"))
}

/// A feed's rows being gathered: the CSV so far, its row count and its
/// newest last-seen instant.
type FeedSnapshot = (csv::Writer<Vec<u8>>, u64, Option<String>);

/// One snapshot per feed, in the stored layout, with each feed's newest
/// last-seen instant.
fn split_by_source(
    kind: ImportKind,
    bytes: &[u8],
    shown: &str,
    file_name: &str,
    hash: &str,
) -> Result<Vec<Pending>> {
    let columns: Vec<&str> = match kind {
        ImportKind::Usage => USAGE_COLUMNS.to_vec(),
        _ => reckon_sources::convert::SUBSCRIPTION_COLUMNS.to_vec(),
    };
    let laid_out = relayout(bytes, &columns, shown)?;
    let source_at = columns.iter().position(|c| *c == "source").unwrap_or(0);
    let seen_at = columns.iter().position(|c| *c == "last_seen");
    let mut reader = csv::Reader::from_reader(&laid_out[..]);
    let mut per_source: BTreeMap<String, FeedSnapshot> = BTreeMap::new();
    for record in reader.records() {
        let record = record?;
        let source = record.get(source_at).unwrap_or("").to_string();
        let entry = per_source.entry(source).or_insert_with(|| {
            let mut writer = csv::Writer::from_writer(Vec::new());
            let _ = writer.write_record(&columns);
            (writer, 0, None)
        });
        entry.0.write_record(&record)?;
        entry.1 += 1;
        if let Some(seen) = seen_at
            .and_then(|i| record.get(i))
            .filter(|s| !s.is_empty())
            && entry.2.as_deref().is_none_or(|newest| seen > newest)
        {
            entry.2 = Some(seen.to_string());
        }
    }
    per_source
        .into_iter()
        .map(|(source, (writer, rows, newest_seen))| {
            Ok(Pending {
                kind,
                source,
                file_name: file_name.to_string(),
                file_hash: hash.to_string(),
                rows,
                newest_seen,
                content: writer
                    .into_inner()
                    .map_err(|e| anyhow::anyhow!("cannot split {shown}: {e}"))?,
            })
        })
        .collect()
}

/// The mapping decisions a mapping file holds, keyed by what is mapped:
/// a client reference (with its domain, for a split tenant) to the client
/// it goes to; a (SKU, product) pair to its units and rounding.
fn decisions(kind: ImportKind, content: &[u8]) -> BTreeMap<(String, String, String), String> {
    let mut decisions = BTreeMap::new();
    let product_value = |product: &str, units: &str, rounding: &str| {
        let mut value = format!("{product} x {}", if units.is_empty() { "1" } else { units });
        if !rounding.is_empty() && rounding != "none" {
            value.push_str(&format!(" rounded {rounding}"));
        }
        value
    };
    match kind {
        ImportKind::ClientMap | ImportKind::ProductMap => {
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(content);
            let Ok(header) = reader.headers().cloned() else {
                return decisions;
            };
            let at = |name: &str| {
                header.iter().position(|h| {
                    h.trim()
                        .trim_start_matches('\u{feff}')
                        .eq_ignore_ascii_case(name)
                })
            };
            let source = at("source");
            for record in reader.records().flatten() {
                let get = |at: Option<usize>| {
                    at.and_then(|i| record.get(i))
                        .unwrap_or("")
                        .trim()
                        .to_string()
                };
                if kind == ImportKind::ClientMap {
                    decisions.insert(
                        (
                            get(source),
                            get(at("external_client_id")),
                            get(at("domain")),
                        ),
                        get(at("client_id")),
                    );
                } else {
                    let product = get(at("product_id"));
                    decisions.insert(
                        (get(source), get(at("sku")), product.clone()),
                        product_value(&product, &get(at("units")), &get(at("rounding"))),
                    );
                }
            }
        }
        ImportKind::MappingFile => {
            if let Ok(file) = MappingFile::parse(&String::from_utf8_lossy(content), "mapping.toml")
            {
                for entry in file.clients {
                    decisions.insert((entry.source, entry.reference, entry.domain), entry.client);
                }
                for entry in file.products {
                    let units = entry.units.normalize().to_string();
                    let value = product_value(&entry.product, &units, &entry.rounding);
                    decisions.insert((entry.source, entry.sku, entry.product), value);
                }
            }
        }
        _ => {}
    }
    decisions
}

/// The audit entries for a new import of a mapping file against the one
/// it replaces: every mapping added, removed or changed, old and new.
pub fn mapping_changes(
    kind: ImportKind,
    previous: Option<&[u8]>,
    next: &[u8],
    at: &str,
    actor: &str,
) -> Vec<reckon_store::Change> {
    let before = previous.map(|p| decisions(kind, p)).unwrap_or_default();
    let after = decisions(kind, next);
    let change = |key: &(String, String, String), old: Option<&String>, new: Option<&String>| {
        let mut entity_id = format!("{} {} {}", kind.as_str(), key.0, key.1);
        if !key.2.is_empty() && kind != ImportKind::ProductMap {
            entity_id.push_str(&format!(" ({})", key.2));
        }
        reckon_store::Change {
            at: at.to_string(),
            actor: actor.to_string(),
            entity: "mapping".to_string(),
            entity_id,
            field: "target".to_string(),
            old_value: old.cloned(),
            new_value: new.cloned(),
        }
    };
    let mut changes = Vec::new();
    for (key, value) in &after {
        match before.get(key) {
            None => changes.push(change(key, None, Some(value))),
            Some(old) if old != value => changes.push(change(key, Some(old), Some(value))),
            Some(_) => {}
        }
    }
    for (key, value) in &before {
        if !after.contains_key(key) {
            changes.push(change(key, Some(value), None));
        }
    }
    changes
}

/// Imports `request`'s files into the workspace in one transaction: each
/// mapping file's changes against the one it replaces go to the audit
/// trail. Returns every prepared snapshot with what became of it.
pub async fn import_files(
    workspace: &crate::workspace::Workspace,
    request: &ImportRequest<'_>,
) -> Result<Vec<(NewImport, reckon_store::ImportOutcome)>> {
    store_imports(workspace, prepare(request)?).await
}

/// Stores prepared snapshots in one transaction, each mapping file's
/// changes against the one it replaces going to the audit trail.
pub async fn store_imports(
    workspace: &crate::workspace::Workspace,
    mut imports: Vec<NewImport>,
) -> Result<Vec<(NewImport, reckon_store::ImportOutcome)>> {
    use reckon_store::Store;
    for import in imports.iter_mut().filter(|i| {
        matches!(
            i.kind,
            ImportKind::ClientMap | ImportKind::ProductMap | ImportKind::MappingFile
        )
    }) {
        let previous = workspace
            .store
            .latest_imports(&import.period)
            .await?
            .into_iter()
            .find(|p| p.kind == import.kind && p.source == import.source);
        let previous_content = match previous {
            Some(previous) => Some(workspace.store.import_content(previous.id).await?),
            None => None,
        };
        import.changes = mapping_changes(
            import.kind,
            previous_content.as_deref(),
            &import.content,
            &import.imported_at,
            &import.imported_by,
        );
    }
    let outcomes = workspace.store.add_imports(&imports).await?;
    Ok(imports.into_iter().zip(outcomes).collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The canonical readers accept headers in any case; the stored layout
    /// must keep those columns too, not blank them.
    #[test]
    fn a_snapshot_keeps_columns_whatever_the_case_of_their_header() {
        let text = "Line_ID,Client_ID,Product_ID,Quantity,Unit_Price\nL1,C1,P1,3,9.50\n";
        let laid_out = relayout(text.as_bytes(), &BILLING_COLUMNS, "billing.csv").unwrap();
        let laid_out = String::from_utf8(laid_out).unwrap();
        let row = laid_out.lines().nth(1).unwrap();
        assert!(row.starts_with("L1,C1,,P1,3,9.50"), "{row}");
    }

    #[test]
    fn a_bad_included_quantity_is_refused_at_import_naming_row_and_column() {
        let text = "line_id,client_id,client_name,product_id,quantity,unit_price,included\nL1,C1,Contoso,P1,3,9.50,ten\n";
        let error = canonical_file(
            ImportKind::Billing,
            "billing.csv",
            "billing.csv",
            "hash",
            text.as_bytes().to_vec(),
        )
        .err()
        .unwrap();
        let message = format!("{error:#}");
        assert!(message.contains("row 2, column included"), "{message}");
    }
}
