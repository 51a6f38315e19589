//! The outcome of a reconciliation: per-pair numbers, item exceptions, and
//! the compact evidence behind both. Findings are built from it on demand so
//! that a run over tens of millions of rows never holds them all at once.

use std::fmt;
use std::ops::Range;

use rust_decimal::Decimal;

use super::accumulate::{CountRow, ItemRow, LooseGroup};
use super::catalog::Catalog;
use super::intern::{Interner, KeySpace};
use super::params::RunParams;
use crate::Money;
use crate::finding::FindingKind;
use crate::model::{BillingLine, ClientId, ProductId};

/// How a (client, product) pair came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PairStatus {
    Match,
    Underbilled,
    Overbilled,
    BilledNoUsage,
    UsageNotBilled,
}

impl PairStatus {
    /// The bench rule, in its order: equal, then no billing, then no usage,
    /// then the sign of the difference.
    pub fn classify(billed: Decimal, actual: Decimal) -> PairStatus {
        if actual == billed {
            PairStatus::Match
        } else if billed.is_zero() {
            PairStatus::UsageNotBilled
        } else if actual.is_zero() {
            PairStatus::BilledNoUsage
        } else if actual > billed {
            PairStatus::Underbilled
        } else {
            PairStatus::Overbilled
        }
    }

    pub fn as_str(self) -> &'static str {
        match self.finding_kind() {
            Some(kind) => kind.as_str(),
            None => "match",
        }
    }

    pub fn finding_kind(self) -> Option<FindingKind> {
        match self {
            PairStatus::Match => None,
            PairStatus::Underbilled => Some(FindingKind::Underbilled),
            PairStatus::Overbilled => Some(FindingKind::Overbilled),
            PairStatus::BilledNoUsage => Some(FindingKind::BilledNoUsage),
            PairStatus::UsageNotBilled => Some(FindingKind::UsageNotBilled),
        }
    }
}

impl fmt::Display for PairStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a pair's unit price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceBasis {
    /// The largest unit price among its billing lines.
    BillingLine,
    /// No billing line: the catalogue's list price.
    ListPrice,
    /// Neither: valued at zero, and said so in the diagnostics.
    Unpriced,
}

/// One (client, product) pair, billed against actual.
#[derive(Debug, Clone)]
pub(crate) struct Pair {
    pub(crate) client: u32,
    pub(crate) product: u32,
    pub(crate) billed: Decimal,
    /// What should be billed: `in_use`, less what the client's agreement
    /// includes, and not below its minimum (equal to `in_use` without
    /// client rules).
    pub(crate) actual: Decimal,
    /// What the usage counts, before the client's included and minimum
    /// quantities.
    pub(crate) in_use: Decimal,
    pub(crate) unit_price: Money,
    pub(crate) price_basis: PriceBasis,
    pub(crate) status: PairStatus,
    /// Its lines in `Reconciliation::billing_order`.
    pub(crate) lines: Range<u32>,
}

/// What an item exception points at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ExceptionTarget {
    /// A folded group in `Reconciliation::groups`.
    Group(u32),
    /// An entry of `Reconciliation::unmapped_clients`.
    UnmappedClient(u32),
    /// An entry of `Reconciliation::unmapped_skus`.
    UnmappedSku(u32),
}

#[derive(Debug, Clone)]
pub(crate) struct ItemException {
    pub(crate) kind: FindingKind,
    pub(crate) client: Option<u32>,
    pub(crate) product: Option<u32>,
    pub(crate) count: u64,
    pub(crate) target: ExceptionTarget,
}

#[derive(Debug)]
pub(crate) struct UnmappedClientEntry {
    pub(crate) source: Box<str>,
    pub(crate) reference: Box<str>,
    pub(crate) group: LooseGroup,
}

#[derive(Debug)]
pub(crate) struct UnmappedSkuEntry {
    pub(crate) client: u32,
    pub(crate) source: u32,
    pub(crate) sku: Box<str>,
    pub(crate) group: LooseGroup,
}

/// Counts that describe a run, for logs and summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    pub usage_rows: u64,
    /// Rows of SKUs the catalogue ignores (free and viral SKUs).
    pub ignored_rows: u64,
    pub billing_lines: u64,
    pub distinct_items: u64,
    pub pairs: u64,
}

/// A finished reconciliation.
#[derive(Debug)]
pub struct Reconciliation<'c> {
    pub(crate) catalog: &'c Catalog,
    pub(crate) params: RunParams,
    pub(crate) keys: KeySpace,
    pub(crate) texts: Interner,
    pub(crate) statuses: Vec<std::sync::Arc<str>>,
    /// Each status's rank in text order, so that sorts compare numbers.
    pub(crate) status_rank: Vec<u8>,
    /// Indices of the pairs that do not match, in pair order.
    pub(crate) mismatched: Vec<u32>,
    /// Folded item groups, one per (client, product, class, key id), by
    /// client; between clients lie rows that were folded away, so they are
    /// reached through `client_groups`.
    pub(crate) groups: Vec<ItemRow>,
    /// Client `c`'s groups, sorted by (product, class).
    pub(crate) client_groups: Vec<Range<u32>>,
    /// Count records sorted by (client, product, class).
    pub(crate) counts: Vec<CountRow>,
    pub(crate) billing: &'c [BillingLine],
    /// Indices into `billing`, sorted by (client, product, line id).
    pub(crate) billing_order: Vec<u32>,
    pub(crate) pairs: Vec<Pair>,
    pub(crate) exceptions: Vec<ItemException>,
    pub(crate) unmapped_clients: Vec<UnmappedClientEntry>,
    pub(crate) unmapped_skus: Vec<UnmappedSkuEntry>,
    /// Item keys counted under several clients: for each (client, key id)
    /// counted, the number of clients and the index of its set of groups in
    /// `cross_client_sets`.
    pub(crate) cross_client: hashbrown::HashMap<(u32, u32), (u64, u32)>,
    /// Each cross-client key's counted groups, in every client.
    pub(crate) cross_client_sets: Vec<Vec<u32>>,
    pub(crate) diagnostics: Vec<String>,
    pub(crate) stats: RunStats,
}

/// One row of `recon.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairLine<'a> {
    pub client_id: &'a ClientId,
    pub client_name: &'a str,
    pub product_id: &'a ProductId,
    pub product_name: &'a str,
    pub billed: Decimal,
    /// What should be billed (`in_use` after the client's included and
    /// minimum quantities).
    pub actual: Decimal,
    /// What the usage counts.
    pub in_use: Decimal,
    pub diff: Decimal,
    pub unit_price: Money,
    pub price_basis: PriceBasis,
    pub impact: Money,
    pub status: PairStatus,
}

/// One row of `exceptions.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExceptionLine<'a> {
    pub kind: FindingKind,
    pub client_id: Option<&'a ClientId>,
    pub product_id: Option<&'a ProductId>,
    pub source: Option<&'a str>,
    pub key: &'a str,
    pub count: u64,
}

impl<'c> Reconciliation<'c> {
    pub fn params(&self) -> &RunParams {
        &self.params
    }

    pub fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    pub fn stats(&self) -> RunStats {
        self.stats
    }

    /// Things worth knowing that are not findings (a billing line for an
    /// unknown client, a product with no price).
    pub fn diagnostics(&self) -> &[String] {
        &self.diagnostics
    }

    /// Every (client, product) pair, sorted by client id then product id.
    pub fn pairs(&self) -> impl ExactSizeIterator<Item = PairLine<'_>> + '_ {
        self.pairs.iter().map(|pair| self.pair_line(pair))
    }

    pub(crate) fn pair_line(&self, pair: &Pair) -> PairLine<'_> {
        let client = &self.catalog.clients[pair.client as usize];
        let product = &self.catalog.products[pair.product as usize];
        let diff = pair.actual - pair.billed;
        PairLine {
            client_id: &client.id,
            client_name: &client.name,
            product_id: &product.id,
            product_name: &product.name,
            billed: pair.billed,
            actual: pair.actual,
            in_use: pair.in_use,
            diff,
            unit_price: pair.unit_price,
            price_basis: pair.price_basis,
            impact: pair.unit_price.times(diff),
            status: pair.status,
        }
    }

    /// Item exceptions in `exceptions.csv` order: kind, client, product,
    /// source (empty first), key.
    pub fn exceptions(&self) -> impl ExactSizeIterator<Item = ExceptionLine<'_>> + '_ {
        self.exceptions.iter().map(|e| self.exception_line(e))
    }

    pub(crate) fn exception_line(&self, exception: &ItemException) -> ExceptionLine<'_> {
        let (source, key) = self.exception_source_and_key(&exception.target);
        ExceptionLine {
            kind: exception.kind,
            client_id: exception
                .client
                .map(|c| &self.catalog.clients[c as usize].id),
            product_id: exception
                .product
                .map(|p| &self.catalog.products[p as usize].id),
            source,
            key,
            count: exception.count,
        }
    }

    pub(crate) fn exception_source_and_key(
        &self,
        target: &ExceptionTarget,
    ) -> (Option<&str>, &str) {
        match *target {
            ExceptionTarget::Group(g) => {
                let group = &self.groups[g as usize];
                (None, self.keys.get(group.client, group.key))
            }
            ExceptionTarget::UnmappedClient(i) => {
                let entry = &self.unmapped_clients[i as usize];
                (Some(&entry.source), &entry.reference)
            }
            ExceptionTarget::UnmappedSku(i) => {
                let entry = &self.unmapped_skus[i as usize];
                (
                    Some(self.catalog.sources[entry.source as usize].id.as_str()),
                    &entry.sku,
                )
            }
        }
    }
}
