//! Cross-client items: item keys counted under two or more clients.

use std::ops::Range;

use hashbrown::HashMap;
use rayon::iter::{
    IndexedParallelIterator, IntoParallelIterator, IntoParallelRefIterator, ParallelIterator,
};

use super::accumulate::{ItemRow, RowClass};
use super::intern::KeySpace;

/// (client, key id) of a cross-client key: (number of clients, set index).
pub(super) type CrossClient = HashMap<(u32, u32), (u64, u32)>;

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
pub(super) fn cross_client(
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

#[cfg(test)]
mod tests {
    use super::*;

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
