//! Token-aware string similarity shared by the client and product matchers.
//!
//! Whole-string measures (Jaro-Winkler, Levenshtein on the full name) rate
//! "Northwind Logistics" and "Southwind Logistics" as near-identical, yet a
//! different first word is a different company. So names are compared word by
//! word: a word counts only if it is equal or a plausible typo or
//! abbreviation of a word on the other side, and the score is the share of
//! characters so covered on both sides (a Dice coefficient over characters).

use strsim::{jaro_winkler, levenshtein};

/// Below this Jaro-Winkler two words are different words, not a typo.
/// "northwnd"/"northwind" is about 0.98, "northwind"/"southwind" about 0.85.
const TYPO_MIN_JARO_WINKLER: f64 = 0.92;

/// Words shorter than this must match exactly: a one-letter difference in a
/// three-letter word is a different word.
const TYPO_MIN_LEN: usize = 4;

/// Credit for a prefix abbreviation ("tech" for "technologies"): less than a
/// typo, since prefixes also match unrelated longer words.
const PREFIX_CREDIT: f64 = 0.8;

/// Shortest prefix taken as an abbreviation.
const PREFIX_MIN_LEN: usize = 3;

/// How much of one word another covers, 0.0..=1.0.
pub(crate) fn word_similarity(left: &str, right: &str) -> f64 {
    if left == right {
        return 1.0;
    }
    // Numbers tell sites, plans and stores apart: no fuzziness there.
    if has_digit(left) || has_digit(right) {
        return 0.0;
    }
    let (shorter, longer) = if left.len() <= right.len() {
        (left, right)
    } else {
        (right, left)
    };
    if shorter.chars().count() >= PREFIX_MIN_LEN
        && longer.starts_with(shorter)
        && longer.len() > shorter.len() + 1
    {
        return PREFIX_CREDIT;
    }
    if shorter.chars().count() < TYPO_MIN_LEN {
        return 0.0;
    }
    let similarity = jaro_winkler(left, right);
    if similarity < TYPO_MIN_JARO_WINKLER {
        return 0.0;
    }
    // Stretch 0.92..1.0 to 0.68..1.0 so a marginal typo costs visibly more
    // than a transposed letter.
    1.0 - 4.0 * (1.0 - similarity)
}

/// Share of both sides' characters covered by matched words, 0.0..=1.0.
///
/// Words pair one-to-one, best pairs first (ties by position, so the result
/// never depends on hash order).
pub(crate) fn token_dice(left: &[String], right: &[String]) -> f64 {
    let total_len: usize = left
        .iter()
        .chain(right.iter())
        .map(|word| word.chars().count())
        .sum();
    if total_len == 0 {
        return 0.0;
    }
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (left_at, left_word) in left.iter().enumerate() {
        for (right_at, right_word) in right.iter().enumerate() {
            let similarity = word_similarity(left_word, right_word);
            if similarity > 0.0 {
                pairs.push((similarity, left_at, right_at));
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    let mut left_used = vec![false; left.len()];
    let mut right_used = vec![false; right.len()];
    let mut covered = 0.0;
    for (similarity, left_at, right_at) in pairs {
        if left_used[left_at] || right_used[right_at] {
            continue;
        }
        left_used[left_at] = true;
        right_used[right_at] = true;
        let pair_len = left[left_at].chars().count() + right[right_at].chars().count();
        covered += similarity * pair_len as f64;
    }
    covered / total_len as f64
}

/// Whether two run-together names differ by at most one edit ("north wind"
/// and "northwind", or one typo) and carry the same digits.
pub(crate) fn within_one_edit(left: &str, right: &str) -> bool {
    digits(left) == digits(right) && levenshtein(left, right) <= 1
}

fn has_digit(word: &str) -> bool {
    word.chars().any(|character| character.is_ascii_digit())
}

fn digits(text: &str) -> String {
    text.chars()
        .filter(|character| character.is_ascii_digit())
        .collect()
}
