//! String interning for the hot path: every distinct item key is stored once
//! in one arena and named by a `u32`, so millions of usage rows carry small
//! integers instead of strings.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashTable;

/// Interns strings into one arena. Ids are dense, in first-seen order.
#[derive(Default)]
pub(crate) struct Interner {
    arena: String,
    /// `ends[id]` is where string `id` ends in `arena`; it starts where the
    /// previous one ends.
    ends: Vec<u32>,
    table: HashTable<u32>,
    hasher: FixedState,
    /// A small direct-mapped cache of recently interned strings. Feeds list
    /// one client's rows together and name each user or device once per
    /// product, so most lookups hit here and skip the large table, whose
    /// probes miss the CPU cache.
    recent: Vec<(u64, u32)>,
}

const RECENT_SLOTS: usize = 1 << 13;

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("len", &self.ends.len())
            .finish()
    }
}

impl Interner {
    pub(crate) fn with_capacity(strings: usize, bytes: usize) -> Self {
        Interner {
            arena: String::with_capacity(bytes),
            ends: Vec::with_capacity(strings),
            table: HashTable::with_capacity(strings),
            hasher: FixedState::with_seed(0x5eed_4ec0),
            recent: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn get(&self, id: u32) -> &str {
        text_at(&self.arena, &self.ends, id)
    }

    pub(crate) fn intern(&mut self, text: &str) -> u32 {
        let hash = self.hasher.hash_one(text);
        if self.recent.is_empty() {
            self.recent = vec![(0, u32::MAX); RECENT_SLOTS];
        }
        let slot = (hash as usize) & (RECENT_SLOTS - 1);
        let (cached_hash, cached_id) = self.recent[slot];
        if cached_hash == hash
            && cached_id != u32::MAX
            && text_at(&self.arena, &self.ends, cached_id) == text
        {
            return cached_id;
        }
        let (arena, ends) = (&self.arena, &self.ends);
        if let Some(&id) = self
            .table
            .find(hash, |&id| text_at(arena, ends, id) == text)
        {
            self.recent[slot] = (hash, id);
            return id;
        }
        let id = u32::try_from(self.ends.len()).expect("fewer than 2^32 distinct keys");
        self.arena.push_str(text);
        self.ends
            .push(u32::try_from(self.arena.len()).expect("interned text under 4 GiB"));
        let (arena, ends, hasher) = (&self.arena, &self.ends, &self.hasher);
        self.table.insert_unique(hash, id, |&other| {
            hasher.hash_one(text_at(arena, ends, other))
        });
        self.recent[slot] = (hash, id);
        id
    }

    /// Ids of `other`'s strings in `self`, interning the missing ones.
    pub(crate) fn absorb(&mut self, other: &Interner) -> Vec<u32> {
        (0..other.len() as u32)
            .map(|id| self.intern(other.get(id)))
            .collect()
    }
}

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
    fn absorb_translates_ids() {
        let mut left = Interner::default();
        left.intern("x");
        let mut right = Interner::default();
        right.intern("y");
        right.intern("x");
        assert_eq!(left.absorb(&right), vec![1, 0]);
    }
}
