//! The single pass over usage: map each row's client and SKU, classify it,
//! normalise its item key, and keep it as a compact fixed-size record.
//!
//! Feeds can hold tens of millions of rows, so rows are borrowed, keys are
//! interned, and several accumulators can fill in parallel and then merge.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;
use rayon::prelude::*;
use rust_decimal::Decimal;

use super::catalog::{Catalog, SourceEntry};
use super::intern::{Interner, KeySpace, same_text};
use super::params::RunParams;

/// One usage row, borrowed from the parser's buffer.
#[derive(Debug, Clone, Copy, Default)]
pub struct UsageRow<'a> {
    pub source: &'a str,
    pub client_ref: &'a str,
    /// The client's name as the source spells it; empty when not given.
    pub client_name: &'a str,
    pub sku: &'a str,
    /// The user's UPN or the device's serial; empty for a count record.
    pub item_id: &'a str,
    pub status: &'a str,
    pub last_seen: Option<Timestamp>,
    /// Set for a count record: an aggregate the source reported.
    pub quantity: Option<Decimal>,
    /// The device's class as its feed says it (`workstation`, `server`);
    /// empty when not given.
    pub device_class: &'a str,
}

/// How a mapped row is treated. The order is the order of the sorted rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub(crate) enum RowClass {
    Counted = 0,
    Inactive = 1,
    Stale = 2,
    /// Left out by a counting or client rule (a device class, a named
    /// exception, a licence the client buys itself, the MSP's own client):
    /// shown as evidence, not an exception.
    Excluded = 3,
}

/// How many row classes there are: buckets per product when folding.
pub(crate) const ROW_CLASSES: usize = 4;

/// A mapped item row, 28 bytes. After the engine sorts and folds the rows,
/// each record is one group: one (client, product, class, item key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ItemRow {
    pub(crate) client: u32,
    pub(crate) product: u32,
    pub(crate) key: u32,
    /// The mapping (source, SKU, units) with the largest units in the group.
    pub(crate) mapping: u32,
    pub(crate) last_seen: CompactTime,
    /// Usage rows folded into this record.
    pub(crate) rows: u32,
    /// A second mapping the folded rows came from (another SKU or feed of
    /// the same product), for evidence; [`NO_SECOND`] if none or if its index
    /// does not fit.
    pub(crate) second: u16,
    pub(crate) status: u8,
    pub(crate) class: RowClass,
}

pub(crate) const NO_SECOND: u16 = u16::MAX;

impl ItemRow {
    pub(crate) fn second_mapping(&self) -> Option<u32> {
        (self.second != NO_SECOND).then_some(u32::from(self.second))
    }

    /// [`sort_key`](Self::sort_key) without the client, for rows of one
    /// client whose product index fits in 24 bits.
    pub(crate) fn key_within_client(&self) -> u64 {
        u64::from(self.product) << 40 | (self.class as u64) << 32 | u64::from(self.key)
    }

    /// Orders by client, product, class, then key id: all rows of one pair
    /// end up together, counted ones first.
    pub(crate) fn sort_key(&self) -> u128 {
        u128::from(self.client) << 72
            | u128::from(self.product) << 40
            | (self.class as u128) << 32
            | u128::from(self.key)
    }
}

/// A count record after mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CountRow {
    pub(crate) client: u32,
    pub(crate) product: u32,
    pub(crate) mapping: u32,
    pub(crate) quantity: Decimal,
    pub(crate) last_seen: CompactTime,
    pub(crate) status: u8,
    pub(crate) class: RowClass,
}

/// A row whose client or SKU is not mapped, kept as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LooseRow {
    /// Interned item key; `None` for a count record.
    pub(crate) key: Option<u32>,
    pub(crate) sku: u32,
    pub(crate) status: u8,
    pub(crate) last_seen: CompactTime,
    pub(crate) quantity: Option<Decimal>,
}

/// Rows of one unmapped client reference or one unmapped SKU.
#[derive(Debug, Clone, Default)]
pub(crate) struct LooseGroup {
    pub(crate) rows: Vec<LooseRow>,
    /// The client's name as the source spells it (first one seen).
    pub(crate) external_name: Option<Box<str>>,
}

/// Seconds since 1970 in 32 bits; 0 means unknown. Instants before 1970 are
/// kept as 1 (very old), instants after 2106 as the maximum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct CompactTime(u32);

impl CompactTime {
    fn new(at: Option<Timestamp>) -> Self {
        match at {
            None => CompactTime(0),
            Some(at) => CompactTime(at.as_second().clamp(1, i64::from(u32::MAX)) as u32),
        }
    }

    pub(crate) fn get(self) -> Option<Timestamp> {
        match self.0 {
            0 => None,
            secs => Timestamp::from_second(i64::from(secs)).ok(),
        }
    }
}

/// The client of a row whose reference is split across clients by the
/// domain of its items (`user@freight.example`); `None` when the reference
/// is not split or no split domain matches (the unsplit mapping decides).
fn split_client(entry: &SourceEntry, row: &UsageRow<'_>) -> Option<u32> {
    let splits = entry.split_refs.get(row.client_ref)?;
    let (_, domain) = row.item_id.trim().rsplit_once('@')?;
    splits
        .iter()
        .find(|(split, _)| split.eq_ignore_ascii_case(domain))
        .map(|&(_, client)| client)
}

/// Unmapped rows by source name, then client reference.
pub(crate) type UnmappedClients = HashMap<Box<str>, HashMap<Box<str>, LooseGroup>>;
/// Unmapped-SKU rows by (client, source index), then SKU.
pub(crate) type UnmappedSkus = HashMap<(u32, u32), HashMap<Box<str>, LooseGroup>>;

/// Folds usage rows into compact records. Fill one per thread, then
/// [`merge`](Self::merge) them.
#[derive(Debug)]
pub struct UsageAccumulator<'c> {
    pub(crate) catalog: &'c Catalog,
    stale_cutoff: Timestamp,
    as_of: Timestamp,
    pub(crate) keys: KeySpace,
    /// SKUs of unmapped rows (for evidence).
    pub(crate) texts: Interner,
    pub(crate) statuses: Vec<Arc<str>>,
    pub(crate) items: Vec<ItemRow>,
    pub(crate) counts: Vec<CountRow>,
    pub(crate) unmapped_clients: UnmappedClients,
    pub(crate) unmapped_skus: UnmappedSkus,
    pub(crate) rows_read: u64,
    /// Rows of SKUs the catalogue ignores (free and viral SKUs).
    pub(crate) ignored_rows: u64,
    key_buffer: String,
    sources: SourceIndex,
    /// Per source, the last mapped client reference and its client.
    last_reference: Vec<(String, u32)>,
    skus: SkuCache<'c>,
}

impl<'c> UsageAccumulator<'c> {
    pub fn new(catalog: &'c Catalog, params: &RunParams) -> Self {
        Self::with_capacity(catalog, params, 0)
    }

    /// Reserves room for about `rows` usage rows, avoiding regrowth of the
    /// large array on big feeds.
    pub fn with_capacity(catalog: &'c Catalog, params: &RunParams, rows: usize) -> Self {
        UsageAccumulator {
            catalog,
            stale_cutoff: params.stale_cutoff(),
            as_of: params.as_of,
            keys: KeySpace::new(catalog.clients.len()),
            texts: Interner::default(),
            // Slot 0 is always `active`, the status of nearly every row.
            statuses: vec!["active".into()],
            items: Vec::with_capacity(rows),
            counts: Vec::new(),
            unmapped_clients: HashMap::new(),
            unmapped_skus: HashMap::new(),
            rows_read: 0,
            ignored_rows: 0,
            key_buffer: String::new(),
            sources: SourceIndex::new(catalog),
            last_reference: Vec::new(),
            skus: SkuCache::new(catalog.sources.len()),
        }
    }

    /// Usage rows seen so far.
    pub fn rows_read(&self) -> u64 {
        self.rows_read
    }

    #[inline]
    pub fn add(&mut self, row: &UsageRow<'_>) {
        // Two copies of the row path: without rules (the bench rules, the
        // hot path) no rule is even looked at.
        if self.catalog.has_rules {
            self.add_ruled(row);
        } else {
            self.add_row::<false>(row);
        }
    }

    #[cold]
    #[inline(never)]
    fn add_ruled(&mut self, row: &UsageRow<'_>) {
        self.add_row::<true>(row);
    }

    #[inline]
    fn add_row<const RULED: bool>(&mut self, row: &UsageRow<'_>) {
        self.rows_read += 1;
        let catalog = self.catalog;
        let Some(source) = self.sources.find(catalog, row.source) else {
            self.add_unmapped_client(row);
            return;
        };
        let entry = &catalog.sources[source as usize];
        let split = if RULED && !entry.split_refs.is_empty() {
            split_client(entry, row)
        } else {
            None
        };
        let client = match split {
            Some(client) => client,
            None => match self.last_reference.get_mut(source as usize) {
                // Feeds list a client's rows together: most rows repeat the
                // previous reference of their source.
                Some((reference, client)) if same_text(reference, row.client_ref) => *client,
                _ => {
                    let Some(&client) = entry.client_refs.get(row.client_ref) else {
                        self.add_unmapped_client(row);
                        return;
                    };
                    self.remember_reference(source, row.client_ref, client);
                    client
                }
            },
        };
        let Some(mappings) = self.skus.get(entry, source, row.sku) else {
            if entry.ignored_skus.contains(row.sku)
                || (RULED && catalog.client_rules[client as usize].owns(entry.id.as_str(), row.sku))
            {
                // Free and viral SKUs, and licences the client buys itself:
                // not billed, not a mapping gap.
                self.ignored_rows += 1;
                return;
            }
            self.add_unmapped_sku(client, source, row);
            return;
        };
        // Nearly every row is `active`: test that first.
        let (status, active) = if row.status == "active" {
            (0, true)
        } else {
            let active = row.status.eq_ignore_ascii_case("active");
            (self.status_id(row.status), active)
        };
        let class = if !active {
            RowClass::Inactive
        } else if row.last_seen.is_some_and(|seen| seen < self.stale_cutoff) {
            RowClass::Stale
        } else {
            RowClass::Counted
        };
        let last_seen = CompactTime::new(row.last_seen);
        if let Some(quantity) = row.quantity {
            for &mapping in mappings {
                let class = if RULED {
                    self.ruled_class(client, mapping, row)
                } else {
                    class
                };
                self.counts.push(CountRow {
                    client,
                    product: catalog.mappings[mapping as usize].product,
                    mapping,
                    quantity,
                    last_seen,
                    status,
                    class,
                });
            }
            return;
        }
        let key = self.key_id(Some(client), row.item_id);
        for &mapping in mappings {
            let class = if RULED {
                self.ruled_class(client, mapping, row)
            } else {
                class
            };
            self.items.push(ItemRow {
                client,
                product: catalog.mappings[mapping as usize].product,
                key,
                mapping,
                last_seen,
                rows: 1,
                second: NO_SECOND,
                status,
                class,
            });
        }
    }

    /// Takes in another accumulator's rows (filled over the same catalogue).
    pub fn merge(&mut self, other: UsageAccumulator<'c>) {
        let (renumbered, loose_keys) = self.keys.absorb(other.keys);
        let texts = self.texts.absorb(&other.texts);
        let statuses: Vec<u8> = other
            .statuses
            .iter()
            .map(|status| self.status_id(status))
            .collect();
        self.rows_read += other.rows_read;
        self.ignored_rows += other.ignored_rows;
        // Usually only the client cut in two by the split is renumbered and
        // the statuses come in the same order: copy the rows as they are,
        // then fix the few that need it.
        let start = self.items.len();
        self.items.reserve_exact(other.items.len());
        // Copied on the thread pool: at 10M rows this is ~140 MB, and the
        // time goes into first-touch page faults as much as into copying.
        self.items.par_extend(other.items.par_iter().copied());
        drop(other.items);
        let statuses_same = statuses
            .iter()
            .enumerate()
            .all(|(i, &s)| usize::from(s) == i);
        let any_renumbered = renumbered.iter().any(Option::is_some);
        if !statuses_same {
            for row in &mut self.items[start..] {
                row.status = statuses[row.status as usize];
            }
        }
        if any_renumbered {
            for row in &mut self.items[start..] {
                if let Some(ids) = &renumbered[row.client as usize] {
                    row.key = ids[row.key as usize];
                }
            }
        }
        self.counts
            .extend(other.counts.into_iter().map(|row| CountRow {
                status: statuses[row.status as usize],
                ..row
            }));
        let relabel = |row: LooseRow| LooseRow {
            key: row.key.map(|key| loose_keys[key as usize]),
            sku: texts[row.sku as usize],
            status: statuses[row.status as usize],
            ..row
        };
        for (source, references) in other.unmapped_clients {
            let mine = self.unmapped_clients.entry(source).or_default();
            for (reference, group) in references {
                merge_group(mine.entry(reference).or_default(), group, &relabel);
            }
        }
        for (at, skus) in other.unmapped_skus {
            let mine = self.unmapped_skus.entry(at).or_default();
            for (sku, group) in skus {
                merge_group(mine.entry(sku).or_default(), group, &relabel);
            }
        }
    }

    /// A row's class under the client's and the product's rules (only when
    /// the catalogue has rules: the bench rules need none of this).
    fn ruled_class(&self, client: u32, mapping: u32, row: &UsageRow<'_>) -> RowClass {
        let catalog = self.catalog;
        let resolved = &catalog.mappings[mapping as usize];
        let client_rules = &catalog.client_rules[client as usize];
        let counting = catalog.counting_for(client, resolved.product);
        let source = catalog.sources[resolved.source as usize].id.as_str();
        // What a rule leaves out is never an exception, whatever its
        // status: exclusions are decided first.
        if client_rules.internal || client_rules.owns(source, row.sku) {
            return RowClass::Excluded;
        }
        if !counting.device_classes.is_empty()
            && !row.device_class.is_empty()
            && !counting
                .device_classes
                .iter()
                .any(|class| class.trim().eq_ignore_ascii_case(row.device_class.trim()))
        {
            return RowClass::Excluded;
        }
        if !counting.excluded_items.is_empty() {
            let item = trim(row.item_id).to_lowercase();
            if counting
                .excluded_items
                .iter()
                .any(|excluded| excluded.trim().to_lowercase() == item)
            {
                return RowClass::Excluded;
            }
        }
        if !counting.counts_status(row.status) {
            return RowClass::Inactive;
        }
        let stale_days = client_rules.stale_days.or(counting.stale_days);
        let cutoff = match stale_days {
            Some(days) => self
                .as_of
                .checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(days)))
                .unwrap_or(Timestamp::MIN),
            None => self.stale_cutoff,
        };
        if row.last_seen.is_some_and(|seen| seen < cutoff) {
            return RowClass::Stale;
        }
        RowClass::Counted
    }

    fn remember_reference(&mut self, source: u32, reference: &str, client: u32) {
        let source = source as usize;
        if self.last_reference.len() <= source {
            self.last_reference
                .resize_with(source + 1, || (String::new(), u32::MAX));
        }
        let (last, last_client) = &mut self.last_reference[source];
        last.clear();
        last.push_str(reference);
        *last_client = client;
    }

    fn status_id(&mut self, status: &str) -> u8 {
        if status == "active" {
            return 0;
        }
        if let Some(i) = self.statuses.iter().position(|s| **s == *status) {
            return i as u8;
        }
        // More than 255 distinct statuses means free text in a status
        // column; the rare overflow shares the last slot.
        if self.statuses.len() == usize::from(u8::MAX) {
            return u8::MAX - 1;
        }
        self.statuses.push(status.into());
        (self.statuses.len() - 1) as u8
    }

    /// `lower(trim(item_id))`: UPNs and serials are case-insensitive.
    /// Interned within its client, or among unmapped keys.
    #[inline]
    fn key_id(&mut self, client: Option<u32>, item_id: &str) -> u32 {
        let trimmed = trim(item_id);
        if !needs_lowering(trimmed.as_bytes()) {
            // Already a key (most UPNs): no copy needed.
            return match client {
                Some(client) => self.keys.intern(client, trimmed),
                None => self.keys.loose.intern(trimmed),
            };
        }
        self.key_buffer.clear();
        if trimmed.is_ascii() {
            self.key_buffer.push_str(trimmed);
            self.key_buffer.make_ascii_lowercase();
        } else {
            self.key_buffer
                .extend(trimmed.chars().flat_map(char::to_lowercase));
        }
        match client {
            Some(client) => self.keys.intern(client, &self.key_buffer),
            None => self.keys.loose.intern(&self.key_buffer),
        }
    }

    fn loose_row(&mut self, row: &UsageRow<'_>) -> LooseRow {
        let key = match row.quantity {
            Some(_) => None,
            None => Some(self.key_id(None, row.item_id)),
        };
        LooseRow {
            key,
            sku: self.texts.intern(row.sku),
            status: self.status_id(row.status),
            last_seen: CompactTime::new(row.last_seen),
            quantity: row.quantity,
        }
    }

    fn add_unmapped_client(&mut self, row: &UsageRow<'_>) {
        let loose = self.loose_row(row);
        let references = match self.unmapped_clients.get_mut(row.source) {
            Some(references) => references,
            None => self.unmapped_clients.entry(row.source.into()).or_default(),
        };
        let group = match references.get_mut(row.client_ref) {
            Some(group) => group,
            None => references.entry(row.client_ref.into()).or_default(),
        };
        if group.external_name.is_none() && !row.client_name.is_empty() {
            group.external_name = Some(row.client_name.into());
        }
        group.rows.push(loose);
    }

    fn add_unmapped_sku(&mut self, client: u32, source: u32, row: &UsageRow<'_>) {
        let loose = self.loose_row(row);
        let skus = self.unmapped_skus.entry((client, source)).or_default();
        let group = match skus.get_mut(row.sku) {
            Some(group) => group,
            None => skus.entry(row.sku.into()).or_default(),
        };
        group.rows.push(loose);
    }
}

/// Finds a row's source among the catalogue's few feeds: a small table
/// keyed by the name's length and end bytes names the one candidate, and
/// one comparison confirms it (cheaper than hashing the name or comparing
/// it with every feed's).
#[derive(Debug)]
struct SourceIndex {
    /// `NONE`, `SCAN` (several feeds share the slot), or a feed's index.
    slots: [u8; 64],
}

impl SourceIndex {
    const NONE: u8 = u8::MAX;
    const SCAN: u8 = u8::MAX - 1;

    fn new(catalog: &Catalog) -> Self {
        let mut slots = [Self::NONE; 64];
        for (i, source) in catalog.sources.iter().enumerate() {
            let slot = &mut slots[Self::slot(source.id.as_str())];
            *slot = match u8::try_from(i) {
                Ok(i) if *slot == Self::NONE && i < Self::SCAN => i,
                _ => Self::SCAN,
            };
        }
        SourceIndex { slots }
    }

    fn slot(name: &str) -> usize {
        let bytes = name.as_bytes();
        let (first, last) = (bytes.first().copied(), bytes.last().copied());
        (bytes.len() ^ usize::from(first.unwrap_or(0)) << 1 ^ usize::from(last.unwrap_or(0)) << 3)
            % 64
    }

    #[inline]
    fn find(&self, catalog: &Catalog, name: &str) -> Option<u32> {
        match self.slots[Self::slot(name)] {
            Self::NONE => None,
            Self::SCAN => catalog
                .sources
                .iter()
                .position(|source| same_text(source.id.as_str(), name))
                .map(|i| i as u32),
            i => {
                same_text(catalog.sources[usize::from(i)].id.as_str(), name).then_some(u32::from(i))
            }
        }
    }
}

/// Mapped SKUs of each feed recently seen, with their mappings, in a small
/// direct-mapped cache. A client's rows name a few dozen SKUs in any order:
/// remembering only the last SKU of each feed missed a third of the time.
#[derive(Debug)]
struct SkuCache<'c> {
    /// `SKU_SLOTS` per feed; texts borrowed from the catalogue's keys.
    slots: Vec<Option<(&'c str, &'c [u32])>>,
}

const SKU_SLOTS: usize = 64;

impl<'c> SkuCache<'c> {
    fn new(sources: usize) -> Self {
        SkuCache {
            slots: vec![None; sources * SKU_SLOTS],
        }
    }

    /// The mappings of `sku` in feed `source`, or `None` if it has none.
    #[inline]
    fn get(&mut self, entry: &'c SourceEntry, source: u32, sku: &str) -> Option<&'c [u32]> {
        let slot = &mut self.slots[source as usize * SKU_SLOTS + Self::slot(sku)];
        if let Some((cached, mappings)) = *slot
            && same_text(cached, sku)
        {
            return Some(mappings);
        }
        let (key, mappings) = entry.skus.get_key_value(sku)?;
        *slot = Some((key, mappings));
        Some(mappings)
    }

    /// A slot from the first and last eight bytes and the length (SKUs of
    /// one family often differ in one character near the end).
    fn slot(sku: &str) -> usize {
        let bytes = sku.as_bytes();
        let word = |at: usize| {
            bytes[at..]
                .first_chunk::<8>()
                .map_or(0, |w| u64::from_le_bytes(*w))
        };
        let mixed = if bytes.len() >= 8 {
            word(0) ^ word(bytes.len() - 8).rotate_left(32)
        } else {
            bytes.iter().fold(0, |mixed, &b| mixed << 8 | u64::from(b))
        };
        let hash = mixed
            .wrapping_add(bytes.len() as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (hash >> 58) as usize % SKU_SLOTS
    }
}

/// `text.trim()`, skipping the Unicode scan when both ends are visible
/// ASCII (a Unicode space starts and ends with bytes of 0x80 and above).
fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(&first), Some(&last)) if visible_ascii(first) && visible_ascii(last) => text,
        _ => text.trim(),
    }
}

fn visible_ascii(byte: u8) -> bool {
    (b'!'..0x80).contains(&byte)
}

/// Whether any byte is not ASCII or is an upper-case letter, checked eight
/// bytes at a time.
fn needs_lowering(bytes: &[u8]) -> bool {
    if bytes.len() < 8 {
        let word = bytes
            .iter()
            .rev()
            .fold(0, |word, &b| word << 8 | u64::from(b));
        return not_key_bytes(word) != 0;
    }
    // Whole words, then the last eight bytes (which may overlap).
    let word = |w: &[u8]| u64::from_le_bytes(w.try_into().unwrap_or_default());
    let whole = bytes
        .chunks_exact(8)
        .fold(0, |flags, w| flags | not_key_bytes(word(w)));
    let last = bytes
        .last_chunk::<8>()
        .map_or(0, |w| not_key_bytes(u64::from_le_bytes(*w)));
    whole | last != 0
}

/// The high bit of each byte of `word` that may not stay as it is in an
/// item key: not ASCII, or an upper-case letter. Eight bytes at a time
/// (SWAR); zero bytes are never flagged.
fn not_key_bytes(word: u64) -> u64 {
    const LOW: u64 = u64::from_ne_bytes([0x7f; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let low = word & LOW;
    // Per byte, no carries (sums stay below 0x100): the high bit says
    // whether the low seven bits reach `A`, and whether they pass `Z`.
    let from_a = low + u64::from_ne_bytes([0x80 - b'A'; 8]);
    let past_z = low + u64::from_ne_bytes([0x80 - b'Z' - 1; 8]);
    (word | (from_a & !past_z)) & HIGH
}

fn merge_group(mine: &mut LooseGroup, theirs: LooseGroup, relabel: &impl Fn(LooseRow) -> LooseRow) {
    if mine.external_name.is_none() {
        mine.external_name = theirs.external_name;
    }
    mine.rows.extend(theirs.rows.into_iter().map(relabel));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_key_bytes_flags_upper_case_and_non_ascii_only() {
        for byte in 0..=u8::MAX {
            for at in 0..8 {
                let mut bytes = *b"ann@c.co";
                bytes[at] = byte;
                let expected = !byte.is_ascii() || byte.is_ascii_uppercase();
                let flags = not_key_bytes(u64::from_le_bytes(bytes));
                assert_eq!(flags != 0, expected, "{byte:#x} at {at}");
            }
        }
    }

    #[test]
    fn needs_lowering_at_any_length() {
        for len in 0..20 {
            for at in 0..len {
                let mut key = vec![b'a'; len];
                assert!(!needs_lowering(&key));
                key[at] = b'Q';
                assert!(needs_lowering(&key), "{len} {at}");
                key[at] = 0xc3;
                assert!(needs_lowering(&key), "{len} {at}");
            }
        }
    }

    #[test]
    fn trim_agrees_with_str_trim() {
        for text in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}a",
            "a\u{3000}",
            "é",
            "\ta b\n",
            "a b",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }
}
