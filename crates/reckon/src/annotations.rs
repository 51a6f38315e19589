//! Suggestions written beside the unmapped findings of a run: the PSA
//! clients an unmapped client reference may be, the products an unmapped
//! SKU may feed, and the SKU's readable name.

use reckon_core::mapping::{
    ClientMatcher, ExternalClient, PsaClient, PsaProduct, Rejection, suggest_products,
};
use reckon_core::{Catalog, Finding, FindingKind};
use reckon_report::{Annotate, Annotation, SuggestionView};
use reckon_sources::canonical::references::DecisionRow;

/// How many suggestions an unmapped finding carries.
const SUGGESTIONS: usize = 3;

/// What the suggestions are made from, owned.
#[derive(Debug)]
pub struct MappingChoices {
    clients: Vec<PsaClient>,
    rejected_clients: Vec<Rejection>,
    products: Vec<PsaProduct>,
    rejected_products: Vec<DecisionRow>,
}

impl MappingChoices {
    pub fn new(
        catalog: &Catalog,
        rejected_clients: &[DecisionRow],
        rejected_products: Vec<DecisionRow>,
    ) -> MappingChoices {
        MappingChoices {
            clients: catalog
                .clients()
                .iter()
                .map(|client| PsaClient {
                    id: client.id.as_str().to_string(),
                    name: client.name.clone(),
                    domains: Vec::new(),
                })
                .collect(),
            rejected_clients: rejected_clients
                .iter()
                .map(|d| Rejection {
                    source: d.source.clone(),
                    external_id: d.external_id.clone(),
                    client_id: d.target.clone(),
                })
                .collect(),
            products: catalog
                .products()
                .iter()
                .map(|product| PsaProduct {
                    id: product.id.as_str().to_string(),
                    name: product.name.clone(),
                })
                .collect(),
            rejected_products,
        }
    }

    pub fn annotations(&self) -> MappingAnnotations<'_> {
        MappingAnnotations {
            matcher: ClientMatcher::new(&self.clients, &[], &self.rejected_clients),
            choices: self,
        }
    }
}

/// The annotator, with the PSA clients indexed once.
#[derive(Debug)]
pub struct MappingAnnotations<'c> {
    matcher: ClientMatcher<'c>,
    choices: &'c MappingChoices,
}

impl Annotate for MappingAnnotations<'_> {
    fn annotate(&self, finding: &Finding<'_>) -> Annotation {
        let (Some(source), Some(key)) = (finding.source, finding.key) else {
            return Annotation::default();
        };
        match finding.kind {
            FindingKind::UnmappedClient => {
                let external = ExternalClient {
                    source: source.to_string(),
                    id: key.to_string(),
                    name: finding.client_name.unwrap_or("").to_string(),
                    domains: Vec::new(),
                    psa_client_id: None,
                };
                Annotation {
                    sku_name: None,
                    suggestions: self
                        .matcher
                        .suggest(&external, SUGGESTIONS)
                        .into_iter()
                        .map(|s| SuggestionView {
                            id: s.client_id,
                            name: s.client_name,
                            score: s.score,
                            reason: s.reason.to_string(),
                        })
                        .collect(),
                }
            }
            FindingKind::UnmappedSku => {
                let sku_name = reckon_sources::profiles::m365::sku_display_name(key);
                let rejected = |product: &str| {
                    self.choices
                        .rejected_products
                        .iter()
                        .any(|d| d.source == source && d.external_id == key && d.target == product)
                };
                let suggestions = suggest_products(
                    key,
                    sku_name.as_deref().unwrap_or(""),
                    &self.choices.products,
                    SUGGESTIONS + 4,
                )
                .into_iter()
                .filter(|s| !rejected(&s.product_id))
                .take(SUGGESTIONS)
                .map(|s| SuggestionView {
                    id: s.product_id,
                    name: s.product_name,
                    score: s.score,
                    reason: s.reason.to_string(),
                })
                .collect();
                Annotation {
                    sku_name,
                    suggestions,
                }
            }
            _ => Annotation::default(),
        }
    }
}
