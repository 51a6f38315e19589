//! String interning for the hot path: every distinct item key is stored once
//! and named by a `u32`, so millions of usage rows carry small integers
//! instead of strings.
//!
//! Item keys are interned per client ([`KeySpace`]): de-duplication only
//! ever compares keys within one client, feeds list a client's rows
//! together, and a small per-client table stays in the CPU cache where one
//! table of millions of keys would miss it on nearly every probe.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashTable;

/// Interns strings into one arena. Ids are dense, in first-seen order.
pub(crate) struct Interner {
    arena: String,
    /// `ends[id]` is where string `id` ends in `arena`; it starts where the
    /// previous one ends.
    ends: Vec<u32>,
    table: HashTable<u32>,
    hasher: FixedState,
    /// The hash of each string, by id (the same seed in every interner, so
    /// hashes compare across clients).
    hashes: Vec<u64>,
}

const SEED: u64 = 0x5eed_4ec0;

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("len", &self.ends.len())
            .finish()
    }
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            arena: String::new(),
            ends: Vec::new(),
            table: HashTable::new(),
            hasher: FixedState::with_seed(SEED),
            hashes: Vec::new(),
        }
    }
}

impl Interner {
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    #[inline]
    pub(crate) fn get(&self, id: u32) -> &str {
        text_at(&self.arena, &self.ends, id)
    }

    pub(crate) fn intern(&mut self, text: &str) -> u32 {
        let hash = self.hasher.hash_one(text);
        let (arena, ends) = (&self.arena, &self.ends);
        if let Some(&id) = self
            .table
            .find(hash, |&id| same_text(text_at(arena, ends, id), text))
        {
            return id;
        }
        if self.ends.is_empty() {
            // Most tables hold one client's users and devices: start at a
            // size that fits them instead of growing through every power
            // of two.
            self.table.reserve(128, |_| 0);
            self.ends.reserve(128);
            self.hashes.reserve(128);
            self.arena.reserve(128 * 24);
        }
        let id = u32::try_from(self.ends.len()).expect("fewer than 2^32 distinct keys");
        self.arena.push_str(text);
        self.hashes.push(hash);
        self.ends
            .push(u32::try_from(self.arena.len()).expect("interned text under 4 GiB"));
        let (arena, ends, hasher) = (&self.arena, &self.ends, &self.hasher);
        self.table.insert_unique(hash, id, |&other| {
            hasher.hash_one(text_at(arena, ends, other))
        });
        id
    }

    /// Ids of `other`'s strings in `self`, interning the missing ones.
    pub(crate) fn absorb(&mut self, other: &Interner) -> Vec<u32> {
        (0..other.len() as u32)
            .map(|id| self.intern(other.get(id)))
            .collect()
    }
}

/// Item keys, interned per client, plus those of unmapped rows.
#[derive(Debug, Default)]
pub(crate) struct KeySpace {
    per_client: Vec<Interner>,
    /// Keys of rows with no client mapping.
    pub(crate) loose: Interner,
}

impl KeySpace {
    pub(crate) fn new(clients: usize) -> Self {
        KeySpace {
            per_client: (0..clients).map(|_| Interner::default()).collect(),
            loose: Interner::default(),
        }
    }

    pub(crate) fn intern(&mut self, client: u32, key: &str) -> u32 {
        self.per_client[client as usize].intern(key)
    }

    #[inline]
    pub(crate) fn get(&self, client: u32, key: u32) -> &str {
        self.per_client[client as usize].get(key)
    }

    /// Each client's key hashes, by key id.
    pub(crate) fn client_hashes(&self) -> impl Iterator<Item = &[u64]> {
        self.per_client.iter().map(|interner| &interner.hashes[..])
    }

    /// Distinct (client, key) pairs.
    pub(crate) fn len(&self) -> usize {
        self.per_client.iter().map(Interner::len).sum()
    }

    /// Takes in `other`'s keys. Returns, per client whose keys had to be
    /// renumbered, the new id of each of `other`'s ids; clients that only
    /// `other` had keep their ids and need no renumbering.
    pub(crate) fn absorb(&mut self, other: KeySpace) -> (Vec<Option<Vec<u32>>>, Vec<u32>) {
        let loose = self.loose.absorb(&other.loose);
        let mut renumbered = Vec::with_capacity(other.per_client.len());
        for (mine, theirs) in self.per_client.iter_mut().zip(other.per_client) {
            if theirs.len() == 0 {
                renumbered.push(None);
            } else if mine.len() == 0 {
                *mine = theirs;
                renumbered.push(None);
            } else {
                renumbered.push(Some(mine.absorb(&theirs)));
            }
        }
        (renumbered, loose)
    }
}

/// Whether two short texts are equal, compared eight bytes at a time in
/// line: a `memcmp` call costs more than the comparison itself for the few
/// dozen bytes of a key, a reference or a SKU.
#[inline]
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let len = a.len();
    if len < 4 {
        return a.first() == b.first() && a.get(1) == b.get(1) && a.get(2) == b.get(2);
    }
    if len < 8 {
        // The first four bytes and the last four (which may overlap).
        let half = |text: &[u8], at: usize| {
            text[at..]
                .first_chunk::<4>()
                .map(|w| u32::from_le_bytes(*w))
        };
        return half(a, 0) == half(b, 0) && half(a, len - 4) == half(b, len - 4);
    }
    // Whole words, then the last eight bytes (which may overlap the last
    // whole word).
    let word = |w: &[u8]| u64::from_le_bytes(w.try_into().unwrap_or_default());
    let last = |text: &[u8]| text.last_chunk::<8>().map(|w| u64::from_le_bytes(*w));
    a.chunks_exact(8)
        .zip(b.chunks_exact(8))
        .all(|(x, y)| word(x) == word(y))
        && last(a) == last(b)
}

#[inline]
fn text_at<'a>(arena: &'a str, ends: &[u32], id: u32) -> &'a str {
    let end = ends[id as usize] as usize;
    let start = match id {
        0 => 0,
        _ => ends[id as usize - 1] as usize,
    };
    &arena[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_each_string_once() {
        let mut interner = Interner::default();
        let a = interner.intern("ann@contoso.com");
        let b = interner.intern("bob@contoso.com");
        assert_eq!(interner.intern("ann@contoso.com"), a);
        assert_ne!(a, b);
        assert_eq!(interner.get(b), "bob@contoso.com");
        assert_eq!(interner.len(), 2);
    }

    #[test]
    fn same_text_agrees_with_equality() {
        let texts = [
            "",
            "a",
            "b",
            "ab",
            "ac",
            "abc",
            "abd",
            "bbc",
            "abcd",
            "abce",
            "xbcd",
            "abcde",
            "abcdx",
            "xbcde",
            "abcdefg",
            "abcdefx",
            "abcxefg",
            "abcdefgh",
            "abcdefgi",
            "bbcdefgh",
            "abcdefghijklmnop",
            "abcdefghijklmnoq",
            "abcdefghijklmnopq",
            "abcdefghijklmnopr",
            "xbcdefghijklmnopr",
            "ann@contoso.com",
            "ann@contoso.con",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(same_text(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn absorb_translates_ids() {
        let mut left = Interner::default();
        left.intern("x");
        let mut right = Interner::default();
        right.intern("y");
        right.intern("x");
        assert_eq!(left.absorb(&right), vec![1, 0]);
    }
}
