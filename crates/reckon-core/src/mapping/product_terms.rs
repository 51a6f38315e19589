//! Product names as comparable words: abbreviations spelled out, filler
//! dropped, and the edition words that separate one plan from another.

/// Abbreviations in SKU and PSA product names, spelled out so that
/// "M365 BP" and "Microsoft 365 Business Premium" are the same words.
const EXPANSIONS: &[(&str, &[&str])] = &[
    ("m365", &["microsoft", "365"]),
    ("o365", &["office", "365"]),
    ("ms", &["microsoft"]),
    ("msft", &["microsoft"]),
    ("bp", &["business", "premium"]),
    ("wks", &["workstation"]),
    ("ws", &["workstation"]),
    ("wkstn", &["workstation"]),
    ("srv", &["server"]),
    ("svr", &["server"]),
    ("bk", &["backup"]),
    ("bkp", &["backup"]),
    ("std", &["standard"]),
    ("prem", &["premium"]),
    ("biz", &["business"]),
    ("bus", &["business"]),
    ("def", &["defender"]),
    ("exo", &["exchange", "online"]),
    ("p1", &["plan1"]),
    ("p2", &["plan2"]),
    ("p3", &["plan3"]),
];

/// Phrases a product name may spell out where another uses the acronym.
const CONTRACTIONS: &[(&[&str], &str)] = &[
    (&["endpoint", "detection", "and", "response"], "edr"),
    (&["endpoint", "detection", "response"], "edr"),
    (&["managed", "detection", "and", "response"], "mdr"),
    (&["managed", "detection", "response"], "mdr"),
];

/// Words that say how a product is sold, not which product it is.
const FILLER_WORDS: &[&str] = &[
    "license",
    "licence",
    "licenses",
    "licences",
    "subscription",
    "seat",
    "seats",
    "user",
    "users",
    "per",
    "nce",
    "the",
    "for",
    "and",
    "with",
    "a",
    "of",
];

/// Words that pick one edition of a product family. Two names whose
/// editions differ are different products, however alike the rest.
const EDITION_WORDS: &[&str] = &[
    "premium",
    "standard",
    "basic",
    "essentials",
    "pro",
    "professional",
    "enterprise",
    "advanced",
    "plus",
    "lite",
    "e1",
    "e3",
    "e5",
    "f1",
    "f3",
    "a1",
    "a3",
    "a5",
    "g3",
    "g5",
];

/// Lowercase words with abbreviations spelled out, "plan 2" read as one word
/// "plan2", known phrases contracted and filler dropped.
pub(crate) fn product_words(text: &str) -> Vec<String> {
    let raw: Vec<String> = text
        .split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut expanded: Vec<String> = Vec::new();
    for word in raw {
        match EXPANSIONS.iter().find(|(short, _)| *short == word) {
            Some((_, long)) => expanded.extend(long.iter().map(|part| (*part).to_owned())),
            None => expanded.push(word),
        }
    }
    let joined_plans = join_plan_numbers(expanded);
    let contracted = contract_phrases(joined_plans);
    contracted
        .into_iter()
        .filter(|word| !FILLER_WORDS.contains(&word.as_str()))
        .collect()
}

/// The edition words among `words`, sorted.
pub(crate) fn editions(words: &[String]) -> Vec<&str> {
    let mut found: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|word| EDITION_WORDS.contains(word) || is_plan_number(word))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

fn is_plan_number(word: &str) -> bool {
    word.strip_prefix("plan")
        .is_some_and(|number| !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()))
}

fn join_plan_numbers(words: Vec<String>) -> Vec<String> {
    let mut joined: Vec<String> = Vec::with_capacity(words.len());
    for word in words {
        let follows_plan = joined.last().is_some_and(|last| last == "plan");
        if follows_plan && !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) {
            if let Some(plan) = joined.last_mut() {
                plan.push_str(&word);
            }
        } else {
            joined.push(word);
        }
    }
    joined
}

fn contract_phrases(words: Vec<String>) -> Vec<String> {
    let mut contracted = Vec::with_capacity(words.len());
    let mut at = 0;
    while at < words.len() {
        let phrase = CONTRACTIONS.iter().find(|(phrase, _)| {
            words.len() - at >= phrase.len()
                && phrase
                    .iter()
                    .zip(&words[at..])
                    .all(|(expected, word)| expected == word)
        });
        match phrase {
            Some((phrase, acronym)) => {
                contracted.push((*acronym).to_owned());
                at += phrase.len();
            }
            None => {
                contracted.push(words[at].clone());
                at += 1;
            }
        }
    }
    contracted
}
