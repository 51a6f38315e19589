//! The reconciliation rules (`shared/bench/README.md`, "Reconciliation
//! rules"): fold item rows into distinct items, sum them per pair, join with
//! billing, and derive the item exceptions.

use std::cmp::Ordering;

use rayon::iter::{IntoParallelIterator, ParallelIterator};
use rayon::slice::ParallelSliceMut;
use rust_decimal::Decimal;

use super::accumulate::{RowClass, UnmappedClients, UnmappedSkus, UsageAccumulator};
use super::catalog::Catalog;
use super::cross_client::cross_client;
use super::fold::{ActualPair, Folded, fold_items};
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
        ignored_rows,
        ..
    } = usage;
    diagnostics.extend(catalog.rule_warnings().iter().cloned());
    if ignored_rows > 0 {
        diagnostics.push(format!(
            "{ignored_rows} usage rows of ignored SKUs (free or viral, or bought by the client itself) were left out"
        ));
    }

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
        let kind = match group.class {
            RowClass::Counted => FindingKind::DuplicateItem,
            RowClass::Inactive => FindingKind::DisabledLicensed,
            RowClass::Stale => FindingKind::StaleItem,
            // Left out by a rule on purpose: evidence, never an exception
            // (the fold does not flag these groups).
            RowClass::Excluded => continue,
        };
        exceptions.push(ItemException {
            kind,
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
        ignored_rows,
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

fn actual_per_pair(
    catalog: &Catalog,
    from_items: Vec<ActualPair>,
    counts: &[super::accumulate::CountRow],
) -> Vec<ActualPair> {
    let mut from_counts: Vec<ActualPair> = Vec::new();
    // Per mapping of the current pair: its total, rounded once at the end
    // of the pair when the mapping rounds (storage per started TB).
    let mut per_mapping: Vec<(u32, Decimal)> = Vec::new();
    let flush = |per_mapping: &mut Vec<(u32, Decimal)>, pair: Option<&mut ActualPair>| {
        if let Some(pair) = pair {
            for (mapping, total) in per_mapping.drain(..) {
                pair.quantity += catalog.mappings[mapping as usize].rounding.apply(total);
            }
        }
        per_mapping.clear();
    };
    for count in counts.iter().filter(|c| c.class == RowClass::Counted) {
        let quantity = count.quantity * catalog.mappings[count.mapping as usize].units;
        let same_pair = from_counts
            .last()
            .is_some_and(|pair| pair.client == count.client && pair.product == count.product);
        if !same_pair {
            flush(&mut per_mapping, from_counts.last_mut());
            from_counts.push(ActualPair {
                client: count.client,
                product: count.product,
                quantity: Decimal::ZERO,
                counted: true,
            });
        }
        match per_mapping.iter_mut().find(|(m, _)| *m == count.mapping) {
            Some((_, total)) => *total += quantity,
            None => per_mapping.push((count.mapping, quantity)),
        }
    }
    flush(&mut per_mapping, from_counts.last_mut());
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
        let in_use = actual_pair.map_or(Decimal::ZERO, |p| p.quantity);
        let rules = &catalog.client_rules[client as usize];
        let actual_quantity = if rules.is_default() {
            in_use
        } else {
            rules.billable(&catalog.products[product as usize].id, in_use)
        };
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
            in_use,
            unit_price,
            price_basis,
            status: PairStatus::classify(billed_quantity, actual_quantity),
            lines: billed_pair.map_or(0..0, |p| p.lines.clone()),
        });
    }
    pairs
}

/// Item exceptions in `exceptions.csv` order: kind, client, product,
/// source (empty first), key. Each is told apart by these, so the order is
/// total; the texts are looked up once, not in every comparison.
fn sort_exceptions(
    reconciliation: &Reconciliation<'_>,
    exceptions: Vec<ItemException>,
) -> Vec<ItemException> {
    // Looking the texts up is mostly waiting for memory: do it in parallel.
    let mut keyed: Vec<_> = exceptions
        .into_par_iter()
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
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
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
