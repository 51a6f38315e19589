//! The mapping files of a data set: what `reckon map` reads to make
//! suggestions, and how it records a decision (the whole file rewritten
//! under a temporary name and renamed, so a failed write loses nothing).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use reckon_sources::canonical::{
    self,
    mapping_file::MappingFile,
    references::{
        ClientRefRow, DecisionRow, ProductRow, PsaClientRow, SkuRow, read_client_decisions,
        read_clients_seen, read_product_decisions, read_psa_clients, read_psa_products,
        read_usage_references,
    },
};

use crate::error::UserError;

/// Everything mapping looks at.
#[derive(Debug, Default)]
pub struct MappingInputs {
    pub psa_clients: Vec<PsaClientRow>,
    pub psa_products: Vec<ProductRow>,
    pub client_refs: Vec<ClientRefRow>,
    pub skus: Vec<SkuRow>,
    pub client_map: Vec<DecisionRow>,
    pub client_rejections: Vec<DecisionRow>,
    pub product_map: Vec<DecisionRow>,
    pub product_rejections: Vec<DecisionRow>,
    /// The mappings that live in mapping.toml (also in the lists above):
    /// the CLI never rewrites that file, so it refuses to change them.
    pub toml_clients: Vec<DecisionRow>,
    pub toml_products: Vec<DecisionRow>,
}

fn open(dir: &Path, name: &str) -> Result<Option<File>> {
    match File::open(dir.join(name)) {
        Ok(file) => Ok(Some(file)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => {
            Err(error).with_context(|| format!("cannot read {}", dir.join(name).display()))
        }
    }
}

impl MappingInputs {
    pub fn load(dir: &Path) -> Result<MappingInputs> {
        let name = |file: &str| dir.join(file).display().to_string();
        let usage = open(dir, canonical::USAGE)?.ok_or_else(|| {
            UserError(format!(
                "{}: not found; map suggest needs the usage of the feeds (reckon convert writes it)",
                name(canonical::USAGE)
            ))
        })?;
        let (mut client_refs, skus) = read_usage_references(usage, &name(canonical::USAGE))?;
        let mut psa_clients = Vec::new();
        for file in [canonical::CLIENTS, canonical::BILLING] {
            if let Some(reader) = open(dir, file)? {
                read_psa_clients(reader, &name(file), &mut psa_clients)?;
            }
        }
        if let Some(reader) = open(dir, canonical::CLIENTS_SEEN)? {
            read_clients_seen(
                reader,
                &name(canonical::CLIENTS_SEEN),
                &mut psa_clients,
                &mut client_refs,
            )?;
        }
        psa_clients.sort_by(|a, b| a.id.cmp(&b.id));
        let mut inputs = MappingInputs {
            psa_clients,
            client_refs,
            skus,
            ..MappingInputs::default()
        };
        if let Some(reader) = open(dir, canonical::PRODUCTS)? {
            inputs.psa_products = read_psa_products(reader, &name(canonical::PRODUCTS))?;
        }
        if let Some(reader) = open(dir, canonical::CLIENT_MAP)? {
            inputs.client_map = read_client_decisions(reader, &name(canonical::CLIENT_MAP))?;
        }
        if let Some(reader) = open(dir, canonical::CLIENT_MAP_REJECTED)? {
            inputs.client_rejections =
                read_client_decisions(reader, &name(canonical::CLIENT_MAP_REJECTED))?;
        }
        if let Some(reader) = open(dir, canonical::PRODUCT_MAP)? {
            inputs.product_map = read_product_decisions(reader, &name(canonical::PRODUCT_MAP))?;
        }
        if let Some(reader) = open(dir, canonical::PRODUCT_MAP_REJECTED)? {
            inputs.product_rejections =
                read_product_decisions(reader, &name(canonical::PRODUCT_MAP_REJECTED))?;
        }
        // Mappings kept in mapping.toml are decisions too.
        if let Some(reader) = open(dir, canonical::MAPPING_FILE)? {
            let file = MappingFile::read(reader, &name(canonical::MAPPING_FILE))?;
            inputs.toml_clients = file
                .clients
                .iter()
                .map(|entry| DecisionRow {
                    source: entry.source.clone(),
                    external_id: entry.reference.clone(),
                    target: entry.client.clone(),
                    external_name: entry.name.clone(),
                    units: String::new(),
                })
                .collect();
            inputs.toml_products = file
                .products
                .iter()
                .map(|entry| DecisionRow {
                    source: entry.source.clone(),
                    external_id: entry.sku.clone(),
                    target: entry.product.clone(),
                    external_name: String::new(),
                    units: entry.units.normalize().to_string(),
                })
                .collect();
            inputs
                .client_map
                .extend(inputs.toml_clients.iter().cloned());
            inputs
                .product_map
                .extend(inputs.toml_products.iter().cloned());
        }
        Ok(inputs)
    }

    pub fn client_mapping(&self, source: &str, external_id: &str) -> Option<&DecisionRow> {
        self.client_map
            .iter()
            .find(|d| d.source == source && d.external_id == external_id)
    }

    pub fn product_mapped(&self, source: &str, sku: &str) -> bool {
        self.product_map
            .iter()
            .any(|d| d.source == source && d.external_id == sku)
    }
}

/// A mapping CSV file read as it is, every column and row kept, to change
/// a few rows and write it back whole (under a temporary name, renamed
/// into place), so no column a person or another tool added is lost.
#[derive(Debug)]
pub struct EditableCsv {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl EditableCsv {
    /// Reads `path`, or starts an empty file with `columns` when it does
    /// not exist yet.
    pub fn open(path: &Path, columns: &[&str]) -> Result<EditableCsv> {
        let shown = path.display().to_string();
        let (header, rows) = match File::open(path) {
            Ok(file) => {
                let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
                let header: Vec<String> = reader
                    .headers()
                    .map_err(|e| UserError(format!("{shown}: {e}")))?
                    .iter()
                    .map(|h| h.trim().to_string())
                    .collect();
                let mut rows = Vec::new();
                for record in reader.records() {
                    let record = record.map_err(|e| UserError(format!("{shown}: {e}")))?;
                    let mut row: Vec<String> = record.iter().map(str::to_string).collect();
                    row.resize(header.len(), String::new());
                    rows.push(row);
                }
                (header, rows)
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                (columns.iter().map(|c| c.to_string()).collect(), Vec::new())
            }
            Err(error) => return Err(error).with_context(|| format!("cannot read {shown}")),
        };
        let mut file = EditableCsv {
            path: path.to_path_buf(),
            header,
            rows,
        };
        for column in columns {
            file.ensure_column(column);
        }
        Ok(file)
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    pub fn ensure_column(&mut self, name: &str) {
        if self.column(name).is_none() {
            self.header.push(name.to_string());
            for row in &mut self.rows {
                row.push(String::new());
            }
        }
    }

    fn value<'r>(&self, row: &'r [String], column: &str) -> &'r str {
        self.column(column)
            .and_then(|at| row.get(at))
            .map_or("", |v| v.trim())
    }

    /// Rows whose columns have these values.
    pub fn matching(&self, criteria: &[(&str, &str)]) -> Vec<usize> {
        (0..self.rows.len())
            .filter(|&i| {
                criteria
                    .iter()
                    .all(|(column, value)| self.value(&self.rows[i], column) == *value)
            })
            .collect()
    }

    pub fn get(&self, row: usize, column: &str) -> &str {
        self.value(&self.rows[row], column)
    }

    pub fn set(&mut self, row: usize, column: &str, value: &str) {
        self.ensure_column(column);
        if let Some(at) = self.column(column) {
            self.rows[row][at] = value.to_string();
        }
    }

    /// Removes the rows with these values; returns how many.
    pub fn remove(&mut self, criteria: &[(&str, &str)]) -> usize {
        let doomed = self.matching(criteria);
        let mut index = 0;
        self.rows.retain(|_| {
            let keep = !doomed.contains(&index);
            index += 1;
            keep
        });
        doomed.len()
    }

    /// Appends a row from (column, value) pairs; other columns stay empty.
    pub fn push(&mut self, values: &[(&str, &str)]) {
        for (column, _) in values {
            self.ensure_column(column);
        }
        let mut row = vec![String::new(); self.header.len()];
        for (column, value) in values {
            if let Some(at) = self.column(column) {
                row[at] = value.to_string();
            }
        }
        self.rows.push(row);
    }

    /// Writes the whole file under a temporary name, then renames it over
    /// the old one: a failed write loses nothing.
    pub fn save(&self) -> Result<()> {
        let temp: PathBuf = self.path.with_extension("csv.partial");
        let write = || -> Result<()> {
            let mut writer = csv::Writer::from_writer(io::BufWriter::new(File::create(&temp)?));
            writer.write_record(&self.header)?;
            for row in &self.rows {
                writer.write_record(row)?;
            }
            writer.flush()?;
            Ok(())
        };
        if let Err(error) = write() {
            let _ = fs::remove_file(&temp);
            return Err(error).with_context(|| format!("cannot write {}", self.path.display()));
        }
        fs::rename(&temp, &self.path)
            .with_context(|| format!("cannot replace {}", self.path.display()))?;
        Ok(())
    }
}

/// Writes one line to stdout, for commands that print as they go.
pub fn say(line: &str) -> Result<()> {
    writeln!(io::stdout().lock(), "{line}")?;
    Ok(())
}
