//! Domains, URLs and e-mail addresses reduced to the domain that names a
//! company, so that "https://www.contoso.com/", "contoso.com" and
//! "it@contoso.com" compare equal.

/// Mail providers anyone can sign up with: sharing one says nothing about
/// being the same company. "onmicrosoft.com" is here because every tenant
/// has a subdomain of it; the tenant's own label is read apart.
const GENERIC_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "live.com",
    "msn.com",
    "yahoo.com",
    "yahoo.co.uk",
    "icloud.com",
    "me.com",
    "aol.com",
    "protonmail.com",
    "proton.me",
    "gmx.com",
    "onmicrosoft.com",
];

const TENANT_INITIAL_SUFFIX: &str = ".onmicrosoft.com";

/// What kind of domain a [`DomainStem`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DomainKind {
    /// A domain the company registered ("contosodental.com").
    Registered,
    /// A Microsoft 365 tenant initial domain ("contoso.onmicrosoft.com"): the
    /// stem is the label the company picked at sign-up, usually its name run
    /// together, so it is compared with names rather than other domains.
    TenantInitial,
}

/// The comparable part of a domain, URL or e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DomainStem {
    /// "contosodental.com" for a registered domain, "contoso" for
    /// "contoso.onmicrosoft.com".
    pub stem: String,
    pub kind: DomainKind,
}

impl DomainStem {
    /// The domain as a person would write it, for messages.
    pub fn display_domain(&self) -> String {
        match self.kind {
            DomainKind::Registered => self.stem.clone(),
            DomainKind::TenantInitial => format!("{}{TENANT_INITIAL_SUFFIX}", self.stem),
        }
    }

    /// Whether sharing this domain says nothing about being the same company.
    pub fn is_generic(&self) -> bool {
        self.kind == DomainKind::Registered && is_generic_mail_domain(&self.stem)
    }
}

/// Whether a (lowercase) domain is a public mail provider or
/// "onmicrosoft.com" itself.
pub fn is_generic_mail_domain(domain: &str) -> bool {
    GENERIC_MAIL_DOMAINS.contains(&domain)
}

/// Reads the domain out of a domain, URL or e-mail address: lowercase, without
/// scheme, user, "www.", port, path or trailing dot. A tenant initial domain
/// gives its tenant label with [`DomainKind::TenantInitial`].
///
/// Subdomains are kept ("mail.contoso.com" stays as is): cutting them needs
/// the public suffix list, and a missed match costs less than hosted
/// subdomains ("contoso.sharepoint.com") all matching each other.
///
/// Returns `None` for text that is not a domain (no dot, empty labels, or
/// characters a host name cannot have).
pub fn domain_stem(domain_or_url_or_email: &str) -> Option<DomainStem> {
    let text = domain_or_url_or_email.trim().to_lowercase();
    let after_scheme = text
        .split_once("://")
        .map_or(text.as_str(), |(_, rest)| rest);
    let host_part = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let after_user = host_part.rsplit('@').next().unwrap_or_default();
    let without_port = after_user.split(':').next().unwrap_or_default();
    let trimmed = without_port.trim_end_matches('.');
    let host = trimmed.strip_prefix("www.").unwrap_or(trimmed);
    if !is_host_name(host) {
        return None;
    }
    match host.strip_suffix(TENANT_INITIAL_SUFFIX) {
        Some(tenant) => {
            // "contoso.mail.onmicrosoft.com" is the same tenant's routing domain.
            let label = tenant.split('.').next().unwrap_or_default();
            Some(DomainStem {
                stem: label.to_owned(),
                kind: DomainKind::TenantInitial,
            })
        }
        None => Some(DomainStem {
            stem: host.to_owned(),
            kind: DomainKind::Registered,
        }),
    }
}

fn is_host_name(host: &str) -> bool {
    host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|character| character.is_alphanumeric() || character == '-')
        })
}
