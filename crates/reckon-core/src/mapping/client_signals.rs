//! The signals that tie an external client to one PSA client, each with its
//! score; the strongest one is the suggestion.

use super::domains::{DomainKind, DomainStem, domain_stem};
use super::name_score::{NameEvidence, compare_names};
use super::names::{NormalisedName, normalise_company};
use super::reason::Reason;
use super::similarity::within_one_edit;
use super::suggest::{ClientSuggestion, ExternalClient, KnownMapping, PsaClient, same_id};

/// The source carries this PSA company id: as good as a person's decision.
const PSA_LINK_SCORE: u8 = 99;
/// The same external id is mapped to this client for another source.
const SAME_ID_ELSEWHERE_SCORE: u8 = 97;
/// Both sides list the same (non-generic) company domain.
const SHARED_DOMAIN_SCORE: u8 = 92;
/// The tenant initial domain is the client's name run together, or its
/// registered domain's label.
const TENANT_SPELLS_NAME_SCORE: u8 = 90;
/// The tenant label is one edit from the name run together.
const TENANT_NEAR_NAME_SCORE: u8 = 84;
/// Tenant labels of fewer letters need an exact match.
const TENANT_NEAR_MIN_LEN: usize = 8;

/// The external client, normalised once for comparing with every PSA client.
#[derive(Debug)]
pub(crate) struct PreparedExternal<'a> {
    external: &'a ExternalClient,
    name: NormalisedName,
    domains: Vec<DomainStem>,
    /// Sources (other than the external's own) where its id is mapped, by
    /// client id.
    mapped_elsewhere: Vec<(&'a str, &'a str)>,
}

impl<'a> PreparedExternal<'a> {
    pub(crate) fn new(external: &'a ExternalClient, known: &'a [KnownMapping]) -> Self {
        let mapped_elsewhere = known
            .iter()
            .filter(|mapping| {
                mapping.source != external.source && same_id(&mapping.external_id, &external.id)
            })
            .map(|mapping| (mapping.client_id.as_str(), mapping.source.as_str()))
            .collect();
        PreparedExternal {
            external,
            name: normalise_company(&external.name),
            domains: stems(&external.domains),
            mapped_elsewhere,
        }
    }
}

/// A PSA client normalised once, to be compared with many references.
#[derive(Debug)]
pub(crate) struct PreparedClient<'a> {
    pub(crate) client: &'a PsaClient,
    pub(crate) name: NormalisedName,
    pub(crate) domains: Vec<DomainStem>,
}

impl<'a> PreparedClient<'a> {
    pub(crate) fn new(client: &'a PsaClient) -> Self {
        PreparedClient {
            client,
            name: normalise_company(&client.name),
            domains: stems(&client.domains),
        }
    }
}

impl PreparedExternal<'_> {
    pub(crate) fn name(&self) -> &NormalisedName {
        &self.name
    }

    pub(crate) fn domains(&self) -> &[DomainStem] {
        &self.domains
    }

    pub(crate) fn psa_link(&self) -> Option<&str> {
        self.external.psa_client_id.as_deref()
    }

    /// Client ids the same external id is mapped to for other sources.
    pub(crate) fn clients_mapped_elsewhere(&self) -> impl Iterator<Item = &str> {
        self.mapped_elsewhere.iter().map(|(client, _)| *client)
    }
}

/// The strongest signal between the external client and `client`, if any.
pub(crate) fn best_signal(
    prepared: &PreparedExternal<'_>,
    prepared_client: &PreparedClient<'_>,
) -> Option<ClientSuggestion> {
    let client = prepared_client.client;
    let client_name = &prepared_client.name;
    let client_domains = &prepared_client.domains;
    let signals = [
        psa_link(prepared, client),
        same_id_elsewhere(prepared, client),
        shared_domain(&prepared.domains, client_domains),
        tenant_spells_name(&prepared.domains, client, client_name, client_domains),
        name_signal(&prepared.name, client, client_name),
    ];
    // The first of equal scores wins, so the firmer kind of evidence is shown.
    let (score, reason) = signals.into_iter().flatten().fold(
        None,
        |best: Option<(u8, Reason)>, candidate| match best {
            Some(best) if best.0 >= candidate.0 => Some(best),
            _ => Some(candidate),
        },
    )?;
    Some(ClientSuggestion {
        client_id: client.id.clone(),
        client_name: client.name.clone(),
        score,
        reason,
    })
}

pub(crate) fn stems(domains: &[String]) -> Vec<DomainStem> {
    let mut stems: Vec<DomainStem> = domains
        .iter()
        .filter_map(|domain| domain_stem(domain))
        .filter(|stem| !stem.is_generic())
        .collect();
    stems.sort();
    stems.dedup();
    stems
}

fn psa_link(prepared: &PreparedExternal<'_>, client: &PsaClient) -> Option<(u8, Reason)> {
    let link = prepared.external.psa_client_id.as_deref()?;
    same_id(link, &client.id).then(|| {
        (
            PSA_LINK_SCORE,
            Reason::PsaLink {
                company_id: link.trim().to_owned(),
            },
        )
    })
}

fn same_id_elsewhere(prepared: &PreparedExternal<'_>, client: &PsaClient) -> Option<(u8, Reason)> {
    prepared
        .mapped_elsewhere
        .iter()
        .filter(|(client_id, _)| same_id(client_id, &client.id))
        .map(|(_, source)| *source)
        .min()
        .map(|source| {
            (
                SAME_ID_ELSEWHERE_SCORE,
                Reason::SameIdMappedElsewhere {
                    other_source: source.to_owned(),
                },
            )
        })
}

/// Either side's domains may be registered or tenant domains: the same tenant
/// domain on both sides is as telling as the same registered one.
fn shared_domain(external: &[DomainStem], client: &[DomainStem]) -> Option<(u8, Reason)> {
    external
        .iter()
        .find(|stem| client.contains(stem))
        .map(|stem| {
            (
                SHARED_DOMAIN_SCORE,
                Reason::SharedDomain {
                    domain: stem.display_domain(),
                },
            )
        })
}

/// A tenant initial domain ("contosodental.onmicrosoft.com") against the
/// client's name run together ("contosodental") or its domains' first labels.
fn tenant_spells_name(
    external: &[DomainStem],
    client: &PsaClient,
    client_name: &NormalisedName,
    client_domains: &[DomainStem],
) -> Option<(u8, Reason)> {
    let joined = client_name.joined();
    let domain_labels: Vec<&str> = client_domains
        .iter()
        .filter(|stem| stem.kind == DomainKind::Registered)
        .filter_map(|stem| stem.stem.split('.').next())
        .collect();
    external
        .iter()
        .filter(|stem| stem.kind == DomainKind::TenantInitial)
        .filter_map(|tenant| {
            let label = tenant.stem.as_str();
            let score = if label == joined || domain_labels.contains(&label) {
                TENANT_SPELLS_NAME_SCORE
            } else if label.chars().count() >= TENANT_NEAR_MIN_LEN
                && within_one_edit(label, &joined)
            {
                TENANT_NEAR_NAME_SCORE
            } else {
                return None;
            };
            Some((
                score,
                Reason::TenantDomain {
                    domain: tenant.display_domain(),
                    matched: client.name.clone(),
                },
            ))
        })
        .max_by_key(|(score, _)| *score)
}

fn name_signal(
    external_name: &NormalisedName,
    client: &PsaClient,
    client_name: &NormalisedName,
) -> Option<(u8, Reason)> {
    let name_match = compare_names(external_name, client_name)?;
    let matched = client.name.clone();
    let reason = match name_match.evidence {
        NameEvidence::Exact => Reason::Name {
            similarity: 100,
            matched,
        },
        NameEvidence::OtherSite => Reason::OtherSite { matched },
        NameEvidence::Fuzzy { similarity_percent } => Reason::Name {
            // 100 is kept for names equal once normalised.
            similarity: similarity_percent.min(99),
            matched,
        },
        NameEvidence::Initials { initials } => Reason::Initials { initials, matched },
    };
    Some((name_match.score, reason))
}
