//! The reconciliation rules (`shared/bench/README.md`, "Reconciliation
//! rules"): fold item rows into distinct items, sum them per pair, join with
//! billing, and derive the item exceptions.

use hashbrown::HashMap;
use std::cmp::{Ordering, Reverse};
use std::ops::Range;

use rayon::iter::{
    IndexedParallelIterator, IntoParallelIterator, IntoParallelRefIterator, ParallelIterator,
};
use rayon::slice::ParallelSliceMut;
use rust_decimal::Decimal;

use super::accumulate::{
    ItemRow, NO_SECOND, RowClass, UnmappedClients, UnmappedSkus, UsageAccumulator,
};
use super::catalog::Catalog;
use super::intern::KeySpace;
use super::params::RunParams;
use super::result::{
    ExceptionTarget, ItemException, Pair, PairStatus, PriceBasis, Reconciliation, RunStats,
    UnmappedClientEntry, UnmappedSkuEntry,
};
use crate::Money;
use crate::finding::FindingKind;
use crate::model::BillingLine;

/// Reconciles billing against the usage gathered in `usage`.
///
/// The catalogue must know every client and product the billing lines name
/// (see [`super::CatalogBuilder::add_billing_line`]); a line it does not know
/// is left out and reported in the diagnostics.
pub fn reconcile<'c>(
    catalog: &'c Catalog,
    billing: &'c [BillingLine],
    usage: UsageAccumulator<'c>,
    params: &RunParams,
) -> Reconciliation<'c> {
    let mut diagnostics = Vec::new();
    let UsageAccumulator {
        keys,
        texts,
        statuses,
        items,
        mut counts,
        unmapped_clients,
        unmapped_skus,
        rows_read,
        ..
    } = usage;

    if rows_read == 0 {
        diagnostics.push(
            "there are no usage rows at all: every billed pair shows as billed with no usage; check that the usage export is complete".to_string(),
        );
    }
    // Indexing billing needs no usage: it runs while the fold keeps the
    // other threads busy.
    let (folded, (billing_order, billed, billing_diagnostics)) = rayon::join(
        || fold_items(catalog, items, &statuses),
        || index_billing(catalog, billing),
    );
    diagnostics.extend(billing_diagnostics);
    let Folded {
        groups,
        client_groups,
        pairs_from_items,
        flagged,
    } = folded;
    // Cross-client detection needs only the groups: it runs alongside the
    // serial work of pairing.
    let ((cross_client, cross_client_sets), (pairs, unmapped_clients, unmapped_skus)) = rayon::join(
        || cross_client(&groups, &client_groups, &keys),
        || {
            counts.sort_by_key(|c| (c.client, c.product, c.class));
            let actual = actual_per_pair(catalog, pairs_from_items, &counts);
            let pairs = join_pairs(catalog, &billed, &actual, &mut diagnostics);
            let (clients, skus) = unmapped_entries(catalog, unmapped_clients, unmapped_skus);
            (pairs, clients, skus)
        },
    );
    let mut exceptions = Vec::with_capacity(flagged.len());
    for &index in &flagged {
        let group = &groups[index as usize];
        exceptions.push(ItemException {
            kind: match group.class {
                RowClass::Counted => FindingKind::DuplicateItem,
                RowClass::Inactive => FindingKind::DisabledLicensed,
                RowClass::Stale => FindingKind::StaleItem,
            },
            client: Some(group.client),
            product: Some(group.product),
            count: u64::from(group.rows),
            target: ExceptionTarget::Group(index),
        });
    }
    for members in &cross_client_sets {
        for &index in members {
            let group = &groups[index as usize];
            let (clients, _) = cross_client[&(group.client, group.key)];
            exceptions.push(ItemException {
                kind: FindingKind::CrossClientItem,
                client: Some(group.client),
                product: Some(group.product),
                count: clients,
                target: ExceptionTarget::Group(index),
            });
        }
    }
    for (index, entry) in unmapped_clients.iter().enumerate() {
        exceptions.push(ItemException {
            kind: FindingKind::UnmappedClient,
            client: None,
            product: None,
            count: entry.group.rows.len() as u64,
            target: ExceptionTarget::UnmappedClient(index as u32),
        });
    }
    for (index, entry) in unmapped_skus.iter().enumerate() {
        exceptions.push(ItemException {
            kind: FindingKind::UnmappedSku,
            client: Some(entry.client),
            product: None,
            count: entry.group.rows.len() as u64,
            target: ExceptionTarget::UnmappedSku(index as u32),
        });
    }

    let stats = RunStats {
        usage_rows: rows_read,
        billing_lines: billing.len() as u64,
        distinct_items: keys.len() as u64,
        pairs: pairs.len() as u64,
    };
    let mut reconciliation = Reconciliation {
        catalog,
        params: *params,
        keys,
        texts,
        status_rank: rank_by_text(&statuses),
        statuses,
        mismatched: (0..pairs.len() as u32)
            .filter(|&i| pairs[i as usize].status != PairStatus::Match)
            .collect(),
        groups,
        client_groups,
        counts,
        billing,
        billing_order,
        pairs,
        exceptions: Vec::new(),
        unmapped_clients,
        unmapped_skus,
        cross_client,
        cross_client_sets,
        diagnostics,
        stats,
    };
    reconciliation.exceptions = sort_exceptions(&reconciliation, exceptions);
    reconciliation
}

/// Unmapped client references and SKUs with their rows, in
/// `exceptions.csv` order.
fn unmapped_entries(
    catalog: &Catalog,
    unmapped_clients: UnmappedClients,
    unmapped_skus: UnmappedSkus,
) -> (Vec<UnmappedClientEntry>, Vec<UnmappedSkuEntry>) {
    let mut clients: Vec<UnmappedClientEntry> = unmapped_clients
        .into_iter()
        .flat_map(|(source, references)| {
            references
                .into_iter()
                .map(move |(reference, group)| UnmappedClientEntry {
                    source: source.clone(),
                    reference,
                    group,
                })
        })
        .collect();
    clients.sort_by(|a, b| (&a.source, &a.reference).cmp(&(&b.source, &b.reference)));
    let mut skus: Vec<UnmappedSkuEntry> = unmapped_skus
        .into_iter()
        .flat_map(|((client, source), skus)| {
            skus.into_iter().map(move |(sku, group)| UnmappedSkuEntry {
                client,
                source,
                sku,
                group,
            })
        })
        .collect();
    skus.sort_by(|a, b| {
        let source = |e: &UnmappedSkuEntry| catalog.sources[e.source as usize].id.clone();
        (a.client, source(a), &a.sku).cmp(&(b.client, source(b), &b.sku))
    });
    (clients, skus)
}

/// Each text's rank in text order (equal texts share a rank).
fn rank_by_text(texts: &[std::sync::Arc<str>]) -> Vec<u8> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| &texts[i]);
    let mut rank = vec![0u8; texts.len()];
    let mut current = 0u8;
    for (position, &i) in order.iter().enumerate() {
        if position > 0 && texts[i] != texts[order[position - 1]] {
            current = current.saturating_add(1);
        }
        rank[i] = current;
    }
    rank
}

/// Sorts item rows and folds each (class, client, product, key) into one
/// record: rows summed, the largest units factor kept, the latest sighting
/// kept. The fold does not depend on the order rows arrive in, so the
/// result does not depend on how the input was split across threads.
///
/// Each client's groups come out sorted by (product, class); within that
/// their order follows arrival, which nothing visible depends on (evidence
/// and exceptions are sorted by text).
fn fold_items(
    catalog: &Catalog,
    mut items: Vec<ItemRow>,
    statuses: &[std::sync::Arc<str>],
) -> Folded {
    // Feeds usually list a client's rows together: fold each run of one
    // client on its own, in parallel (small, cache-friendly work). If a
    // client's rows came in several runs, gather what those folds kept,
    // sort it by client and fold again (folding folded groups is folding).
    // Rows in no client order at all (a sample of neighbours shows it) are
    // sorted first: folding millions of tiny runs would cost more.
    let in_order = |i: usize| items[i].client <= items[i + 1].client;
    if !(0..items.len().saturating_sub(1))
        .step_by(1024)
        .all(in_order)
    {
        items.par_sort_unstable_by_key(|row| row.client);
    }
    let (mut items, mut runs) = fold_runs(catalog, items, statuses);
    if !runs.is_sorted_by(|a, b| a.client < b.client) {
        let mut kept = Vec::with_capacity(runs.iter().map(|run| run.kept).sum());
        let mut start = 0;
        for run in &runs {
            kept.extend_from_slice(&items[start..start + run.kept]);
            start += run.length;
        }
        kept.par_sort_unstable_by_key(|row| row.client);
        (items, runs) = fold_runs(catalog, kept, statuses);
    }
    // Each run keeps its groups at its front; the rest of it is left as it
    // is (moving millions of groups to close the gaps would cost more than
    // the few it saves), and only the ranges of the groups are kept.
    let mut client_groups = vec![0..0; catalog.clients.len()];
    let mut pairs_from_items = Vec::with_capacity(runs.iter().map(|r| r.pairs.len()).sum());
    let mut flagged = Vec::with_capacity(runs.iter().map(|r| r.flagged.len()).sum());
    let mut start = 0;
    for run in runs {
        let at = start as u32;
        client_groups[run.client as usize] = at..at + run.kept as u32;
        pairs_from_items.extend(run.pairs);
        flagged.extend(run.flagged.iter().map(|&i| at + i));
        start += run.length;
    }
    Folded {
        groups: items,
        client_groups,
        pairs_from_items,
        flagged,
    }
}

/// Folds each run of rows of one client in place. While a client's groups
/// are in cache, also sums its pairs and notes its groups that are
/// exceptions.
fn fold_runs(
    catalog: &Catalog,
    mut items: Vec<ItemRow>,
    statuses: &[std::sync::Arc<str>],
) -> (Vec<ItemRow>, Vec<FoldedRun>) {
    let runs = items
        .par_chunk_by_mut(|a, b| a.client == b.client)
        .map_init(RunFolder::default, |folder, run| {
            let kept = folder.fold(catalog, run, statuses);
            let RunSummary { pairs, flagged } = summarize(catalog, &run[..kept]);
            FoldedRun {
                client: run[0].client,
                length: run.len(),
                kept,
                pairs,
                flagged,
            }
        })
        .collect();
    (items, runs)
}

/// One run of rows of a client after folding: its groups are the first
/// `kept` of its `length` rows.
struct FoldedRun {
    client: u32,
    length: usize,
    kept: usize,
    pairs: Vec<ActualPair>,
    /// Positions of the groups that are item exceptions.
    flagged: Vec<u32>,
}

/// Item rows folded into groups, with what the fold learned on the way.
struct Folded {
    /// By client, with rows folded away at the end of each client's run.
    groups: Vec<ItemRow>,
    /// Client `c`'s groups, sorted by (product, class).
    client_groups: Vec<Range<u32>>,
    /// Counted units per pair with item groups, by (client, product).
    pairs_from_items: Vec<ActualPair>,
    /// Groups that are item exceptions (duplicate, inactive, stale).
    flagged: Vec<u32>,
}

/// What one client's groups add up to.
struct RunSummary {
    pairs: Vec<ActualPair>,
    /// Positions of the groups that are item exceptions.
    flagged: Vec<u32>,
}

/// Sums the counted units of each pair in one client's groups, and notes
/// the groups that are item exceptions: counted more than once, inactive,
/// stale.
fn summarize(catalog: &Catalog, groups: &[ItemRow]) -> RunSummary {
    let mut pairs: Vec<ActualPair> = Vec::new();
    let mut flagged = Vec::new();
    // Counted items per mapping of the current pair (a pair has few
    // mappings), multiplied out once per pair: one decimal product per
    // mapping instead of one decimal addition per item.
    let mut tally: Vec<(u32, u64)> = Vec::new();
    let mut at = 0u32;
    for bucket in groups.chunk_by(|a, b| (a.product, a.class) == (b.product, b.class)) {
        let first = &bucket[0];
        if pairs
            .last()
            .is_none_or(|pair| pair.product != first.product)
        {
            pairs.push(ActualPair {
                client: first.client,
                product: first.product,
                quantity: Decimal::ZERO,
                counted: false,
            });
        }
        if first.class == RowClass::Counted {
            for group in bucket {
                match tally
                    .iter_mut()
                    .find(|(mapping, _)| *mapping == group.mapping)
                {
                    Some((_, count)) => *count += 1,
                    None => tally.push((group.mapping, 1)),
                }
            }
            let pair = pairs.last_mut().expect("pushed above");
            pair.counted = true;
            for (mapping, count) in tally.drain(..) {
                pair.quantity += catalog.mappings[mapping as usize].units * Decimal::from(count);
            }
            let duplicates = bucket.iter().enumerate().filter(|(_, g)| g.rows > 1);
            flagged.extend(duplicates.map(|(i, _)| at + i as u32));
        } else {
            flagged.extend(at..at + bucket.len() as u32);
        }
        at += bucket.len() as u32;
    }
    RunSummary { pairs, flagged }
}

/// Scratch space to fold client runs, reused across the runs of a thread.
#[derive(Default)]
struct RunFolder {
    /// Rows of the run by (product, class).
    bucketed: Vec<ItemRow>,
    /// Start of each (product, class) bucket in `bucketed`.
    starts: Vec<u32>,
    /// Per key id: the bucket that last saw it and its group's position.
    seen: Vec<(u32, u32)>,
    /// Number of the current bucket; `seen` entries of earlier buckets are
    /// stale, so the table is never cleared.
    bucket: u32,
}

impl RunFolder {
    /// Folds the rows of one client into the front of `run`, sorted by
    /// (product, class); returns how many groups it kept.
    ///
    /// Rows are counting-sorted by (product, class), a handful of buckets
    /// per client, and each bucket is folded by key id, which is dense per
    /// client: linear work where a comparison sort of 28-byte rows was the
    /// largest cost of reconciling.
    fn fold(
        &mut self,
        catalog: &Catalog,
        run: &mut [ItemRow],
        statuses: &[std::sync::Arc<str>],
    ) -> usize {
        let buckets = catalog.products.len() * 3;
        // Clearing one counter per bucket must stay small next to the run.
        if buckets > run.len() * 4 + 256 {
            return sort_and_fold_run(catalog, run, statuses);
        }
        let bucket_of = |row: &ItemRow| row.product as usize * 3 + row.class as usize;
        self.starts.clear();
        self.starts.resize(buckets + 1, 0);
        let mut keys = 0;
        for row in run.iter() {
            self.starts[bucket_of(row) + 1] += 1;
            keys = keys.max(row.key as usize + 1);
        }
        for i in 1..=buckets {
            self.starts[i] += self.starts[i - 1];
        }
        self.bucketed.clear();
        self.bucketed.resize(run.len(), run[0]);
        for row in run.iter() {
            let slot = &mut self.starts[bucket_of(row)];
            self.bucketed[*slot as usize] = *row;
            *slot += 1;
        }
        // `starts[b]` is now the end of bucket b.
        if self.seen.len() < keys {
            self.seen.resize(keys, (0, 0));
        }
        let mut write = 0usize;
        let mut start = 0usize;
        for b in 0..buckets {
            let end = self.starts[b] as usize;
            if start == end {
                continue;
            }
            self.next_bucket();
            for row in &self.bucketed[start..end] {
                let seen = &mut self.seen[row.key as usize];
                if seen.0 == self.bucket {
                    merge_row(catalog, &mut run[seen.1 as usize], row, statuses);
                } else {
                    *seen = (self.bucket, write as u32);
                    run[write] = *row;
                    write += 1;
                }
            }
            start = end;
        }
        write
    }

    fn next_bucket(&mut self) {
        if self.bucket == u32::MAX {
            self.seen.fill((0, 0));
            self.bucket = 0;
        }
        self.bucket += 1;
    }
}

/// The general fold for a client run in a catalogue with more products than
/// the run has rows: sort the run, then fold equal neighbours.
fn sort_and_fold_run(
    catalog: &Catalog,
    run: &mut [ItemRow],
    statuses: &[std::sync::Arc<str>],
) -> usize {
    // Within one client a 64-bit key suffices while product ids fit in 24
    // bits (any real catalogue).
    if catalog.products.len() < 1 << 24 {
        run.sort_unstable_by_key(ItemRow::key_within_client);
    } else {
        run.sort_unstable_by_key(ItemRow::sort_key);
    }
    let mut write = 0usize;
    for read in 0..run.len() {
        let row = run[read];
        if write > 0 && run[write - 1].sort_key() == row.sort_key() {
            merge_row(catalog, &mut run[write - 1], &row, statuses);
        } else {
            run[write] = row;
            write += 1;
        }
    }
    write
}

/// Folds `row` into `group`, its equal in client, product, class and key.
fn merge_row(
    catalog: &Catalog,
    group: &mut ItemRow,
    row: &ItemRow,
    statuses: &[std::sync::Arc<str>],
) {
    group.rows = group.rows.saturating_add(row.rows);
    group.last_seen = group.last_seen.max(row.last_seen);
    keep_top_two_mappings(catalog, group, row.mapping);
    if let Some(second) = row.second_mapping() {
        keep_top_two_mappings(catalog, group, second);
    }
    if statuses[row.status as usize] < statuses[group.status as usize] {
        group.status = row.status;
    }
}

/// Keeps the group's two best distinct mappings, best first: more units,
/// then the lower index. The result does not depend on arrival order.
fn keep_top_two_mappings(catalog: &Catalog, group: &mut ItemRow, mapping: u32) {
    let rank = |m: u32| (Reverse(catalog.mappings[m as usize].units), m);
    if mapping == group.mapping || group.second_mapping() == Some(mapping) {
        return;
    }
    let narrow = |m: u32| {
        u16::try_from(m)
            .ok()
            .filter(|&m| m != NO_SECOND)
            .unwrap_or(NO_SECOND)
    };
    if rank(mapping) < rank(group.mapping) {
        group.second = narrow(group.mapping);
        group.mapping = mapping;
    } else if group
        .second_mapping()
        .is_none_or(|second| rank(mapping) < rank(second))
    {
        group.second = narrow(mapping);
    }
}

/// Billed quantity, largest unit price and line range per pair.
struct BilledPair {
    client: u32,
    product: u32,
    quantity: Decimal,
    unit_price: Money,
    lines: std::ops::Range<u32>,
}

fn index_billing(
    catalog: &Catalog,
    billing: &[BillingLine],
) -> (Vec<u32>, Vec<BilledPair>, Vec<String>) {
    let mut diagnostics = Vec::new();
    let mut order: Vec<(u32, u32, u32)> = Vec::with_capacity(billing.len());
    for (index, line) in billing.iter().enumerate() {
        match (
            catalog.client_idx(&line.client_id),
            catalog.product_idx(&line.product_id),
        ) {
            (Some(client), Some(product)) => order.push((client, product, index as u32)),
            _ => diagnostics.push(format!(
                "billing line {} names a client or product the catalogue does not know; left out",
                line.line_id
            )),
        }
    }
    // Line ids are unique, so an unstable sort is still deterministic.
    order.sort_unstable_by(|a, b| {
        (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| {
            billing[a.2 as usize]
                .line_id
                .cmp(&billing[b.2 as usize].line_id)
        })
    });
    let mut billed: Vec<BilledPair> = Vec::new();
    for (position, &(client, product, index)) in order.iter().enumerate() {
        let line = &billing[index as usize];
        let position = position as u32;
        match billed.last_mut() {
            Some(pair) if pair.client == client && pair.product == product => {
                pair.quantity += line.quantity;
                pair.unit_price = pair.unit_price.max(line.unit_price);
                pair.lines.end = position + 1;
            }
            _ => billed.push(BilledPair {
                client,
                product,
                quantity: line.quantity,
                unit_price: line.unit_price,
                lines: position..position + 1,
            }),
        }
    }
    (
        order.into_iter().map(|(_, _, index)| index).collect(),
        billed,
        diagnostics,
    )
}

/// Actual quantity and group range per pair that has counted usage.
struct ActualPair {
    client: u32,
    product: u32,
    quantity: Decimal,
    counted: bool,
}

fn actual_per_pair(
    catalog: &Catalog,
    from_items: Vec<ActualPair>,
    counts: &[super::accumulate::CountRow],
) -> Vec<ActualPair> {
    let mut from_counts: Vec<ActualPair> = Vec::new();
    for count in counts.iter().filter(|c| c.class == RowClass::Counted) {
        let quantity = count.quantity * catalog.mappings[count.mapping as usize].units;
        match from_counts.last_mut() {
            Some(pair) if pair.client == count.client && pair.product == count.product => {
                pair.quantity += quantity;
            }
            _ => from_counts.push(ActualPair {
                client: count.client,
                product: count.product,
                quantity,
                counted: true,
            }),
        }
    }
    let mut actual = if from_counts.is_empty() {
        from_items
    } else {
        merge_sorted(
            from_items,
            from_counts,
            |p| (p.client, p.product),
            |mut items, counts| {
                items.quantity += counts.quantity;
                items.counted = true;
                items
            },
        )
    };
    // Rows that were all excluded (inactive, stale) do not make a pair; a
    // billed pair's findings still show them as evidence.
    actual.retain(|pair| pair.counted);
    actual
}

/// Joins billed and actual pairs (a full outer join on client and product).
fn join_pairs(
    catalog: &Catalog,
    billed: &[BilledPair],
    actual: &[ActualPair],
    diagnostics: &mut Vec<String>,
) -> Vec<Pair> {
    let mut pairs = Vec::with_capacity(billed.len().max(actual.len()));
    let (mut b, mut a) = (0, 0);
    while b < billed.len() || a < actual.len() {
        let billed_key = billed.get(b).map(|p| (p.client, p.product));
        let actual_key = actual.get(a).map(|p| (p.client, p.product));
        let (billed_pair, actual_pair) = match (billed_key, actual_key) {
            (Some(x), Some(y)) if x == y => {
                b += 1;
                a += 1;
                (Some(&billed[b - 1]), Some(&actual[a - 1]))
            }
            (Some(x), Some(y)) if x < y => {
                b += 1;
                (Some(&billed[b - 1]), None)
            }
            (Some(_), None) => {
                b += 1;
                (Some(&billed[b - 1]), None)
            }
            _ => {
                a += 1;
                (None, Some(&actual[a - 1]))
            }
        };
        let (client, product) = billed_pair
            .map(|p| (p.client, p.product))
            .or(actual_pair.map(|p| (p.client, p.product)))
            .expect("the loop runs only while one side has a pair");
        let billed_quantity = billed_pair.map_or(Decimal::ZERO, |p| p.quantity);
        let actual_quantity = actual_pair.map_or(Decimal::ZERO, |p| p.quantity);
        let (unit_price, price_basis) = match billed_pair {
            Some(p) => (p.unit_price, PriceBasis::BillingLine),
            None => match catalog.products[product as usize].list_price {
                Some(price) => (price, PriceBasis::ListPrice),
                None => {
                    diagnostics.push(format!(
                        "product {} has usage but no billing line and no list price; valued at 0.00",
                        catalog.products[product as usize].id
                    ));
                    (Money::ZERO, PriceBasis::Unpriced)
                }
            },
        };
        pairs.push(Pair {
            client,
            product,
            billed: billed_quantity,
            actual: actual_quantity,
            unit_price,
            price_basis,
            status: PairStatus::classify(billed_quantity, actual_quantity),
            lines: billed_pair.map_or(0..0, |p| p.lines.clone()),
        });
    }
    pairs
}

/// (client, key id) of a cross-client key: (number of clients, set index).
type CrossClient = HashMap<(u32, u32), (u64, u32)>;

/// A key as cross-client detection sees it: (hash, client, key id).
type HashedKey = (u64, u32, u32);

/// Item keys counted under two or more clients. Keys are interned per
/// client, so identity across clients goes by the text: find the hashes
/// (computed by the interners anyway) that appear under several clients,
/// compare the texts of those few keys, and keep the keys counted (not only
/// inactive or stale) under at least two clients.
///
/// Returns, for each counted (client, key id) of such a key, the number of
/// distinct clients and the index of the key's set of counted groups.
fn cross_client(
    groups: &[ItemRow],
    client_groups: &[Range<u32>],
    keys: &KeySpace,
) -> (CrossClient, Vec<Vec<u32>>) {
    let entries = shared_hashes(keys);

    // Candidates: the same text under several clients, counted or not, as
    // (client, key id, set).
    let mut candidates: Vec<(u32, u32, u32)> = Vec::new();
    let mut candidate_sets: u32 = 0;
    for run in entries.chunk_by(|a, b| a.0 == b.0) {
        if run.iter().all(|e| e.1 == run[0].1) {
            continue;
        }
        // Equal hashes: group by the actual text (a collision must not
        // merge two different items).
        let mut by_text: Vec<(&str, u32, u32)> = run
            .iter()
            .map(|&(_, client, key)| (keys.get(client, key), client, key))
            .collect();
        by_text.sort_unstable();
        for same in by_text.chunk_by(|a, b| a.0 == b.0) {
            if same.len() < 2 {
                continue; // one entry per client and key, so one client
            }
            for &(_, client, key) in same {
                candidates.push((client, key, candidate_sets));
            }
            candidate_sets += 1;
        }
    }
    if candidates.is_empty() {
        return (HashMap::new(), Vec::new());
    }
    // Each candidate set's counted groups, in group order: scan only the
    // groups of clients that have a candidate.
    candidates.sort_unstable();
    let mut counted_in: Vec<Vec<u32>> = vec![Vec::new(); candidate_sets as usize];
    for client_candidates in candidates.chunk_by(|a, b| a.0 == b.0) {
        let range = &client_groups[client_candidates[0].0 as usize];
        let (start, end) = (range.start as usize, range.end as usize);
        for (index, group) in groups[start..end].iter().enumerate() {
            if group.class != RowClass::Counted {
                continue;
            }
            if let Ok(at) = client_candidates.binary_search_by_key(&group.key, |c| c.1) {
                counted_in[client_candidates[at].2 as usize].push((start + index) as u32);
            }
        }
    }
    let mut shared: CrossClient = HashMap::new();
    let mut sets: Vec<Vec<u32>> = Vec::new();
    for members in counted_in {
        let mut distinct: Vec<u32> = members.iter().map(|&g| groups[g as usize].client).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 2 {
            continue;
        }
        let set = sets.len() as u32;
        for &g in &members {
            let group = &groups[g as usize];
            shared.insert((group.client, group.key), (distinct.len() as u64, set));
        }
        sets.push(members);
    }
    (shared, sets)
}

/// Bits of the hash that pick a partition in [`shared_hashes`].
const PARTITION_BITS: u32 = 8;

/// A key as a partition holds it: (low half of its hash, client, key id).
type PartitionedKey = (u32, u32, u32);

/// Every key whose hash appears more than once among all clients' keys,
/// sorted by hash.
///
/// Keys are few per client but millions in all, and almost none are
/// shared: partition them by the top bits of their hash (in parallel, into
/// one array), then look for repeats within each partition with a small
/// table that stays in cache. One global sort or table would miss the
/// cache on nearly every step. Partitions hold the low half of the hash
/// only (less memory to fill): a repeat there is checked on the full hash.
fn shared_hashes(keys: &KeySpace) -> Vec<HashedKey> {
    let partitions = 1usize << PARTITION_BITS;
    let partition_of = |hash: u64| (hash >> (64 - PARTITION_BITS)) as usize;
    let hashes: Vec<&[u64]> = keys.client_hashes().collect();
    // Clients in a few ranges of about equal numbers of keys, for the
    // threads to share.
    let total: usize = hashes.iter().map(|h| h.len()).sum();
    if total == 0 {
        return Vec::new();
    }
    let parts = rayon::current_num_threads() * 2;
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::with_capacity(parts);
    let (mut start, mut filled) = (0, 0);
    for (client, client_hashes) in hashes.iter().enumerate() {
        filled += client_hashes.len();
        if filled * parts >= total * (ranges.len() + 1) {
            ranges.push(start..client + 1);
            start = client + 1;
        }
    }
    if start < hashes.len() {
        ranges.push(start..hashes.len());
    }
    let counts: Vec<Vec<u32>> = ranges
        .par_iter()
        .map(|clients| {
            let mut counts = vec![0u32; partitions];
            for client_hashes in &hashes[clients.clone()] {
                for &hash in *client_hashes {
                    counts[partition_of(hash)] += 1;
                }
            }
            counts
        })
        .collect();
    // Partition by partition, each range's share of the array.
    let mut entries: Vec<PartitionedKey> = vec![(0, 0, 0); total];
    let mut shares: Vec<Vec<&mut [PartitionedKey]>> = (0..ranges.len())
        .map(|_| Vec::with_capacity(partitions))
        .collect();
    let mut partition_ends = Vec::with_capacity(partitions);
    let mut rest = &mut entries[..];
    for partition in 0..partitions {
        for (share, range_counts) in shares.iter_mut().zip(&counts) {
            let (head, tail) = rest.split_at_mut(range_counts[partition] as usize);
            share.push(head);
            rest = tail;
        }
        partition_ends.push(total - rest.len());
    }
    ranges
        .par_iter()
        .zip(shares)
        .for_each(|(clients, mut share)| {
            for client in clients.clone() {
                for (key, &hash) in hashes[client].iter().enumerate() {
                    let slot = &mut share[partition_of(hash)];
                    // Counted above: there is room for every entry.
                    if let Some((first, rest)) = std::mem::take(slot).split_first_mut() {
                        *first = (hash as u32, client as u32, key as u32);
                        *slot = rest;
                    }
                }
            }
        });
    let mut partitioned: Vec<&[PartitionedKey]> = Vec::with_capacity(partitions);
    let mut rest = &entries[..];
    let mut at = 0;
    for end in partition_ends {
        let (head, tail) = rest.split_at(end - at);
        partitioned.push(head);
        rest = tail;
        at = end;
    }
    let mut shared: Vec<HashedKey> = partitioned
        .into_par_iter()
        .fold(
            || (Vec::new(), Vec::new()),
            |(mut table, mut shared), partition| {
                repeated_hashes(partition, &mut table, &mut shared);
                (table, shared)
            },
        )
        .map(|(_, shared)| shared)
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        })
        .into_iter()
        .map(|(_, client, key)| (hashes[client as usize][key as usize], client, key))
        .collect();
    // Keep the hashes that repeat in full.
    shared.sort_unstable();
    let mut repeated = Vec::with_capacity(shared.len());
    for run in shared.chunk_by(|a, b| a.0 == b.0) {
        if run.len() > 1 {
            repeated.extend_from_slice(run);
        }
    }
    repeated
}

/// Appends to `shared` the entries of `partition` whose (partial) hash is
/// repeated, using `table` (open addressing) as scratch.
fn repeated_hashes(
    partition: &[PartitionedKey],
    table: &mut Vec<u32>,
    shared: &mut Vec<PartitionedKey>,
) {
    const EMPTY: u32 = u32::MAX;
    let size = (partition.len() * 2).next_power_of_two().max(16);
    let mask = size - 1;
    table.clear();
    table.resize(size, EMPTY);
    let mut repeated: Vec<u32> = Vec::new();
    for (index, entry) in partition.iter().enumerate() {
        let mut slot = entry.0 as usize & mask;
        loop {
            match table[slot] {
                EMPTY => {
                    table[slot] = index as u32;
                    break;
                }
                other if partition[other as usize].0 == entry.0 => {
                    repeated.push(entry.0);
                    break;
                }
                _ => slot = (slot + 1) & mask,
            }
        }
    }
    if !repeated.is_empty() {
        shared.extend(partition.iter().filter(|e| repeated.contains(&e.0)));
    }
}

/// Item exceptions in `exceptions.csv` order: kind, client, product,
/// source (empty first), key. Each is told apart by these, so the order is
/// total; the texts are looked up once, not in every comparison.
fn sort_exceptions(
    reconciliation: &Reconciliation<'_>,
    exceptions: Vec<ItemException>,
) -> Vec<ItemException> {
    let mut keyed: Vec<_> = exceptions
        .into_iter()
        .map(|exception| {
            let (source, key) = reconciliation.exception_source_and_key(&exception.target);
            let order = (
                exception.kind.as_str(),
                exception.client,
                exception.product,
                source,
                key,
            );
            (order, exception)
        })
        .collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, exception)| exception).collect()
}

/// Merges two lists sorted by `key`, combining entries with equal keys.
fn merge_sorted<T, K: Ord>(
    left: Vec<T>,
    right: Vec<T>,
    key: impl Fn(&T) -> K,
    combine: impl Fn(T, T) -> T,
) -> Vec<T> {
    let mut merged = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        let order = match (left.peek(), right.peek()) {
            (Some(l), Some(r)) => key(l).cmp(&key(r)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => break,
        };
        let next = match order {
            Ordering::Less => left.next(),
            Ordering::Greater => right.next(),
            Ordering::Equal => match (left.next(), right.next()) {
                (Some(l), Some(r)) => Some(combine(l, r)),
                _ => None,
            },
        };
        merged.extend(next);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::accumulate::CompactTime;
    use crate::model::{Client, ProductMapping};

    /// Two clients; two products fed by four SKUs (mappings 0 to 3: `A`,
    /// `A4` and `A2` count 1, 4 and 2 units of `P1`; `B` one of `P2`).
    fn catalog() -> Catalog {
        let mut builder = Catalog::builder();
        for id in ["C0", "C1"] {
            builder.add_client(Client {
                id: id.into(),
                name: id.into(),
            });
        }
        for (sku, product, units) in [
            ("A", "P1", 1),
            ("A4", "P1", 4),
            ("B", "P2", 1),
            ("A2", "P1", 2),
        ] {
            builder
                .map_product(ProductMapping {
                    source: "rmm".into(),
                    sku: sku.into(),
                    product_id: product.into(),
                    units: Decimal::from(units),
                })
                .expect("mapping");
        }
        builder.build()
    }

    /// Rows of one client, with repeated keys under several SKUs.
    fn rows(catalog: &Catalog, client: u32, count: u32) -> Vec<ItemRow> {
        let classes = [RowClass::Counted, RowClass::Inactive, RowClass::Stale];
        (0..count)
            .map(|i| {
                let mapping = i * 7 % 4;
                ItemRow {
                    client,
                    product: catalog.mappings[mapping as usize].product,
                    key: i * 13 % 37,
                    mapping,
                    last_seen: CompactTime::default(),
                    rows: 1 + i % 2,
                    second: NO_SECOND,
                    status: (i % 5 == 0) as u8,
                    class: classes[(i * 11 % 7 % 3) as usize],
                }
            })
            .collect()
    }

    #[test]
    fn rows_of_a_client_in_several_runs_fold_as_in_one() {
        let catalog = catalog();
        let statuses: Vec<std::sync::Arc<str>> = vec!["active".into(), "disabled".into()];
        let first = rows(&catalog, 0, 300);
        let mut split = first[..150].to_vec();
        split.extend(rows(&catalog, 1, 50));
        split.extend_from_slice(&first[150..]);
        let mut together = split.clone();
        together.sort_by_key(|row| row.client);
        let outcome = |items: Vec<ItemRow>| {
            let folded = fold_items(&catalog, items, &statuses);
            let mut groups: Vec<ItemRow> = folded
                .client_groups
                .iter()
                .flat_map(|range| folded.groups[range.start as usize..range.end as usize].to_vec())
                .collect();
            groups.sort_unstable_by_key(ItemRow::sort_key);
            let mut flagged: Vec<u128> = folded
                .flagged
                .iter()
                .map(|&g| folded.groups[g as usize].sort_key())
                .collect();
            flagged.sort_unstable();
            let pairs: Vec<(u32, u32, Decimal, bool)> = folded
                .pairs_from_items
                .iter()
                .map(|p| (p.client, p.product, p.quantity, p.counted))
                .collect();
            (groups, flagged, pairs)
        };
        let (groups, flagged, pairs) = outcome(together);
        assert!(groups.iter().any(|g| g.second_mapping().is_some()));
        assert_eq!(outcome(split), (groups, flagged, pairs));
    }

    #[test]
    fn folding_again_keeps_the_best_two_mappings() {
        // C0 lists a key under A4 and A, then (after C1) under A4 and A2:
        // the second best, A2, is known only to the second run's group.
        let catalog = catalog();
        let statuses: Vec<std::sync::Arc<str>> = vec!["active".into()];
        let row = |client: u32, mapping: u32| ItemRow {
            client,
            product: catalog.mappings[mapping as usize].product,
            key: 5,
            mapping,
            last_seen: CompactTime::default(),
            rows: 1,
            second: NO_SECOND,
            status: 0,
            class: RowClass::Counted,
        };
        let items = vec![row(0, 1), row(0, 0), row(1, 0), row(0, 1), row(0, 3)];
        let folded = fold_items(&catalog, items, &statuses);
        let range = folded.client_groups[0].clone();
        assert_eq!(range.len(), 1);
        let group = folded.groups[range.start as usize];
        assert_eq!(
            (group.mapping, group.second_mapping(), group.rows),
            (1, Some(3), 4)
        );
    }

    #[test]
    fn bucket_fold_and_sorting_fold_keep_the_same_groups() {
        let catalog = catalog();
        let statuses: Vec<std::sync::Arc<str>> = vec!["active".into(), "disabled".into()];
        let classes = [RowClass::Counted, RowClass::Inactive, RowClass::Stale];
        let rows: Vec<ItemRow> = (0u32..400)
            .map(|i| {
                let mapping = i * 7 % 4;
                ItemRow {
                    client: 0,
                    product: catalog.mappings[mapping as usize].product,
                    key: i * 13 % 37,
                    mapping,
                    last_seen: CompactTime::default(),
                    rows: 1 + i % 2,
                    second: NO_SECOND,
                    status: (i % 5 == 0) as u8,
                    class: classes[(i * 11 % 7 % 3) as usize],
                }
            })
            .collect();
        let mut bucketed = rows.clone();
        let kept = RunFolder::default().fold(&catalog, &mut bucketed, &statuses);
        let mut sorted = rows;
        let sorted_kept = sort_and_fold_run(&catalog, &mut sorted, &statuses);
        assert_eq!(kept, sorted_kept);
        let mut bucketed = bucketed[..kept].to_vec();
        assert!(bucketed.is_sorted_by_key(|row| (row.product, row.class)));
        bucketed.sort_unstable_by_key(ItemRow::sort_key);
        assert_eq!(bucketed, sorted[..kept]);
        assert!(kept < 400 && kept > 37, "some rows fold, not all: {kept}");
    }

    #[test]
    fn repeated_hashes_are_found_among_colliding_slots() {
        // Hashes 16 apart share a slot in a 16-slot table.
        let partition: Vec<PartitionedKey> = [5, 21, 37, 5, 8, 21, 21, 9]
            .iter()
            .enumerate()
            .map(|(i, &hash)| (hash, i as u32, 0))
            .collect();
        let (mut table, mut shared) = (Vec::new(), Vec::new());
        repeated_hashes(&partition, &mut table, &mut shared);
        let hashes: Vec<u32> = shared.iter().map(|e| e.0).collect();
        assert_eq!(hashes, [5, 21, 5, 21, 21]);
    }
}
