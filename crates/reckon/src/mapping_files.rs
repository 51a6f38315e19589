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
            inputs
                .client_map
                .extend(file.clients.iter().map(|entry| DecisionRow {
                    source: entry.source.clone(),
                    external_id: entry.reference.clone(),
                    target: entry.client.clone(),
                    external_name: entry.name.clone(),
                    units: String::new(),
                }));
            inputs
                .product_map
                .extend(file.products.iter().map(|entry| DecisionRow {
                    source: entry.source.clone(),
                    external_id: entry.sku.clone(),
                    target: entry.product.clone(),
                    external_name: String::new(),
                    units: entry.units.normalize().to_string(),
                }));
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

/// The columns each decision file is written with.
pub fn client_map_columns() -> [&'static str; 4] {
    ["source", "external_client_id", "client_id", "external_name"]
}

pub fn product_map_columns() -> [&'static str; 4] {
    ["source", "sku", "product_id", "units"]
}

/// Rewrites a decision file with `rows`, atomically.
pub fn write_decisions(path: &Path, columns: [&str; 4], rows: &[DecisionRow]) -> Result<()> {
    let temp: PathBuf = path.with_extension("csv.partial");
    let write = || -> Result<()> {
        let mut writer = csv::Writer::from_writer(io::BufWriter::new(File::create(&temp)?));
        writer.write_record(columns)?;
        for row in rows {
            let last = if columns[3] == "units" {
                row.units.as_str()
            } else {
                row.external_name.as_str()
            };
            writer.write_record([row.source.as_str(), &row.external_id, &row.target, last])?;
        }
        writer.flush()?;
        writer
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .flush()?;
        Ok(())
    };
    if let Err(error) = write() {
        let _ = fs::remove_file(&temp);
        return Err(error).with_context(|| format!("cannot write {}", path.display()));
    }
    fs::rename(&temp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// Writes one line to stdout, for commands that print as they go.
pub fn say(line: &str) -> Result<()> {
    writeln!(io::stdout().lock(), "{line}")?;
    Ok(())
}
