//! Suggestions for mapping feed clients and SKUs to PSA clients and products.
//!
//! Mapping is the step a person does once per client and per product before a
//! reconciliation can say anything, so good suggestions save most of the setup
//! time. Everything here is pure: the caller passes the PSA lists and the
//! decisions already taken (mappings and rejections), and the same inputs
//! always give the same suggestions in the same order.
//!
//! Scores are 0..=100 and mean the same thing for clients and products:
//! 99 a PSA link the source carries, 97 the same id already mapped for another
//! source (97 also a part number named in a PSA product), 95 the same name
//! once normalised (93 when only one side names a site), 92 a shared company
//! domain, 90 a tenant initial domain that spells the name, 84 one a single
//! edit away, 80 the same name at another site, at most 89 for a fuzzy name,
//! 72 for initials; below 40 nothing is suggested. [`AUTO_MAP_THRESHOLD`]
//! (90) sits between the fuzzy band and the firm signals.

mod client_signals;
mod domains;
mod name_score;
mod names;
mod product_terms;
mod products;
mod reason;
mod similarity;
mod suggest;

pub use domains::{DomainKind, DomainStem, domain_stem, is_generic_mail_domain};
pub use names::{NormalisedName, normalise_company};
pub use products::{
    ProductMatcher, ProductReason, ProductSuggestion, PsaProduct, suggest_products,
};
pub use reason::Reason;
pub use suggest::{
    AUTO_MAP_THRESHOLD, ClientMatcher, ClientSuggestion, ExternalClient, KnownMapping,
    MIN_SUGGESTION_SCORE, PsaClient, Rejection, suggest_clients,
};

#[cfg(test)]
mod tests;
