//! Company names reduced to the words that tell companies apart.
//!
//! Feeds and PSAs spell the same company differently ("Smith & Sons Ltd",
//! "SMITH AND SONS", "Smith and Sons - Head Office"), so names are compared
//! only after case, punctuation, legal forms and filler words are set aside.

/// Legal forms dropped from the end of a name: they say how a company is
/// registered, not which company it is, and feeds often omit them.
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "gmbh",
    "ag",
    "pty",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "sa",
    "sarl",
    "bv",
    "nv",
    "srl",
    "oy",
    "ab",
    "as",
    "kg",
    "llp",
    "lp",
    "pc",
    "pllc",
];

/// Filler words dropped anywhere: present or absent at random between
/// systems ("The Smith Group" / "Smith Group"). "group" is kept on purpose:
/// "Contoso" and "Contoso Group" are often different legal entities.
const FILLER_WORDS: &[&str] = &["the", "and", "of"];

/// Abbreviations of ordinary company words, mapped to one spelling so that
/// "Contoso Intl Svcs" and "Contoso International Services" compare equal.
const WORD_SPELLINGS: &[(&str, &str)] = &[
    ("intl", "international"),
    ("svc", "services"),
    ("svcs", "services"),
    ("service", "services"),
    ("mgmt", "management"),
    ("assoc", "associates"),
    ("assocs", "associates"),
    ("bros", "brothers"),
    ("ctr", "center"),
    ("centre", "center"),
    ("dept", "department"),
    ("hosp", "hospital"),
    ("med", "medical"),
    ("univ", "university"),
    ("mfg", "manufacturing"),
    ("dist", "distribution"),
    ("grp", "group"),
    ("hldgs", "holdings"),
    ("natl", "national"),
];

/// Markers after which a name goes on with a site or location
/// ("Contoso - Main Office", "Contoso (Leeds)"), longest first.
const SITE_MARKERS: &[&str] = &[" - ", " – ", " — ", "("];

/// A company name as comparable tokens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NormalisedName {
    /// The words that identify the company, lowercase, in order.
    pub core: Vec<String>,
    /// A site or location after " - ", " – " or "(": kept apart because it
    /// tells sites of one company apart but not companies.
    pub site: Vec<String>,
    /// The legal forms dropped from the end of the core, kept because they
    /// still count for initials ("CDL" for "Contoso Dental LLC").
    pub legal: Vec<String>,
}

impl NormalisedName {
    /// The core tokens run together, as a tenant or domain would spell them.
    pub fn joined(&self) -> String {
        self.core.concat()
    }

    /// The first letters of the core tokens ("cd" for "Contoso Dental LLC").
    pub fn initials(&self) -> String {
        initials_of(&self.core)
    }

    /// The first letters of the core tokens and the legal forms
    /// ("cdl" for "Contoso Dental LLC").
    pub fn initials_with_legal(&self) -> String {
        let mut initials = self.initials();
        initials.push_str(&initials_of(&self.legal));
        initials
    }

    pub fn is_empty(&self) -> bool {
        self.core.is_empty()
    }
}

fn initials_of(tokens: &[String]) -> String {
    tokens
        .iter()
        .filter_map(|token| token.chars().next())
        .collect()
}

/// Normalises a company name for comparison: lowercase tokens without
/// punctuation, `&`/`+` read as "and", legal suffixes and filler words
/// dropped, and a site tail split off.
///
/// Nothing is dropped if it would leave no word: "The Company" stays
/// comparable.
pub fn normalise_company(name: &str) -> NormalisedName {
    let (core_text, site_text) = split_site(name);
    let mut core = company_tokens(core_text);
    let legal = strip_legal_suffixes(&mut core);
    let without_filler: Vec<String> = core
        .iter()
        .filter(|token| !FILLER_WORDS.contains(&token.as_str()))
        .cloned()
        .collect();
    if !without_filler.is_empty() {
        core = without_filler;
    }
    let site = company_tokens(site_text)
        .into_iter()
        .filter(|token| !FILLER_WORDS.contains(&token.as_str()))
        .collect();
    NormalisedName { core, site, legal }
}

/// Splits "Company - Site" at the earliest site marker. A marker at the very
/// start ("(Old) Contoso") leaves no company, so then nothing is split.
fn split_site(name: &str) -> (&str, &str) {
    let earliest = SITE_MARKERS
        .iter()
        .filter_map(|marker| name.find(marker).map(|at| (at, marker.len())))
        .min_by_key(|&(at, _)| at);
    match earliest {
        Some((at, marker_len)) if !name[..at].trim().is_empty() => {
            (&name[..at], &name[at + marker_len..])
        }
        _ => (name, ""),
    }
}

/// Lowercase alphanumeric tokens. Dots and apostrophes join ("L.L.C." is
/// "llc", "Smith's" is "smiths"); `&` and `+` become "and"; every other
/// character separates.
fn company_tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    for character in text.chars() {
        if character.is_alphanumeric() {
            current.extend(character.to_lowercase());
        } else if matches!(character, '.' | '\'' | '’') {
            continue;
        } else {
            flush(&mut current, &mut tokens);
            if matches!(character, '&' | '+') {
                tokens.push("and".to_owned());
            }
        }
    }
    flush(&mut current, &mut tokens);
    tokens.into_iter().map(canonical_spelling).collect()
}

fn flush(current: &mut String, tokens: &mut Vec<String>) {
    if !current.is_empty() {
        tokens.push(std::mem::take(current));
    }
}

fn canonical_spelling(token: String) -> String {
    WORD_SPELLINGS
        .iter()
        .find(|(spelling, _)| *spelling == token)
        .map_or(token, |(_, canonical)| (*canonical).to_owned())
}

/// Drops legal forms (and the "and" of "& Co") from the end of the tokens,
/// always leaving at least one word that is not filler ("The Company" keeps
/// "company"), and returns the legal forms in order.
/// Only the end is stripped: "AB" or "AS" mid-name are real words.
fn strip_legal_suffixes(tokens: &mut Vec<String>) -> Vec<String> {
    let mut legal = Vec::new();
    while let Some((last, rest)) = tokens.split_last() {
        let rest_has_a_word = rest
            .iter()
            .any(|token| !FILLER_WORDS.contains(&token.as_str()));
        if !rest_has_a_word {
            break;
        }
        let is_legal = LEGAL_SUFFIXES.contains(&last.as_str());
        if !is_legal && last != "and" {
            break;
        }
        if let Some(dropped) = tokens.pop()
            && is_legal
        {
            legal.push(dropped);
        }
    }
    legal.reverse();
    legal
}
