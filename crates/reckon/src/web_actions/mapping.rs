//! The web app's mapping changes: new `client_map.csv`, `product_map.csv`
//! and `mapping.toml` snapshots made from the latest ones, checked with the
//! readers `reckon run` uses, their changes in the audit trail (the same
//! entries `reckon import` writes), by the signed-in user.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use reckon_core::Catalog;
use reckon_sources::canonical::{
    self,
    mapping_file::{CountingEntry, MappingFile},
};
use reckon_store::{Change, ImportKind, NewImport, SqlStore, Store};
use reckon_web::mapping_actions::{
    AcceptMapping, ActionError, ActionFuture, ClientMapRow, CountingRow, CurrentMappings,
    MappingActions, MappingKind, ProductRulesEdit, SkuMapRow,
};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::error::UserError;
use crate::importing::mapping_changes;

/// The columns of a `client_map.csv` / `product_map.csv` made from
/// nothing.
const CLIENT_MAP_COLUMNS: [&str; 3] = ["source", "external_client_id", "client_id"];
const PRODUCT_MAP_COLUMNS: [&str; 5] = ["source", "sku", "product_id", "units", "rounding"];
const MAX_UNITS: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// The workspace's mapping snapshots, for the web app.
#[derive(Debug, Clone)]
pub struct WebMapping {
    store: SqlStore,
    /// One mapping change at a time: each new snapshot is made from the
    /// latest one, so two at once would each drop the other's row.
    writing: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl WebMapping {
    pub fn new(store: SqlStore) -> WebMapping {
        WebMapping {
            store,
            writing: std::sync::Arc::new(tokio::sync::Mutex::new(())),
        }
    }
}

/// A user's mistake (a bad value, a reader's refusal) or ours.
fn classify(error: anyhow::Error) -> ActionError {
    let user = crate::error::is_user_error(&error)
        || error.downcast_ref::<UserError>().is_some()
        || error
            .downcast_ref::<reckon_sources::SourceError>()
            .is_some();
    if user {
        ActionError::User(format!("{error:#}"))
    } else {
        ActionError::Internal(format!("{error:#}"))
    }
}

/// A CSV mapping file as header and rows of text.
#[derive(Debug, Clone, Default)]
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn parse(content: &[u8], columns: &[&str]) -> Result<Table> {
        if content.is_empty() {
            return Ok(Table {
                header: columns.iter().map(|c| c.to_string()).collect(),
                rows: Vec::new(),
            });
        }
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(content);
        let header = reader
            .headers()?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            rows.push(record?.iter().map(str::to_string).collect());
        }
        Ok(Table { header, rows })
    }

    /// A column's position, added (empty in every row) when missing.
    fn column(&mut self, name: &str) -> usize {
        match self.header.iter().position(|h| h == name) {
            Some(at) => at,
            None => {
                self.header.push(name.to_string());
                self.header.len() - 1
            }
        }
    }

    fn get<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        self.header
            .iter()
            .position(|h| h == name)
            .and_then(|at| row.get(at))
            .map_or("", |v| v.trim())
    }

    fn set(&mut self, row: usize, name: &str, value: &str) {
        let at = self.column(name);
        let width = self.header.len();
        if let Some(cells) = self.rows.get_mut(row) {
            cells.resize(width.max(cells.len()), String::new());
            cells[at] = value.to_string();
        }
    }

    fn push(&mut self, values: &[(&str, &str)]) {
        for (name, _) in values {
            self.column(name);
        }
        let mut row = vec![String::new(); self.header.len()];
        for (name, value) in values {
            let at = self.column(name);
            row[at] = value.to_string();
        }
        self.rows.push(row);
    }

    fn write(&self) -> Result<Vec<u8>> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&self.header)?;
        for row in &self.rows {
            let mut cells = row.clone();
            cells.resize(self.header.len(), String::new());
            writer.write_record(&cells)?;
        }
        writer
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write a mapping file: {e}"))
    }
}

/// The latest snapshots at or before a period of the mapping kinds.
struct Latest {
    client_map: Option<Vec<u8>>,
    product_map: Option<Vec<u8>>,
    mapping_file: Option<Vec<u8>>,
    /// `clients.csv` and `products.csv`, to check that a target exists.
    clients: Option<Vec<u8>>,
    products: Option<Vec<u8>>,
}

impl WebMapping {
    async fn latest(&self, period: &str) -> Result<Latest> {
        let imports = self.store.latest_imports(period).await?;
        let mut latest = Latest {
            client_map: None,
            product_map: None,
            mapping_file: None,
            clients: None,
            products: None,
        };
        for import in imports {
            let slot = match import.kind {
                ImportKind::ClientMap => &mut latest.client_map,
                ImportKind::ProductMap => &mut latest.product_map,
                ImportKind::MappingFile => &mut latest.mapping_file,
                ImportKind::Clients => &mut latest.clients,
                ImportKind::Products => &mut latest.products,
                _ => continue,
            };
            *slot = Some(self.store.import_content(import.id).await?);
        }
        Ok(latest)
    }

    async fn current_mappings(&self, period: &str) -> Result<CurrentMappings> {
        let latest = self.latest(period).await?;
        let mut current = CurrentMappings::default();
        if let Some(content) = &latest.client_map {
            let table = Table::parse(content, &CLIENT_MAP_COLUMNS)?;
            for row in &table.rows {
                current.clients.push(ClientMapRow {
                    source: table.get(row, "source").to_string(),
                    external_id: table.get(row, "external_client_id").to_string(),
                    client_id: table.get(row, "client_id").to_string(),
                    domain: table.get(row, "domain").to_string(),
                    file: canonical::CLIENT_MAP.to_string(),
                });
            }
        }
        if let Some(content) = &latest.product_map {
            let table = Table::parse(content, &PRODUCT_MAP_COLUMNS)?;
            for row in &table.rows {
                current.skus.push(SkuMapRow {
                    source: table.get(row, "source").to_string(),
                    sku: table.get(row, "sku").to_string(),
                    product_id: table.get(row, "product_id").to_string(),
                    units: non_empty(table.get(row, "units"), "1"),
                    rounding: non_empty(table.get(row, "rounding"), "none"),
                    file: canonical::PRODUCT_MAP.to_string(),
                });
            }
        }
        if let Some(file) = mapping_file(latest.mapping_file.as_deref())? {
            for entry in file.clients {
                current.clients.push(ClientMapRow {
                    source: entry.source,
                    external_id: entry.reference,
                    client_id: entry.client,
                    domain: entry.domain,
                    file: canonical::MAPPING_FILE.to_string(),
                });
            }
            for entry in file.products {
                current.skus.push(SkuMapRow {
                    source: entry.source,
                    sku: entry.sku,
                    product_id: entry.product,
                    units: entry.units.normalize().to_string(),
                    rounding: non_empty(&entry.rounding, "none"),
                    file: canonical::MAPPING_FILE.to_string(),
                });
            }
            for (product_id, entry) in file.counting {
                current.counting.push(CountingRow {
                    product_id,
                    statuses: entry.statuses,
                    stale_days: entry.stale_days,
                    device_classes: entry.device_classes,
                    exclude_items: entry.exclude_items,
                });
            }
        }
        Ok(current)
    }

    async fn accept_mapping(&self, request: &AcceptMapping) -> Result<String> {
        crate::importing::period_last_day(&request.period)?;
        let latest = self.latest(&request.period).await?;
        let toml = mapping_file(latest.mapping_file.as_deref())?;
        let (kind, previous, columns, id_column, catalogue, catalogue_column) = match request.kind {
            MappingKind::Client => (
                ImportKind::ClientMap,
                latest.client_map.as_deref(),
                &CLIENT_MAP_COLUMNS[..],
                "external_client_id",
                latest.clients.as_deref(),
                "client_id",
            ),
            MappingKind::Product => (
                ImportKind::ProductMap,
                latest.product_map.as_deref(),
                &PRODUCT_MAP_COLUMNS[..],
                "sku",
                latest.products.as_deref(),
                "product_id",
            ),
        };
        let in_toml = toml.as_ref().and_then(|file| match request.kind {
            MappingKind::Client => file
                .clients
                .iter()
                .find(|c| c.source == request.source && c.reference == request.external_id)
                .map(|c| c.client.clone()),
            MappingKind::Product => file
                .products
                .iter()
                .find(|p| p.source == request.source && p.sku == request.external_id)
                .map(|p| p.product.clone()),
        });
        if let Some(target) = in_toml {
            return Err(UserError(format!(
                "{} {} is mapped to {target} in mapping.toml: change it there and import the file",
                request.source, request.external_id
            ))
            .into());
        }
        if let Some(catalogue) = catalogue {
            let table = Table::parse(catalogue, &[])?;
            let known = table
                .rows
                .iter()
                .any(|row| table.get(row, catalogue_column) == request.target_id);
            if !known {
                return Err(UserError(format!(
                    "{}: {} is not in the PSA's {}",
                    request.kind.as_str(),
                    request.target_id,
                    if request.kind == MappingKind::Client {
                        "clients.csv"
                    } else {
                        "products.csv"
                    }
                ))
                .into());
            }
        }
        let mut table = Table::parse(previous.unwrap_or_default(), columns)?;
        let existing = table.rows.iter().position(|row| {
            table.get(row, "source") == request.source
                && table.get(row, id_column) == request.external_id
                && table.get(row, "domain").is_empty()
        });
        let target_column = if request.kind == MappingKind::Client {
            "client_id"
        } else {
            "product_id"
        };
        match existing {
            Some(at) => table.set(at, target_column, &request.target_id),
            None => table.push(&[
                ("source", request.source.as_str()),
                (id_column, request.external_id.as_str()),
                (target_column, request.target_id.as_str()),
            ]),
        }
        let content = table.write()?;
        check(kind, &content)?;
        self.store_snapshots(
            &request.period,
            &request.actor,
            vec![(kind, previous.map(<[u8]>::to_vec), content)],
            Vec::new(),
        )
        .await?;
        Ok(format!(
            "{} {} is mapped to {} from {} on: the next run of {} uses it",
            request.source, request.external_id, request.target_id, request.period, request.period
        ))
    }

    async fn save_rules(&self, edit: &ProductRulesEdit) -> Result<String> {
        crate::importing::period_last_day(&edit.period)?;
        let latest = self.latest(&edit.period).await?;
        let mut product_map = Table::parse(
            latest.product_map.as_deref().unwrap_or_default(),
            &PRODUCT_MAP_COLUMNS,
        )?;
        let old_toml = mapping_file(latest.mapping_file.as_deref())?;
        let mut toml = old_toml.clone().unwrap_or_default();
        let mut csv_changed = false;
        let mut toml_changed = false;
        for sku in &edit.skus {
            let field = |name: &str| format!("{name} of {} {}", sku.source, sku.sku);
            let units: Decimal = sku
                .units
                .trim()
                .parse::<Decimal>()
                .ok()
                .filter(|u| *u > Decimal::ZERO && *u <= MAX_UNITS)
                .ok_or_else(|| {
                    UserError(format!(
                        "units factor ({}): expected a positive number up to 1000000, found \"{}\"",
                        field("units"),
                        sku.units
                    ))
                })?
                .normalize();
            let rounding = match sku.rounding.trim() {
                "" => "none",
                r @ ("none" | "up" | "down" | "nearest") => r,
                other => {
                    return Err(UserError(format!(
                        "rounding ({}): expected none, up, down or nearest, found \"{other}\"",
                        field("rounding")
                    ))
                    .into());
                }
            };
            let at = product_map.rows.iter().position(|row| {
                product_map.get(row, "source") == sku.source
                    && product_map.get(row, "sku") == sku.sku
                    && product_map.get(row, "product_id") == edit.product_id
            });
            if let Some(at) = at {
                let row = &product_map.rows[at];
                let old_units = non_empty(product_map.get(row, "units"), "1");
                let old_rounding = non_empty(product_map.get(row, "rounding"), "none");
                if old_units.parse::<Decimal>().ok() != Some(units) || old_rounding != rounding {
                    product_map.set(at, "units", &units.to_string());
                    product_map.set(at, "rounding", rounding);
                    csv_changed = true;
                }
            } else if let Some(entry) = toml.products.iter_mut().find(|p| {
                p.source == sku.source && p.sku == sku.sku && p.product == edit.product_id
            }) {
                let rounding = if rounding == "none" { "" } else { rounding };
                if entry.units != units || entry.rounding != rounding {
                    entry.units = units;
                    entry.rounding = rounding.to_string();
                    toml_changed = true;
                }
            } else {
                return Err(UserError(format!(
                    "{} {} is not mapped to {}: reload the page",
                    sku.source, sku.sku, edit.product_id
                ))
                .into());
            }
        }
        let list = |text: &str| -> Vec<String> {
            text.split(',')
                .map(|item| item.trim().to_string())
                .filter(|item| !item.is_empty())
                .collect()
        };
        let stale_days = match edit.stale_days.trim() {
            "" => None,
            text => Some(text.parse::<u32>().map_err(|_| {
                UserError(format!(
                    "stale window (stale_days) of {}: expected a whole number of days, found \"{text}\"",
                    edit.product_id
                ))
            })?),
        };
        let counting = CountingEntry {
            statuses: list(&edit.statuses)
                .into_iter()
                .map(|s| s.to_lowercase())
                .collect(),
            stale_days,
            device_classes: list(&edit.device_classes),
            exclude_items: list(&edit.exclude_items),
        };
        let old_counting = toml.counting.get(&edit.product_id).cloned();
        let mut counting_change = None;
        if old_counting.as_ref().unwrap_or(&CountingEntry::default()) != &counting {
            let text = |entry: Option<&CountingEntry>| {
                entry
                    .filter(|e| **e != CountingEntry::default())
                    .map(counting_text)
            };
            counting_change = Some((text(old_counting.as_ref()), text(Some(&counting))));
            if counting == CountingEntry::default() {
                toml.counting.remove(&edit.product_id);
            } else {
                toml.counting.insert(edit.product_id.clone(), counting);
            }
            toml_changed = true;
        }
        let mut snapshots = Vec::new();
        if csv_changed {
            let content = product_map.write()?;
            check(ImportKind::ProductMap, &content)?;
            snapshots.push((ImportKind::ProductMap, latest.product_map.clone(), content));
        }
        if toml_changed {
            let content = toml::to_string(&toml)
                .context("cannot write mapping.toml")?
                .into_bytes();
            check(ImportKind::MappingFile, &content)?;
            snapshots.push((
                ImportKind::MappingFile,
                latest.mapping_file.clone(),
                content,
            ));
        }
        if snapshots.is_empty() {
            return Ok(format!("{}: nothing changed", edit.product_id));
        }
        let extra = counting_change
            .map(|(old, new)| Change {
                at: String::new(),
                actor: edit.actor.clone(),
                entity: "mapping".to_string(),
                entity_id: format!("counting {}", edit.product_id),
                field: "counting rules".to_string(),
                old_value: old,
                new_value: new,
            })
            .into_iter()
            .collect();
        self.store_snapshots(&edit.period, &edit.actor, snapshots, extra)
            .await?;
        Ok(format!(
            "the rules of {} are saved: the next run of {} uses them",
            edit.product_id, edit.period
        ))
    }

    /// Stores new snapshots in one transaction, each with its mapping
    /// changes against the one it replaces (and `extra` changes with the
    /// first).
    async fn store_snapshots(
        &self,
        period: &str,
        actor: &str,
        snapshots: Vec<(ImportKind, Option<Vec<u8>>, Vec<u8>)>,
        extra: Vec<Change>,
    ) -> Result<()> {
        let at = crate::commands::run::now();
        let mut imports = Vec::new();
        let mut extra = Some(extra);
        for (kind, previous, content) in snapshots {
            let mut changes = mapping_changes(kind, previous.as_deref(), &content, &at, actor);
            for mut change in extra.take().unwrap_or_default() {
                change.at = at.clone();
                changes.push(change);
            }
            let file_name = match kind {
                ImportKind::ClientMap => canonical::CLIENT_MAP,
                ImportKind::ProductMap => canonical::PRODUCT_MAP,
                _ => canonical::MAPPING_FILE,
            };
            let rows = match kind {
                ImportKind::MappingFile => mapping_file(Some(&content))?
                    .map(|f| (f.clients.len() + f.products.len()) as u64)
                    .unwrap_or(0),
                _ => content
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    .saturating_sub(1) as u64,
            };
            imports.push(NewImport {
                period: period.to_string(),
                kind,
                source: "psa".to_string(),
                file_name: file_name.to_string(),
                file_hash: Sha256::digest(&content)
                    .iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect(),
                imported_at: at.clone(),
                imported_by: actor.to_string(),
                rows,
                newest_seen: None,
                content,
                changes,
            });
        }
        self.store.add_imports(&imports).await?;
        tracing::info!(
            period,
            snapshots = imports.len(),
            "mapping snapshot stored from the web"
        );
        Ok(())
    }
}

fn non_empty(value: &str, default: &str) -> String {
    if value.trim().is_empty() {
        default.to_string()
    } else {
        value.trim().to_string()
    }
}

fn mapping_file(content: Option<&[u8]>) -> Result<Option<MappingFile>> {
    let Some(content) = content else {
        return Ok(None);
    };
    let text = String::from_utf8(content.to_vec()).context("mapping.toml is not UTF-8")?;
    Ok(Some(MappingFile::parse(&text, canonical::MAPPING_FILE)?))
}

/// Checks a new snapshot with the reader `reckon run` uses.
fn check(kind: ImportKind, content: &[u8]) -> Result<()> {
    let mut builder = Catalog::builder();
    match kind {
        ImportKind::ClientMap => {
            canonical::read_client_map(content, canonical::CLIENT_MAP, &mut builder)?;
        }
        ImportKind::ProductMap => {
            canonical::read_product_map(content, canonical::PRODUCT_MAP, &mut builder)?;
        }
        _ => {
            let text = std::str::from_utf8(content).context("mapping.toml is not UTF-8")?;
            MappingFile::parse(text, canonical::MAPPING_FILE)?
                .apply(canonical::MAPPING_FILE, &mut builder)?;
        }
    }
    Ok(())
}

/// Counting rules in a line, for the audit trail.
fn counting_text(entry: &CountingEntry) -> String {
    let mut parts = BTreeMap::new();
    if !entry.statuses.is_empty() {
        parts.insert("statuses", entry.statuses.join(","));
    }
    if let Some(days) = entry.stale_days {
        parts.insert("stale_days", days.to_string());
    }
    if !entry.device_classes.is_empty() {
        parts.insert("device_classes", entry.device_classes.join(","));
    }
    if !entry.exclude_items.is_empty() {
        parts.insert("exclude_items", entry.exclude_items.join(","));
    }
    parts
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl MappingActions for WebMapping {
    fn current(&self, period: &str) -> ActionFuture<'_, CurrentMappings> {
        let period = period.to_string();
        Box::pin(async move { self.current_mappings(&period).await.map_err(classify) })
    }

    fn accept(&self, request: AcceptMapping) -> ActionFuture<'_, String> {
        Box::pin(async move {
            let _one_at_a_time = self.writing.lock().await;
            self.accept_mapping(&request).await.map_err(classify)
        })
    }

    fn save_product(&self, edit: ProductRulesEdit) -> ActionFuture<'_, String> {
        Box::pin(async move {
            let _one_at_a_time = self.writing.lock().await;
            self.save_rules(&edit).await.map_err(classify)
        })
    }
}
