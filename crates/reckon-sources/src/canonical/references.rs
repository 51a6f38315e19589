//! What mapping needs from a canonical data set: the PSA's clients and
//! products, the client references and SKUs the feeds use (with the names
//! the sources give them and how many rows each has), and the decisions
//! already made (mappings and rejections).

use std::io::Read;

use hashbrown::HashMap;

use crate::error::{SourceError, SourceErrorKind};
use crate::fields::parse_decimal;
use crate::table::{Table, csv_error, csv_reader};

/// A client of the PSA.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PsaClientRow {
    pub id: String,
    pub name: String,
    /// Web or mail domains (a website from the PSA's company record).
    pub domains: Vec<String>,
}

/// A client reference one source uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientRefRow {
    pub source: String,
    pub id: String,
    /// The name the source gives it (the first non-empty one seen).
    pub name: String,
    pub domains: Vec<String>,
    /// A PSA company the source itself links it to.
    pub psa_client_id: String,
    /// Usage rows that name it.
    pub rows: u64,
}

/// A SKU one source uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SkuRow {
    pub source: String,
    pub sku: String,
    pub name: String,
    pub rows: u64,
}

/// A product of the PSA catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductRow {
    pub id: String,
    pub name: String,
}

/// One decision on a reference: `target` is the PSA client or product.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionRow {
    pub source: String,
    pub external_id: String,
    pub target: String,
    /// The reference's name when the decision was made (client maps), to
    /// notice a rename.
    pub external_name: String,
    /// Units per item (product maps).
    pub units: String,
}

/// The client references and SKUs of `usage.csv`, streamed (a large file
/// is never held whole), with row counts and the first name each has.
pub fn read_usage_references(
    reader: impl Read,
    file: &str,
) -> Result<(Vec<ClientRefRow>, Vec<SkuRow>), SourceError> {
    let mut csv = csv_reader(reader, true);
    let header = csv.byte_headers().map_err(|e| csv_error(file, &e))?.clone();
    let position = |name: &str| {
        header
            .iter()
            .position(|column| column.trim_ascii().eq_ignore_ascii_case(name.as_bytes()))
    };
    let (Some(source_at), Some(ref_at), Some(sku_at)) =
        (position("source"), position("client_ref"), position("sku"))
    else {
        return Err(SourceError::new(
            file,
            SourceErrorKind::Header,
            "needs the columns source, client_ref and sku",
        ));
    };
    let name_at = position("client_name");
    let sku_name_at = position("sku_name");
    let mut clients: HashMap<(String, String), ClientRefRow> = HashMap::new();
    let mut skus: HashMap<(String, String), SkuRow> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    let text = |record: &csv::ByteRecord, at: Option<usize>| -> String {
        at.and_then(|at| record.get(at))
            .map(|field| String::from_utf8_lossy(field.trim_ascii()).into_owned())
            .unwrap_or_default()
    };
    while csv
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(file, &e))?
    {
        let source = text(&record, Some(source_at));
        let client_ref = text(&record, Some(ref_at));
        let sku = text(&record, Some(sku_at));
        let client = clients
            .entry((source.clone(), client_ref.clone()))
            .or_insert_with(|| ClientRefRow {
                source: source.clone(),
                id: client_ref,
                ..ClientRefRow::default()
            });
        client.rows += 1;
        if client.name.is_empty() {
            client.name = text(&record, name_at);
        }
        let entry = skus
            .entry((source.clone(), sku.clone()))
            .or_insert_with(|| SkuRow {
                source,
                sku,
                ..SkuRow::default()
            });
        entry.rows += 1;
        if entry.name.is_empty() {
            entry.name = text(&record, sku_name_at);
        }
    }
    let mut clients: Vec<ClientRefRow> = clients.into_values().collect();
    clients.sort_by(|a, b| (&a.source, &a.id).cmp(&(&b.source, &b.id)));
    let mut skus: Vec<SkuRow> = skus.into_values().collect();
    skus.sort_by(|a, b| (&a.source, &a.sku).cmp(&(&b.source, &b.sku)));
    Ok((clients, skus))
}

/// PSA clients from `billing.csv` (`client_id,client_name`) or
/// `clients.csv`: ids with their first non-empty name.
pub fn read_psa_clients(
    reader: impl Read,
    file: &str,
    into: &mut Vec<PsaClientRow>,
) -> Result<(), SourceError> {
    let mut table = Table::open(reader, file, &["client_id"], &["client_name"])?;
    // Billing files repeat each client on many lines: find them by id.
    let mut at: HashMap<String, usize> = into
        .iter()
        .enumerate()
        .map(|(i, client)| (client.id.clone(), i))
        .collect();
    while table.advance()? {
        let id = table.required(0)?;
        let name = table.text(1)?;
        match at.get(id) {
            Some(&i) if into[i].name.is_empty() => into[i].name = name.to_string(),
            Some(_) => {}
            None => {
                at.insert(id.to_string(), into.len());
                into.push(PsaClientRow {
                    id: id.to_string(),
                    name: name.to_string(),
                    domains: Vec::new(),
                });
            }
        }
    }
    Ok(())
}

/// `clients_seen.csv` from `reckon convert`: names, domains and PSA links
/// of every reference, PSA side (`side = billing`) and vendor side.
pub fn read_clients_seen(
    reader: impl Read,
    file: &str,
    psa: &mut Vec<PsaClientRow>,
    references: &mut [ClientRefRow],
) -> Result<(), SourceError> {
    let mut table = Table::open(
        reader,
        file,
        &["side", "source", "id"],
        &["name", "psa_client_id", "domain"],
    )?;
    while table.advance()? {
        let (side, source, id) = (table.text(0)?, table.text(1)?, table.required(2)?);
        let (name, link, domain) = (table.text(3)?, table.text(4)?, table.text(5)?);
        if side == "billing" {
            match psa.iter_mut().find(|client| client.id == id) {
                Some(known) => {
                    if known.name.is_empty() {
                        known.name = name.to_string();
                    }
                    if !domain.is_empty() && !known.domains.iter().any(|d| d == domain) {
                        known.domains.push(domain.to_string());
                    }
                }
                None => psa.push(PsaClientRow {
                    id: id.to_string(),
                    name: name.to_string(),
                    domains: if domain.is_empty() {
                        Vec::new()
                    } else {
                        vec![domain.to_string()]
                    },
                }),
            }
        } else if let Some(reference) = references
            .iter_mut()
            .find(|r| r.source == source && r.id == id)
        {
            if reference.name.is_empty() {
                reference.name = name.to_string();
            }
            if reference.psa_client_id.is_empty() {
                reference.psa_client_id = link.to_string();
            }
            if !domain.is_empty() && !reference.domains.iter().any(|d| d == domain) {
                reference.domains.push(domain.to_string());
            }
        }
    }
    Ok(())
}

/// `products.csv` (`product_id,product_name`).
pub fn read_psa_products(reader: impl Read, file: &str) -> Result<Vec<ProductRow>, SourceError> {
    let mut table = Table::open(reader, file, &["product_id"], &["product_name"])?;
    let mut products = Vec::new();
    while table.advance()? {
        products.push(ProductRow {
            id: table.required(0)?.to_string(),
            name: table.text(1)?.to_string(),
        });
    }
    Ok(products)
}

/// `client_map.csv` or its rejections (`source,external_client_id,
/// client_id`, optional `external_name`).
pub fn read_client_decisions(
    reader: impl Read,
    file: &str,
) -> Result<Vec<DecisionRow>, SourceError> {
    let mut table = Table::open(
        reader,
        file,
        &["source", "external_client_id", "client_id"],
        &["external_name"],
    )?;
    let mut decisions = Vec::new();
    while table.advance()? {
        decisions.push(DecisionRow {
            source: table.required(0)?.to_string(),
            external_id: table.required(1)?.to_string(),
            target: table.required(2)?.to_string(),
            external_name: table.text(3)?.to_string(),
            units: String::new(),
        });
    }
    Ok(decisions)
}

/// `product_map.csv` or its rejections (`source,sku,product_id`, optional
/// `units`).
pub fn read_product_decisions(
    reader: impl Read,
    file: &str,
) -> Result<Vec<DecisionRow>, SourceError> {
    let mut table = Table::open(reader, file, &["source", "sku", "product_id"], &["units"])?;
    let mut decisions = Vec::new();
    while table.advance()? {
        let units = table.text(3)?;
        if !units.is_empty() && parse_decimal(units).is_none() {
            return Err(table.error(3, format!("expected a number, found \"{units}\"")));
        }
        decisions.push(DecisionRow {
            source: table.required(0)?.to_string(),
            external_id: table.required(1)?.to_string(),
            target: table.required(2)?.to_string(),
            external_name: String::new(),
            units: units.to_string(),
        });
    }
    Ok(decisions)
}
