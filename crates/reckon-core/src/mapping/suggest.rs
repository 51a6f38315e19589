//! Suggests PSA clients for a client seen in a feed.

use hashbrown::HashMap;
use rayon::prelude::*;

use super::client_signals::{PreparedClient, PreparedExternal, best_signal};
use super::names::NormalisedName;
use super::reason::Reason;

/// Suggestions at or above this score may be accepted without a person when
/// the user turns automatic mapping on. Only firm signals reach it: a PSA
/// link, the same id mapped for another source, the same normalised name, a
/// shared company domain, or a tenant initial domain that spells the name.
/// Fuzzy names stop at 89 and initials at 72, so a typo or a shared word never
/// maps a client on its own (the tests hold every wrong candidate below it).
pub const AUTO_MAP_THRESHOLD: u8 = 90;

/// Candidates below this are noise (a single shared short word) and are not
/// suggested at all.
pub const MIN_SUGGESTION_SCORE: u8 = 40;

/// A client as the PSA knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsaClient {
    pub id: String,
    pub name: String,
    /// Web or mail domains, URLs or addresses on the PSA company.
    pub domains: Vec<String>,
}

/// A client as a feed (RMM, distributor, tenant list) knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalClient {
    /// The feed, e.g. "m365", "datto_rmm", "pax8".
    pub source: String,
    pub id: String,
    pub name: String,
    /// Domains, URLs or addresses the feed lists for the client, including a
    /// tenant initial domain ("contoso.onmicrosoft.com").
    pub domains: Vec<String>,
    /// A PSA company id the feed carries (Datto RMM autotaskCompanyId, Pax8
    /// externalId), when it has one.
    pub psa_client_id: Option<String>,
}

/// A mapping a person (or automatic mapping) already decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownMapping {
    pub source: String,
    pub external_id: String,
    pub client_id: String,
}

/// A suggestion a person turned down: never suggested again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub source: String,
    pub external_id: String,
    pub client_id: String,
}

/// One PSA client suggested for an external client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSuggestion {
    pub client_id: String,
    pub client_name: String,
    /// 0..=100; see [`AUTO_MAP_THRESHOLD`].
    pub score: u8,
    pub reason: Reason,
}

/// Suggests up to `limit` PSA clients for `external`, best first (score
/// descending, then client id, so the order never varies). Each client appears
/// once, with its strongest signal; pairs in `rejected` never appear. For many
/// references, build a [`ClientMatcher`] once instead.
pub fn suggest_clients(
    external: &ExternalClient,
    psa: &[PsaClient],
    known: &[KnownMapping],
    rejected: &[Rejection],
    limit: usize,
) -> Vec<ClientSuggestion> {
    ClientMatcher::new(psa, known, rejected).suggest(external, limit)
}

/// The PSA clients normalised and indexed once, so that each reference is
/// compared only with the clients that share something with it (an id, a
/// domain, the first letters of a name word, initials) rather than with all.
#[derive(Debug)]
pub struct ClientMatcher<'a> {
    clients: Vec<PreparedClient<'a>>,
    known: &'a [KnownMapping],
    rejected: &'a [Rejection],
    /// Lowercase id -> clients.
    by_id: HashMap<String, Vec<u32>>,
    /// Index keys (see [`index_keys`]) -> clients.
    by_key: HashMap<String, Vec<u32>>,
}

/// Letters of a word that must agree for a name to be compared at all: a
/// typo after them still matches.
const KEY_PREFIX: usize = 3;

fn prefix(word: &str) -> String {
    word.chars().take(KEY_PREFIX).collect()
}

/// The keys a PSA client is found by: the first letters of each name
/// word, its initials, and its domains.
fn index_keys(client: &PreparedClient<'_>) -> Vec<String> {
    let mut keys: Vec<String> = client
        .name
        .core
        .iter()
        .chain(&client.name.site)
        .map(|word| format!("w:{}", prefix(word)))
        .collect();
    keys.push(format!("i:{}", client.name.initials()));
    keys.push(format!("i:{}", client.name.initials_with_legal()));
    for domain in &client.domains {
        keys.push(format!("d:{}", domain.stem));
        if let Some(label) = domain.stem.split('.').next() {
            keys.push(format!("w:{}", prefix(label)));
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

impl<'a> ClientMatcher<'a> {
    pub fn new(psa: &'a [PsaClient], known: &'a [KnownMapping], rejected: &'a [Rejection]) -> Self {
        // Normalising thousands of names is the cost of a matcher: shared
        // out over the threads.
        let clients: Vec<PreparedClient<'a>> = psa.par_iter().map(PreparedClient::new).collect();
        let mut by_id: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_key: HashMap<String, Vec<u32>> = HashMap::new();
        for (index, client) in clients.iter().enumerate() {
            let index = index as u32;
            by_id
                .entry(client.client.id.trim().to_ascii_lowercase())
                .or_default()
                .push(index);
            for key in index_keys(client) {
                by_key.entry(key).or_default().push(index);
            }
        }
        ClientMatcher {
            clients,
            known,
            rejected,
            by_id,
            by_key,
        }
    }

    /// The clients worth comparing with a reference.
    fn candidates(&self, prepared: &PreparedExternal<'_>) -> Vec<u32> {
        let mut candidates: Vec<u32> = Vec::new();
        let mut add_id = |id: &str| {
            if let Some(found) = self.by_id.get(&id.trim().to_ascii_lowercase()) {
                candidates.extend(found);
            }
        };
        if let Some(link) = prepared.psa_link() {
            add_id(link);
        }
        for client in prepared.clients_mapped_elsewhere() {
            add_id(client);
        }
        let name = prepared.name();
        let mut keys: Vec<String> = name
            .core
            .iter()
            .chain(&name.site)
            .map(|word| format!("w:{}", prefix(word)))
            .collect();
        keys.push(format!("i:{}", name.joined()));
        for domain in prepared.domains() {
            keys.push(format!("d:{}", domain.stem));
            if let Some(label) = domain.stem.split('.').next() {
                keys.push(format!("w:{}", prefix(label)));
            }
        }
        for key in keys {
            if let Some(found) = self.by_key.get(&key) {
                candidates.extend(found);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

    /// As [`suggest_clients`].
    pub fn suggest(&self, external: &ExternalClient, limit: usize) -> Vec<ClientSuggestion> {
        let prepared = PreparedExternal::new(external, self.known);
        let candidates: Vec<&PreparedClient<'_>> = self
            .candidates(&prepared)
            .into_iter()
            .map(|index| &self.clients[index as usize])
            .filter(|client| !is_rejected(external, &client.client.id, self.rejected))
            .collect();
        let mut suggestions: Vec<ClientSuggestion> = candidates
            .iter()
            .filter_map(|client| best_signal(&prepared, client))
            .filter(|suggestion| suggestion.score >= MIN_SUGGESTION_SCORE)
            .collect();
        // A PSA list that repeats a client keeps only its best entry.
        suggestions.sort_by(|a, b| {
            a.client_id
                .cmp(&b.client_id)
                .then_with(|| b.score.cmp(&a.score))
        });
        suggestions.dedup_by(|later, earlier| later.client_id == earlier.client_id);
        let name = prepared.name();
        // Clients whose name begins with the whole of the reference's name
        // ("Keystone Realty" for "Keystone Realty Corp" and "Keystone Realty
        // Associates") are rivals however their fuzzy scores differ.
        let same_start: Vec<&PreparedClient<'_>> = if name.core.is_empty() {
            Vec::new()
        } else {
            candidates
                .iter()
                .copied()
                .filter(|client| client.name.core.starts_with(&name.core))
                .collect()
        };
        settle_shared_names(name, &same_start, &mut suggestions);
        suggestions.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.client_id.cmp(&b.client_id))
        });
        suggestions.truncate(limit);
        suggestions
    }
}

/// A name rival within this many points makes a name match ambiguous.
const RIVAL_MARGIN: u8 = 20;
/// Where an ambiguous name match is capped: worth showing, never mapped
/// automatically.
const SHARED_NAME_SCORE: u8 = 85;

fn name_derived(reason: &Reason) -> bool {
    matches!(
        reason,
        Reason::Name { .. }
            | Reason::TenantDomain { .. }
            | Reason::OtherSite { .. }
            | Reason::Initials { .. }
    )
}

/// Two PSA clients can have the same name ("Summit Dental LLC" and
/// "Summit Dental Inc", or even the same name twice), or names that both
/// begin with the reference's ("Keystone Realty" against "Keystone Realty
/// Corp" and "Keystone Realty Associates"). A name match at the auto-map
/// level then decides nothing: unless the legal form singles one client
/// out, every such match is capped below the threshold and says why.
fn settle_shared_names(
    name: &NormalisedName,
    same_start: &[&PreparedClient<'_>],
    suggestions: &mut [ClientSuggestion],
) {
    let strong = suggestions
        .iter()
        .filter(|s| name_derived(&s.reason) && s.score >= AUTO_MAP_THRESHOLD)
        .map(|s| s.score)
        .max();
    let Some(top) = strong else {
        return;
    };
    let mut rivals: Vec<String> = suggestions
        .iter()
        .filter(|s| name_derived(&s.reason) && s.score + RIVAL_MARGIN >= top)
        .map(|s| s.client_id.clone())
        .collect();
    for client in same_start {
        if !rivals.contains(&client.client.id) {
            rivals.push(client.client.id.clone());
        }
    }
    if rivals.len() < 2 {
        return;
    }
    // The legal form breaks the tie when exactly one rival shares it with
    // the reference, on the same words.
    let same_legal: Vec<&str> = if name.legal.is_empty() {
        Vec::new()
    } else {
        same_start
            .iter()
            .filter(|client| client.name.core == name.core && client.name.legal == name.legal)
            .map(|client| client.client.id.as_str())
            .collect()
    };
    let kept = (same_legal.len() == 1).then(|| same_legal[0].to_string());
    let clients = rivals.len();
    for suggestion in suggestions.iter_mut() {
        if !rivals.contains(&suggestion.client_id)
            || kept.as_deref() == Some(suggestion.client_id.as_str())
            || !name_derived(&suggestion.reason)
        {
            continue;
        }
        if suggestion.score > SHARED_NAME_SCORE || kept.is_none() {
            suggestion.score = suggestion.score.min(SHARED_NAME_SCORE);
            suggestion.reason = Reason::SharedName {
                matched: suggestion.client_name.clone(),
                clients,
            };
        }
    }
}

fn is_rejected(external: &ExternalClient, client_id: &str, rejected: &[Rejection]) -> bool {
    rejected.iter().any(|rejection| {
        rejection.source == external.source
            && same_id(&rejection.external_id, &external.id)
            && same_id(&rejection.client_id, client_id)
    })
}

/// Ids compare trimmed and without regard to ASCII case: tenant GUIDs come
/// upper case from one source and lower case from another.
pub(crate) fn same_id(left: &str, right: &str) -> bool {
    left.trim().eq_ignore_ascii_case(right.trim())
}
