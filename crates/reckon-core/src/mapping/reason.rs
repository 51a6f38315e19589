//! Why a client was suggested, in words a person can check.

use std::fmt;

/// The signal behind a [`super::ClientSuggestion`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The source itself carries a link to the PSA company (Datto RMM's
    /// Autotask company id, Pax8's external id).
    PsaLink { company_id: String },
    /// The same external id (a tenant GUID, say) is already mapped to this
    /// client for another source.
    SameIdMappedElsewhere { other_source: String },
    /// Both sides list the same company domain.
    SharedDomain { domain: String },
    /// The tenant initial domain spells this client's name run together.
    TenantDomain { domain: String, matched: String },
    /// The names agree; `similarity` is a percentage (100 once normalised).
    Name { similarity: u8, matched: String },
    /// The same company name but a different site.
    OtherSite { matched: String },
    /// One name is the other's initials.
    Initials { initials: String, matched: String },
    /// The name matches, but as well as `clients` PSA clients' names do:
    /// the name alone cannot tell which it is.
    SharedName { matched: String, clients: usize },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::PsaLink { company_id } => {
                write!(f, "the source names PSA company {company_id}")
            }
            Reason::SameIdMappedElsewhere { other_source } => write!(
                f,
                "the same id is already mapped to this client for {other_source}"
            ),
            Reason::SharedDomain { domain } => write!(f, "both use the domain {domain}"),
            Reason::TenantDomain { domain, matched } => {
                write!(f, "the tenant domain {domain} spells \"{matched}\"")
            }
            Reason::Name {
                similarity: 100,
                matched,
            } => write!(
                f,
                "the name matches \"{matched}\" once case, punctuation and legal form are set aside"
            ),
            Reason::Name {
                similarity,
                matched,
            } => write!(f, "the name is {similarity}% like \"{matched}\""),
            Reason::OtherSite { matched } => {
                write!(f, "the same company as \"{matched}\" but another site")
            }
            Reason::Initials { initials, matched } => {
                write!(f, "{initials} are the initials of \"{matched}\"")
            }
            Reason::SharedName { matched, clients } => write!(
                f,
                "the name matches \"{matched}\", but {clients} PSA clients have that name: check which"
            ),
        }
    }
}
