//! Scores for how well two normalised company names agree.

use super::names::NormalisedName;
use super::similarity::{token_dice, within_one_edit};

/// Same words, same site (or the same words and no site on either side).
pub(crate) const EXACT_NAME_SCORE: u8 = 95;
/// Same words, one side names a site and the other does not: still the same
/// company, a shade less sure it is the same PSA client.
pub(crate) const EXACT_NAME_ONE_SITE_SCORE: u8 = 93;
/// Same words, different sites: the same company but likely another PSA
/// client, so well below [`super::AUTO_MAP_THRESHOLD`].
pub(crate) const SAME_NAME_OTHER_SITE_SCORE: u8 = 80;
/// The best a fuzzy name can score: a fuzzy match is never accepted
/// without a person, however close.
pub(crate) const FUZZY_CEILING: f64 = 89.0;
/// Initials ("CDL" for "Contoso Dental LLC"): worth showing, never decisive,
/// since short initials are shared by many companies.
pub(crate) const INITIALS_SCORE: u8 = 72;
/// Run-together names shorter than this need an exact match: one edit in a
/// short name ("acme"/"acne") is another name.
const ONE_EDIT_MIN_LEN: usize = 8;
/// Names whose numbers differ ("Store 12"/"Store 13") keep this share: the
/// number is what tells branches and franchisees apart.
const OTHER_NUMBER_FACTOR: f64 = 0.7;
/// A fuzzy match across two different named sites keeps this share.
const OTHER_SITE_FACTOR: f64 = 0.85;

/// Why two names agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NameEvidence {
    Exact,
    OtherSite,
    Fuzzy { similarity_percent: u8 },
    Initials { initials: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameMatch {
    pub score: u8,
    pub evidence: NameEvidence,
}

/// Compares two names; `None` when they share nothing.
pub(crate) fn compare_names(left: &NormalisedName, right: &NormalisedName) -> Option<NameMatch> {
    if left.is_empty() || right.is_empty() {
        return None;
    }
    if left.core == right.core || left.joined() == right.joined() {
        return Some(exact_match(left, right));
    }
    let fuzzy = fuzzy_match(left, right);
    let initials = initials_match(left, right).or_else(|| initials_match(right, left));
    [fuzzy, initials]
        .into_iter()
        .flatten()
        .max_by_key(|name_match| name_match.score)
}

fn exact_match(left: &NormalisedName, right: &NormalisedName) -> NameMatch {
    let (score, evidence) = if left.site == right.site {
        (EXACT_NAME_SCORE, NameEvidence::Exact)
    } else if left.site.is_empty() || right.site.is_empty() {
        (EXACT_NAME_ONE_SITE_SCORE, NameEvidence::Exact)
    } else {
        (SAME_NAME_OTHER_SITE_SCORE, NameEvidence::OtherSite)
    };
    NameMatch { score, evidence }
}

/// The core similarity, 0.0..=1.0: word-by-word coverage, or nearly one for
/// run-together names one edit apart.
pub(crate) fn core_similarity(left: &NormalisedName, right: &NormalisedName) -> f64 {
    let by_words = token_dice(&left.core, &right.core);
    let (left_joined, right_joined) = (left.joined(), right.joined());
    let shorter_len = left_joined
        .chars()
        .count()
        .min(right_joined.chars().count());
    let by_spelling =
        if shorter_len >= ONE_EDIT_MIN_LEN && within_one_edit(&left_joined, &right_joined) {
            1.0 - 1.0 / shorter_len as f64
        } else {
            0.0
        };
    by_words.max(by_spelling)
}

fn fuzzy_match(left: &NormalisedName, right: &NormalisedName) -> Option<NameMatch> {
    let mut similarity = core_similarity(left, right);
    if numbers_of(&left.core) != numbers_of(&right.core) {
        similarity *= OTHER_NUMBER_FACTOR;
    }
    if !left.site.is_empty() && !right.site.is_empty() && left.site != right.site {
        similarity *= OTHER_SITE_FACTOR;
    }
    let score = (FUZZY_CEILING * similarity).round() as u8;
    (score > 0).then(|| NameMatch {
        score,
        evidence: NameEvidence::Fuzzy {
            similarity_percent: (similarity * 100.0).round() as u8,
        },
    })
}

/// `short` is one word of 2..=5 letters that spells `long`'s initials, with
/// or without its legal form.
fn initials_match(short: &NormalisedName, long: &NormalisedName) -> Option<NameMatch> {
    let [word] = short.core.as_slice() else {
        return None;
    };
    let letters = word.chars().count();
    if !(2..=5).contains(&letters) || !word.chars().all(char::is_alphabetic) {
        return None;
    }
    if long.core.len() < 2 {
        return None;
    }
    let spelled = *word == long.initials() || *word == long.initials_with_legal();
    spelled.then(|| NameMatch {
        score: INITIALS_SCORE,
        evidence: NameEvidence::Initials {
            initials: word.to_uppercase(),
        },
    })
}

fn numbers_of(words: &[String]) -> Vec<&str> {
    let mut numbers: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|word| word.chars().any(|character| character.is_ascii_digit()))
        .collect();
    numbers.sort_unstable();
    numbers
}
