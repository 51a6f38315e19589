//! Suggests PSA clients for a client seen in a feed.

use super::client_signals::{PreparedExternal, best_signal};
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
/// once, with its strongest signal; pairs in `rejected` never appear.
pub fn suggest_clients(
    external: &ExternalClient,
    psa: &[PsaClient],
    known: &[KnownMapping],
    rejected: &[Rejection],
    limit: usize,
) -> Vec<ClientSuggestion> {
    let prepared = PreparedExternal::new(external, known);
    let mut suggestions: Vec<ClientSuggestion> = psa
        .iter()
        .filter(|client| !is_rejected(external, &client.id, rejected))
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
    suggestions.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.client_id.cmp(&b.client_id))
    });
    suggestions.truncate(limit);
    suggestions
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
