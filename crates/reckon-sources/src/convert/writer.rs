//! Writes the canonical files as records arrive, so a large export
//! converts in bounded memory. Every file is written, header only when
//! nothing went into it, so an output directory holds one whole
//! conversion and never a file left from an earlier one.

use std::io::{self, Write};

use hashbrown::HashMap;

use super::records::{
    BillingOut, ClientSeen, Measured, ProductSeen, Side, SubscriptionOut, UsageOut,
};
use crate::input::Location;

/// Where the canonical files go; the caller decides (temporary files that
/// are renamed at the end, memory in tests).
pub trait OpenOutput {
    fn open(&mut self, name: &'static str) -> io::Result<Box<dyn Write>>;
}

pub const BILLING_COLUMNS: [&str; 17] = [
    "line_id",
    "client_id",
    "client_name",
    "product_id",
    "quantity",
    "unit_price",
    "product_name",
    "unit_cost",
    "description",
    "agreement",
    "agreement_id",
    "included",
    "quantity_source",
    "profile",
    "file",
    "row",
    "source",
];

pub const USAGE_COLUMNS: [&str; 16] = [
    "source",
    "client_ref",
    "sku",
    "item_id",
    "status",
    "last_seen",
    "quantity",
    "client_name",
    "sku_name",
    "hostname",
    "agent_id",
    "device_class",
    "serial",
    "profile",
    "file",
    "row",
];

pub const SUBSCRIPTION_COLUMNS: [&str; 18] = [
    "source",
    "client_ref",
    "client_name",
    "sku",
    "sku_name",
    "subscription_id",
    "quantity",
    "status",
    "term",
    "billing_cycle",
    "unit_price",
    "unit_cost",
    "start_date",
    "commitment_end",
    "auto_renew",
    "profile",
    "file",
    "row",
];

pub const SKIPPED_COLUMNS: [&str; 6] = ["file", "row", "profile", "reason", "column", "detail"];

/// Where a record came from, written beside it so every number can be
/// traced back to its export row.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub profile: &'a str,
    pub file: &'a str,
    pub location: Location,
}

/// The canonical files being written.
pub struct CanonicalWriter<O: OpenOutput> {
    output: O,
    billing: Option<csv::Writer<Box<dyn Write>>>,
    usage: Option<csv::Writer<Box<dyn Write>>>,
    subscriptions: Option<csv::Writer<Box<dyn Write>>>,
    skipped: Option<csv::Writer<Box<dyn Write>>>,
    /// Per (side, source, id): the reference, kept whole for the end.
    clients: HashMap<(Side, String, String), ClientSeen>,
    products: HashMap<(Side, String, String), ProductSeen>,
    pub counts: WrittenCounts,
}

/// How many records of each kind were written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WrittenCounts {
    pub billing_lines: u64,
    pub usage_items: u64,
    pub usage_counts: u64,
    pub subscriptions: u64,
    pub skipped: u64,
}

impl<O: OpenOutput> std::fmt::Debug for CanonicalWriter<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CanonicalWriter")
            .field("counts", &self.counts)
            .finish()
    }
}

fn open_csv<O: OpenOutput>(
    output: &mut O,
    slot: &mut Option<csv::Writer<Box<dyn Write>>>,
    name: &'static str,
    columns: &[&str],
) -> io::Result<()> {
    if slot.is_none() {
        let mut writer = csv::Writer::from_writer(output.open(name)?);
        writer.write_record(columns)?;
        *slot = Some(writer);
    }
    Ok(())
}

/// Money with at least two decimals (`45.00`, `18.485`), as it was given.
fn money(value: rust_decimal::Decimal) -> String {
    let mut value = value.normalize();
    if value.scale() < 2 {
        value.rescale(2);
    }
    value.to_string()
}

fn decimal(value: Option<rust_decimal::Decimal>) -> String {
    value.map(money).unwrap_or_default()
}

impl<O: OpenOutput> CanonicalWriter<O> {
    pub fn new(output: O) -> Self {
        CanonicalWriter {
            output,
            billing: None,
            usage: None,
            subscriptions: None,
            skipped: None,
            clients: HashMap::new(),
            products: HashMap::new(),
            counts: WrittenCounts::default(),
        }
    }

    pub fn billing(&mut self, line: &BillingOut, origin: Origin<'_>) -> io::Result<()> {
        open_csv(
            &mut self.output,
            &mut self.billing,
            "billing.csv",
            &BILLING_COLUMNS,
        )?;
        let writer = self.billing.as_mut().expect("opened above");
        let row = origin.location.to_string();
        writer.write_record([
            line.line_id.as_str(),
            &line.client_id,
            &line.client_name,
            &line.product_id,
            &line.quantity.normalize().to_string(),
            &money(line.unit_price),
            &line.product_name,
            &decimal(line.unit_cost),
            &line.description,
            &line.agreement,
            &line.agreement_id,
            &decimal(line.included),
            &line.quantity_source,
            origin.profile,
            origin.file,
            &row,
            "psa",
        ])?;
        self.counts.billing_lines += 1;
        Ok(())
    }

    pub fn usage(&mut self, record: &UsageOut, origin: Origin<'_>) -> io::Result<()> {
        open_csv(
            &mut self.output,
            &mut self.usage,
            "usage.csv",
            &USAGE_COLUMNS,
        )?;
        let writer = self.usage.as_mut().expect("opened above");
        let (item_id, quantity) = match &record.measured {
            Measured::Item(item) => {
                self.counts.usage_items += 1;
                (item.as_str(), String::new())
            }
            Measured::Count(quantity) => {
                self.counts.usage_counts += 1;
                ("", quantity.normalize().to_string())
            }
        };
        let last_seen = record
            .last_seen
            .map(|at| at.to_string())
            .unwrap_or_default();
        let row = origin.location.to_string();
        writer.write_record([
            record.source.as_str(),
            &record.client_ref,
            &record.sku,
            item_id,
            &record.status,
            &last_seen,
            &quantity,
            &record.client_name,
            &record.sku_name,
            &record.hostname,
            &record.agent_id,
            &record.device_class,
            &record.serial,
            origin.profile,
            origin.file,
            &row,
        ])?;
        Ok(())
    }

    pub fn subscription(&mut self, sub: &SubscriptionOut, origin: Origin<'_>) -> io::Result<()> {
        open_csv(
            &mut self.output,
            &mut self.subscriptions,
            "subscriptions.csv",
            &SUBSCRIPTION_COLUMNS,
        )?;
        let writer = self.subscriptions.as_mut().expect("opened above");
        let date = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
        let row = origin.location.to_string();
        writer.write_record([
            sub.source.as_str(),
            &sub.client_ref,
            &sub.client_name,
            &sub.sku,
            &sub.sku_name,
            &sub.subscription_id,
            &sub.quantity.normalize().to_string(),
            &sub.status,
            &sub.term,
            &sub.billing_cycle,
            &decimal(sub.unit_price),
            &decimal(sub.unit_cost),
            &date(sub.start_date),
            &date(sub.commitment_end),
            sub.auto_renew
                .map_or("", |flag| if flag { "true" } else { "false" }),
            origin.profile,
            origin.file,
            &row,
        ])?;
        self.counts.subscriptions += 1;
        Ok(())
    }

    pub fn skipped(
        &mut self,
        origin: Origin<'_>,
        reason: &str,
        column: &str,
        detail: &str,
    ) -> io::Result<()> {
        open_csv(
            &mut self.output,
            &mut self.skipped,
            "skipped.csv",
            &SKIPPED_COLUMNS,
        )?;
        let writer = self.skipped.as_mut().expect("opened above");
        let row = origin.location.to_string();
        writer.write_record([origin.file, &row, origin.profile, reason, column, detail])?;
        self.counts.skipped += 1;
        Ok(())
    }

    /// Remembers a client reference; a later sighting fills what an
    /// earlier one left empty.
    pub fn client(&mut self, side: Side, client: ClientSeen) {
        if client.id.is_empty() {
            return;
        }
        let key = (side, client.source.clone(), client.id.clone());
        match self.clients.get_mut(&key) {
            Some(known) => {
                for (mine, theirs) in [
                    (&mut known.name, client.name),
                    (&mut known.psa_client_id, client.psa_client_id),
                    (&mut known.domain, client.domain),
                ] {
                    if mine.is_empty() {
                        *mine = theirs;
                    }
                }
            }
            None => {
                self.clients.insert(key, client);
            }
        }
    }

    pub fn product(&mut self, side: Side, product: ProductSeen) {
        if product.id.is_empty() {
            return;
        }
        let key = (side, product.source.clone(), product.id.clone());
        let known = self.products.entry(key).or_insert_with(|| ProductSeen {
            source: product.source.clone(),
            id: product.id.clone(),
            ..ProductSeen::default()
        });
        if known.name.is_empty() {
            known.name = product.name;
        }
        if known.unit_price.is_none() {
            known.unit_price = product.unit_price;
        }
    }

    /// Writes the reference files and flushes everything. Every canonical
    /// file is written, with just its header when nothing went into it, so
    /// an output directory always holds one whole conversion and never a
    /// file left from an earlier one.
    pub fn finish(mut self) -> io::Result<WrittenCounts> {
        open_csv(
            &mut self.output,
            &mut self.billing,
            "billing.csv",
            &BILLING_COLUMNS,
        )?;
        open_csv(
            &mut self.output,
            &mut self.usage,
            "usage.csv",
            &USAGE_COLUMNS,
        )?;
        open_csv(
            &mut self.output,
            &mut self.subscriptions,
            "subscriptions.csv",
            &SUBSCRIPTION_COLUMNS,
        )?;
        open_csv(
            &mut self.output,
            &mut self.skipped,
            "skipped.csv",
            &SKIPPED_COLUMNS,
        )?;
        let mut clients: Vec<(&(Side, String, String), &ClientSeen)> =
            self.clients.iter().collect();
        clients.sort_by(|a, b| a.0.cmp(b.0));
        {
            let mut seen = csv::Writer::from_writer(self.output.open("clients_seen.csv")?);
            seen.write_record(["side", "source", "id", "name", "psa_client_id", "domain"])?;
            for ((side, _, _), client) in &clients {
                seen.write_record([
                    side.as_str(),
                    &client.source,
                    &client.id,
                    &client.name,
                    &client.psa_client_id,
                    &client.domain,
                ])?;
            }
            seen.flush()?;
        }
        // The PSA's own client list, in the form `reckon run` reads.
        let psa: Vec<&&ClientSeen> = clients
            .iter()
            .filter(|((side, _, _), _)| *side == Side::Billing)
            .map(|(_, client)| client)
            .collect();
        {
            let mut list = csv::Writer::from_writer(self.output.open("clients.csv")?);
            list.write_record(["client_id", "client_name"])?;
            for client in psa {
                list.write_record([client.id.as_str(), &client.name])?;
            }
            list.flush()?;
        }
        let mut products: Vec<(&(Side, String, String), &ProductSeen)> =
            self.products.iter().collect();
        products.sort_by(|a, b| a.0.cmp(b.0));
        {
            let mut seen = csv::Writer::from_writer(self.output.open("products_seen.csv")?);
            seen.write_record(["side", "source", "id", "name", "unit_price"])?;
            for ((side, _, _), product) in products {
                seen.write_record([
                    side.as_str(),
                    &product.source,
                    &product.id,
                    &product.name,
                    &decimal(product.unit_price),
                ])?;
            }
            seen.flush()?;
        }
        for writer in [
            &mut self.billing,
            &mut self.usage,
            &mut self.subscriptions,
            &mut self.skipped,
        ]
        .into_iter()
        .flatten()
        {
            writer.flush()?;
        }
        Ok(self.counts)
    }
}

/// Canonical files kept in memory (tests, previews of an upload).
#[derive(Debug, Clone, Default)]
pub struct MemoryOutput {
    files: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>>,
}

struct MemoryFile {
    name: &'static str,
    files: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>>,
}

impl Write for MemoryFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut files = self
            .files
            .lock()
            .map_err(|_| io::Error::other("memory output poisoned"))?;
        files
            .entry(self.name.to_string())
            .or_default()
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl OpenOutput for MemoryOutput {
    fn open(&mut self, name: &'static str) -> io::Result<Box<dyn Write>> {
        Ok(Box::new(MemoryFile {
            name,
            files: self.files.clone(),
        }))
    }
}

impl MemoryOutput {
    /// Every file written, by name, as text.
    pub fn texts(&self) -> std::collections::BTreeMap<String, String> {
        self.files
            .lock()
            .map(|files| {
                files
                    .iter()
                    .map(|(name, bytes)| {
                        (name.clone(), String::from_utf8_lossy(bytes).into_owned())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}
