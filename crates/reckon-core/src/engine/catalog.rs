//! The reference data of a reconciliation: PSA clients and products, and the
//! mappings that tie each source's references and SKUs to them. Built once,
//! then read by every usage row, so lookups go through small integer indices.

use std::collections::BTreeMap;

use std::hash::BuildHasher;
use std::sync::Arc;

use foldhash::fast::FixedState;
use hashbrown::{HashMap, HashTable};

use rust_decimal::Decimal;

use crate::model::{
    BillingLine, Client, ClientId, ClientMapping, ClientRules, CountingRules, Product, ProductId,
    ProductMapping, Rounding, SourceId,
};

/// A mapping that contradicts one given before it (the same source reference
/// mapped to two clients, or the same SKU and product with two units factors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} conflicts with mapping #{previous}: {detail}")]
pub struct MappingConflict {
    /// Zero-based position, among the mappings of the same kind given to the
    /// builder, of the earlier mapping it contradicts.
    pub previous: usize,
    pub what: &'static str,
    pub detail: String,
}

/// A product mapping after resolution to indices.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedMapping {
    pub(crate) source: u32,
    pub(crate) sku: Arc<str>,
    pub(crate) product: u32,
    pub(crate) units: Decimal,
    pub(crate) rounding: Rounding,
}

/// What the catalogue knows about one source.
#[derive(Debug)]
pub(crate) struct SourceEntry {
    pub(crate) id: SourceId,
    pub(crate) client_refs: HashMap<Box<str>, u32>,
    /// References split across clients by the domain of their items: the
    /// (domain, client) pairs of each; other items go by `client_refs`.
    pub(crate) split_refs: HashMap<Box<str>, Vec<(Box<str>, u32)>>,
    /// SKUs that are neither billed nor a mapping gap (free and viral
    /// SKUs): their rows are left out silently, counted in the stats.
    pub(crate) ignored_skus: hashbrown::HashSet<Box<str>>,
    /// SKU to the indices of its mappings in `Catalog::mappings`.
    pub(crate) skus: HashMap<Box<str>, Vec<u32>>,
}

/// Clients, products and mappings, indexed for the engine.
///
/// Clients and products are sorted by id, so index order is id order and the
/// engine's outputs come out sorted without comparing strings.
#[derive(Debug)]
pub struct Catalog {
    pub(crate) clients: Vec<Client>,
    pub(crate) products: Vec<Product>,
    pub(crate) sources: Vec<SourceEntry>,
    pub(crate) mappings: Vec<ResolvedMapping>,
    client_index: HashMap<ClientId, u32>,
    product_index: HashMap<ProductId, u32>,
    /// For each product, the sources whose SKUs feed it.
    pub(crate) product_sources: Vec<Vec<u32>>,
    /// For each client, the sources that have a reference mapped to it.
    pub(crate) client_sources: Vec<Vec<u32>>,
    /// Each client's billing rules (default for most).
    pub(crate) client_rules: Vec<ClientRules>,
    /// Whether any counting or client rule differs from the defaults: when
    /// none does, usage rows take the bench rules' fast path.
    pub(crate) has_rules: bool,
    /// Whether any mapping rounds its totals.
    pub(crate) has_rounding: bool,
    rule_warnings: Vec<String>,
}

impl Catalog {
    pub fn builder() -> CatalogBuilder {
        CatalogBuilder::default()
    }

    pub fn clients(&self) -> &[Client] {
        &self.clients
    }

    pub fn products(&self) -> &[Product] {
        &self.products
    }

    pub fn client(&self, id: &ClientId) -> Option<&Client> {
        self.client_index
            .get(id)
            .map(|&i| &self.clients[i as usize])
    }

    /// The counting rules that apply to a client's usage of a product: the
    /// client's own for it, else the product's.
    pub(crate) fn counting_for(&self, client: u32, product: u32) -> &CountingRules {
        let product = &self.products[product as usize];
        self.client_rules[client as usize]
            .counting_for(&product.id)
            .unwrap_or(&product.counting)
    }

    /// Things the rules name that nothing else does (a typo in a product
    /// or client id): they change nothing, which a person should know.
    pub fn rule_warnings(&self) -> &[String] {
        &self.rule_warnings
    }

    /// The SKUs product mappings name for these sources (once per mapping).
    pub fn mapped_skus_of_sources<'s>(
        &'s self,
        sources: &'s [&str],
    ) -> impl Iterator<Item = &'s str> + 's {
        self.mappings
            .iter()
            .filter(|mapping| sources.contains(&self.sources[mapping.source as usize].id.as_str()))
            .map(|mapping| &*mapping.sku)
    }

    /// The billing rules of a client (the defaults when none were given).
    pub fn client_rules(&self, id: &ClientId) -> Option<&ClientRules> {
        self.client_index
            .get(id)
            .map(|&i| &self.client_rules[i as usize])
    }

    pub fn product(&self, id: &ProductId) -> Option<&Product> {
        self.product_index
            .get(id)
            .map(|&i| &self.products[i as usize])
    }

    pub(crate) fn client_idx(&self, id: &ClientId) -> Option<u32> {
        self.client_index.get(id).copied()
    }

    pub(crate) fn product_idx(&self, id: &ProductId) -> Option<u32> {
        self.product_index.get(id).copied()
    }

    /// Feeds are few and their names mostly differ in length or first
    /// letter, so a scan that checks those first beats hashing the name.
    pub(crate) fn source_idx(&self, name: &str) -> Option<u32> {
        let bytes = name.as_bytes();
        self.sources
            .iter()
            .position(|source| {
                let id = source.id.as_str().as_bytes();
                id.len() == bytes.len() && id.first() == bytes.first() && id == bytes
            })
            .map(|i| i as u32)
    }
}

/// Collects reference data, checking that mappings agree with each other.
#[derive(Debug, Default)]
pub struct CatalogBuilder {
    clients: BTreeMap<ClientId, Client>,
    products: BTreeMap<ProductId, (usize, Product)>,
    client_mappings: Vec<ClientMapping>,
    /// Indices into `client_mappings` by (source, reference), so the keys
    /// are not stored twice.
    client_mapping_at: HashTable<usize>,
    hasher: FixedState,
    product_mappings: Vec<ProductMapping>,
    product_mapping_at: HashMap<(SourceId, String, ProductId), usize>,
    /// The client of the last billing line added.
    last_billing_client: Option<ClientId>,
    client_rules: BTreeMap<ClientId, ClientRules>,
    counting_rules: Vec<(ProductId, CountingRules)>,
    ignored_skus: Vec<(SourceId, String)>,
    /// Products billing lines named lately (at most [`RECENT`]), to know
    /// them again by identity.
    recent_products: Vec<ProductId>,
}

impl CatalogBuilder {
    /// Adds a PSA client. The first name given for an id is kept.
    pub fn add_client(&mut self, client: Client) {
        self.clients.entry(client.id.clone()).or_insert(client);
    }

    /// Adds a catalogue product. Listing a product twice with different
    /// details is a conflict.
    pub fn add_product(&mut self, product: Product) -> Result<(), MappingConflict> {
        let position = self.products.len();
        match self.products.get(&product.id) {
            Some((_, existing)) if existing == &product => Ok(()),
            Some((previous, _)) => Err(MappingConflict {
                previous: *previous,
                what: "product",
                detail: format!(
                    "product {} is listed twice with different details",
                    product.id
                ),
            }),
            None => {
                self.products
                    .insert(product.id.clone(), (position, product));
                Ok(())
            }
        }
    }

    /// Makes sure a client and product named by a billing line exist.
    pub fn add_billing_line(&mut self, line: &BillingLine) {
        // A client's lines come together, and readers share one id among
        // them: most lines repeat the client of the line before, which a
        // pointer check settles without a map lookup.
        if !self
            .last_billing_client
            .as_ref()
            .is_some_and(|last| same_id(last.as_str(), line.client_id.as_str()))
        {
            self.clients
                .entry(line.client_id.clone())
                .or_insert_with(|| Client {
                    id: line.client_id.clone(),
                    name: String::from(&*line.client_name),
                });
            self.last_billing_client = Some(line.client_id.clone());
        }
        // Few products, named by many lines with shared ids: recognise the
        // recent ones by address (each held here, so no other id can take
        // its address) before looking the text up.
        let id = line.product_id.as_str();
        if self
            .recent_products
            .iter()
            .any(|recent| std::ptr::eq(recent.as_str(), id))
        {
            return;
        }
        if !self.products.contains_key(&line.product_id) {
            let position = self.products.len();
            self.products.insert(
                line.product_id.clone(),
                (position, Product::bare(line.product_id.clone())),
            );
        }
        if self.recent_products.len() == RECENT {
            self.recent_products.remove(0);
        }
        self.recent_products.push(line.product_id.clone());
    }

    /// Sets a client's billing rules (included and minimum quantities,
    /// licences it buys itself, the MSP's own client).
    pub fn set_client_rules(&mut self, client: ClientId, rules: ClientRules) {
        self.client_rules.insert(client, rules);
    }

    /// Sets a product's counting rules (which statuses, device classes and
    /// items count, its stale window).
    pub fn set_counting_rules(&mut self, product: ProductId, rules: CountingRules) {
        self.counting_rules.retain(|(id, _)| *id != product);
        self.counting_rules.push((product, rules));
    }

    /// A SKU of a source that is neither billed nor worth mapping (a free
    /// or viral SKU): its rows are left out instead of reported unmapped.
    pub fn ignore_sku(&mut self, source: SourceId, sku: String) {
        self.ignored_skus.push((source, sku));
    }

    /// Maps a source's client reference to a PSA client, returning whether
    /// the mapping is new. Repeating a mapping is harmless; mapping one
    /// reference to two clients is a conflict.
    pub fn map_client(&mut self, mapping: ClientMapping) -> Result<bool, MappingConflict> {
        let hash = self.hasher.hash_one(reference_key(&mapping));
        let mappings = &self.client_mappings;
        if let Some(&previous) = self.client_mapping_at.find(hash, |&i| {
            reference_key(&mappings[i]) == reference_key(&mapping)
        }) {
            let earlier = &self.client_mappings[previous];
            if earlier.client_id == mapping.client_id {
                return Ok(false);
            }
            let domain = mapping
                .domain
                .as_deref()
                .map_or(String::new(), |d| format!(" (domain {d})"));
            return Err(MappingConflict {
                previous,
                what: "client mapping",
                detail: format!(
                    "{} reference {}{domain} is mapped to both {} and {}",
                    mapping.source,
                    mapping.external_client_id,
                    earlier.client_id,
                    mapping.client_id
                ),
            });
        }
        let (mappings, hasher) = (&self.client_mappings, &self.hasher);
        self.client_mapping_at
            .insert_unique(hash, mappings.len(), |&i| {
                hasher.hash_one(reference_key(&mappings[i]))
            });
        self.client_mappings.push(mapping);
        Ok(true)
    }

    /// Maps a source's SKU to a PSA product with a units factor, returning
    /// whether the mapping is new. One SKU may feed several products; the same
    /// SKU and product with two different factors is a conflict.
    pub fn map_product(&mut self, mapping: ProductMapping) -> Result<bool, MappingConflict> {
        let key = (
            mapping.source.clone(),
            mapping.sku.clone(),
            mapping.product_id.clone(),
        );
        if let Some(&previous) = self.product_mapping_at.get(&key) {
            let earlier = &self.product_mappings[previous];
            if earlier.units == mapping.units && earlier.rounding == mapping.rounding {
                return Ok(false);
            }
            return Err(MappingConflict {
                previous,
                what: "product mapping",
                detail: format!(
                    "{} SKU {} counts {} units of {} (rounding {}) in one mapping and {} (rounding {}) in another",
                    mapping.source,
                    mapping.sku,
                    earlier.units,
                    mapping.product_id,
                    earlier.rounding.as_str(),
                    mapping.units,
                    mapping.rounding.as_str()
                ),
            });
        }
        self.product_mapping_at
            .insert(key, self.product_mappings.len());
        self.product_mappings.push(mapping);
        Ok(true)
    }

    pub fn build(mut self) -> Catalog {
        // Anything a mapping names exists, even if no list names it. A
        // client's mappings come together: look each client up once.
        let mut previous: Option<&ClientId> = None;
        for mapping in &self.client_mappings {
            if previous.is_some_and(|p| same_id(p.as_str(), mapping.client_id.as_str())) {
                continue;
            }
            previous = Some(&mapping.client_id);
            self.clients
                .entry(mapping.client_id.clone())
                .or_insert_with(|| Client {
                    id: mapping.client_id.clone(),
                    name: mapping.client_id.to_string(),
                });
        }
        for mapping in &self.product_mappings {
            let position = self.products.len();
            self.products
                .entry(mapping.product_id.clone())
                .or_insert_with(|| (position, Product::bare(mapping.product_id.clone())));
        }
        let mut rule_warnings = Vec::new();
        for client in self.client_rules.keys() {
            if !self.clients.contains_key(client) {
                rule_warnings.push(format!(
                    "client rules name client {client}, which no billing line, client list or mapping names: check the id"
                ));
            }
            self.clients
                .entry(client.clone())
                .or_insert_with(|| Client {
                    id: client.clone(),
                    name: client.to_string(),
                });
        }
        for rules in self.client_rules.values() {
            for (product, _) in rules.included.iter().chain(&rules.minimum) {
                if !self.products.contains_key(product) {
                    rule_warnings.push(format!(
                        "an included or minimum quantity names product {product}, which nothing else names: check the id"
                    ));
                }
            }
        }
        for (product, rules) in std::mem::take(&mut self.counting_rules) {
            if !self.products.contains_key(&product) {
                rule_warnings.push(format!(
                    "counting rules name product {product}, which no product list, billing line or mapping names: check the id"
                ));
            }
            let position = self.products.len();
            self.products
                .entry(product.clone())
                .or_insert_with(|| (position, Product::bare(product)))
                .1
                .counting = rules;
        }
        let clients: Vec<Client> = self.clients.into_values().collect();
        let products: Vec<Product> = self.products.into_values().map(|(_, p)| p).collect();
        let client_rules: Vec<ClientRules> = clients
            .iter()
            .map(|client| self.client_rules.remove(&client.id).unwrap_or_default())
            .collect();
        let client_index: HashMap<ClientId, u32> = clients
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i as u32))
            .collect();
        let product_index: HashMap<ProductId, u32> = products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i as u32))
            .collect();

        let mut sources: Vec<SourceEntry> = Vec::new();
        let source_of = |sources: &mut Vec<SourceEntry>, id: &SourceId| -> u32 {
            // Rows of a reader share one id per source: try addresses first.
            let found = sources
                .iter()
                .position(|s| std::ptr::eq(s.id.as_str(), id.as_str()))
                .or_else(|| sources.iter().position(|s| s.id == *id));
            match found {
                Some(i) => i as u32,
                None => {
                    sources.push(SourceEntry {
                        id: id.clone(),
                        client_refs: HashMap::new(),
                        split_refs: HashMap::new(),
                        ignored_skus: hashbrown::HashSet::new(),
                        skus: HashMap::new(),
                    });
                    (sources.len() - 1) as u32
                }
            }
        };
        // Source and client of each client mapping; a file lists a client's
        // mappings together, so most repeat the client of the one before.
        let mut last_client: Option<(ClientId, u32)> = None;
        let resolved: Vec<(u32, u32)> = self
            .client_mappings
            .iter()
            .map(|mapping| {
                let source = source_of(&mut sources, &mapping.source);
                let client = match &last_client {
                    Some((id, index)) if same_id(id.as_str(), mapping.client_id.as_str()) => *index,
                    _ => {
                        let index = client_index[&mapping.client_id];
                        last_client = Some((mapping.client_id.clone(), index));
                        index
                    }
                };
                (source, client)
            })
            .collect();
        let mut per_source = vec![0usize; sources.len()];
        for &(source, _) in &resolved {
            per_source[source as usize] += 1;
        }
        for (entry, &count) in sources.iter_mut().zip(&per_source) {
            entry.client_refs.reserve(count);
        }
        let mut client_sources = vec![Vec::new(); clients.len()];
        for (mapping, (source, client)) in self.client_mappings.into_iter().zip(resolved) {
            let entry = &mut sources[source as usize];
            match mapping.domain {
                Some(domain) => entry
                    .split_refs
                    .entry(mapping.external_client_id.into_boxed_str())
                    .or_default()
                    .push((domain.trim().to_ascii_lowercase().into_boxed_str(), client)),
                None => {
                    entry
                        .client_refs
                        .insert(mapping.external_client_id.into_boxed_str(), client);
                }
            }
            if !client_sources[client as usize].contains(&source) {
                client_sources[client as usize].push(source);
            }
        }
        let mut mappings = Vec::with_capacity(self.product_mappings.len());
        let mut product_sources = vec![Vec::new(); products.len()];
        for mapping in &self.product_mappings {
            let source = source_of(&mut sources, &mapping.source);
            let product = product_index[&mapping.product_id];
            let index = mappings.len() as u32;
            mappings.push(ResolvedMapping {
                source,
                sku: mapping.sku.as_str().into(),
                product,
                units: mapping.units,
                rounding: mapping.rounding,
            });
            sources[source as usize]
                .skus
                .entry(mapping.sku.as_str().into())
                .or_default()
                .push(index);
            if !product_sources[product as usize].contains(&source) {
                product_sources[product as usize].push(source);
            }
        }
        for (source, sku) in std::mem::take(&mut self.ignored_skus) {
            let index = source_of(&mut sources, &source);
            sources[index as usize]
                .ignored_skus
                .insert(sku.into_boxed_str());
        }
        let has_rules = client_rules.iter().any(|rules| !rules.is_default())
            || products
                .iter()
                .any(|product| !product.counting.is_default())
            || sources.iter().any(|source| !source.split_refs.is_empty());
        let has_rounding = mappings
            .iter()
            .any(|mapping| mapping.rounding != Rounding::None);
        Catalog {
            clients,
            products,
            sources,
            mappings,
            client_index,
            product_index,
            product_sources,
            client_sources,
            client_rules,
            has_rules,
            has_rounding,
            rule_warnings,
        }
    }
}

/// How many recent product ids [`CatalogBuilder::add_billing_line`] keeps.
const RECENT: usize = 64;

/// Whether two ids are equal, checking first whether they share their text
/// (readers share one id among the rows that name it).
fn same_id(a: &str, b: &str) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// What makes a client mapping unique: source, reference and domain.
fn reference_key(mapping: &ClientMapping) -> (&str, &str, &str) {
    (
        mapping.source.as_str(),
        mapping.external_client_id.as_str(),
        mapping.domain.as_deref().unwrap_or(""),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_map(source: &str, reference: &str, client: &str) -> ClientMapping {
        ClientMapping {
            source: source.into(),
            external_client_id: reference.into(),
            client_id: client.into(),
            domain: None,
        }
    }

    #[test]
    fn repeated_mapping_is_harmless_and_conflict_is_reported() {
        let mut builder = Catalog::builder();
        builder
            .map_client(client_map("m365", "t-1", "C1"))
            .expect("first");
        builder
            .map_client(client_map("m365", "t-2", "C2"))
            .expect("second");
        builder
            .map_client(client_map("m365", "t-1", "C1"))
            .expect("repeat");
        let conflict = builder
            .map_client(client_map("m365", "t-1", "C2"))
            .expect_err("conflict");
        assert_eq!(conflict.previous, 0);
        assert!(conflict.detail.contains("t-1"), "{conflict}");
    }

    #[test]
    fn clients_are_indexed_in_id_order() {
        let mut builder = Catalog::builder();
        builder
            .map_client(client_map("rmm", "o-2", "C2"))
            .expect("map");
        builder
            .map_client(client_map("rmm", "o-1", "C1"))
            .expect("map");
        let catalog = builder.build();
        let ids: Vec<&str> = catalog.clients().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["C1", "C2"]);
    }
}
