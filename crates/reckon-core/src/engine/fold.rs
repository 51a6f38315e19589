//! Folding item rows: each (client, product, class, item key) becomes one
//! group, with its rows summed, its best two mappings and its latest
//! sighting; on the way, each pair's counted units and the groups that are
//! item exceptions.

use std::cmp::Reverse;
use std::ops::Range;

use rayon::iter::ParallelIterator;
use rayon::slice::ParallelSliceMut;
use rust_decimal::Decimal;

use super::accumulate::{ItemRow, NO_SECOND, ROW_CLASSES, RowClass};
use super::catalog::Catalog;

/// Sorts item rows and folds each (class, client, product, key) into one
/// record: rows summed, the largest units factor kept, the latest sighting
/// kept. The fold does not depend on the order rows arrive in, so the
/// result does not depend on how the input was split across threads.
///
/// Each client's groups come out sorted by (product, class); within that
/// their order follows arrival, which nothing visible depends on (evidence
/// and exceptions are sorted by text).
pub(super) fn fold_items(
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
pub(super) struct Folded {
    /// By client, with rows folded away at the end of each client's run.
    pub(super) groups: Vec<ItemRow>,
    /// Client `c`'s groups, sorted by (product, class).
    pub(super) client_groups: Vec<Range<u32>>,
    /// Counted units per pair with item groups, by (client, product).
    pub(super) pairs_from_items: Vec<ActualPair>,
    /// Groups that are item exceptions (duplicate, inactive, stale).
    pub(super) flagged: Vec<u32>,
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
                let resolved = &catalog.mappings[mapping as usize];
                pair.quantity += resolved
                    .rounding
                    .apply(resolved.units * Decimal::from(count));
            }
            // A key listed once by each of two feeds of a bundle (RMM and
            // EDR) is the de-duplication working, not a duplicate: only
            // rows beyond one per feed are.
            let duplicates = bucket
                .iter()
                .enumerate()
                .filter(|(_, g)| g.rows > 1 && g.rows > feeds_of(catalog, g));
            flagged.extend(duplicates.map(|(i, _)| at + i as u32));
        } else if first.class != RowClass::Excluded {
            flagged.extend(at..at + bucket.len() as u32);
        }
        at += bucket.len() as u32;
    }
    RunSummary { pairs, flagged }
}

/// How many different feeds a group's rows are known to come from: its
/// best mapping's, and its second mapping's when that is another feed.
fn feeds_of(catalog: &Catalog, group: &ItemRow) -> u32 {
    let source = |mapping: u32| catalog.mappings[mapping as usize].source;
    match group.second_mapping() {
        Some(second) if source(second) != source(group.mapping) => 2,
        _ => 1,
    }
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
        let buckets = catalog.products.len() * ROW_CLASSES;
        // Clearing one counter per bucket must stay small next to the run.
        if buckets > run.len() * 4 + 256 {
            return sort_and_fold_run(catalog, run, statuses);
        }
        let bucket_of = |row: &ItemRow| row.product as usize * ROW_CLASSES + row.class as usize;
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

/// Actual quantity of a pair, and whether any of its usage is counted.
pub(super) struct ActualPair {
    pub(super) client: u32,
    pub(super) product: u32,
    pub(super) quantity: Decimal,
    pub(super) counted: bool,
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
                    rounding: crate::model::Rounding::None,
                })
                .expect("mapping");
        }
        builder.build()
    }

    /// Rows of one client, with repeated keys under several SKUs.
    fn rows(catalog: &Catalog, client: u32, count: u32) -> Vec<ItemRow> {
        let classes = [
            RowClass::Counted,
            RowClass::Inactive,
            RowClass::Stale,
            RowClass::Excluded,
        ];
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
                    class: classes[(i * 11 % 7 % 4) as usize],
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
        let classes = [
            RowClass::Counted,
            RowClass::Inactive,
            RowClass::Stale,
            RowClass::Excluded,
        ];
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
                    class: classes[(i * 11 % 7 % 4) as usize],
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
}
