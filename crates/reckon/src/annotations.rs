//! Suggestions written beside the unmapped findings of a run: the PSA
//! clients an unmapped client reference may be, the products an unmapped
//! SKU may feed, and the SKU's readable name.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use reckon_core::mapping::{
    ClientMatcher, ExternalClient, ProductMatcher, PsaClient, PsaProduct, Rejection,
};
use reckon_core::{Catalog, Finding, FindingKind};
use reckon_report::{Annotate, Annotation, SuggestionView};
use reckon_sources::canonical::references::DecisionRow;

/// Sources whose SKUs are Microsoft part numbers (the Microsoft 365
/// profiles' default source names).
const MICROSOFT_SOURCES: [&str; 3] = ["m365", "partner_center", "pax8"];

/// How many suggestions an unmapped finding carries.
const SUGGESTIONS: usize = 3;

/// What the suggestions are made from, owned.
#[derive(Debug)]
pub struct MappingChoices {
    /// Readable names of the catalogue's SKUs that Microsoft's catalogue
    /// knows, by SKU.
    sku_names: HashMap<String, String>,
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
        // Microsoft's names apply to Microsoft feeds' SKUs only.
        let sku_names = catalog
            .mapped_skus_of_sources(&MICROSOFT_SOURCES)
            .filter_map(|sku| {
                reckon_sources::profiles::m365::sku_display_name(sku)
                    .map(|name| (sku.to_string(), name))
            })
            .collect();
        MappingChoices {
            sku_names,
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
            matcher: OnceLock::new(),
            products: ProductMatcher::new(&self.products),
            choices: self,
            sku_annotations: Mutex::new(HashMap::new()),
        }
    }
}

/// The annotator, with the PSA clients indexed once.
#[derive(Debug)]
pub struct MappingAnnotations<'c> {
    /// Built on the first unmapped reference that has a name: a run
    /// without one never pays for indexing the PSA's clients.
    matcher: OnceLock<ClientMatcher<'c>>,
    products: ProductMatcher<'c>,
    choices: &'c MappingChoices,
    /// An unmapped SKU is reported once per client that uses it: its
    /// suggestions are worked out once, by (source, SKU).
    sku_annotations: Mutex<HashMap<(String, String), Annotation>>,
}

impl Annotate for MappingAnnotations<'_> {
    fn sku_name(&self, source: &str, sku: &str) -> Option<&str> {
        if !MICROSOFT_SOURCES.contains(&source) {
            return None;
        }
        self.choices.sku_names.get(sku).map(String::as_str)
    }

    fn annotate(&self, finding: &Finding<'_>) -> Annotation {
        let (Some(source), Some(key)) = (finding.source, finding.key) else {
            return Annotation::default();
        };
        match finding.kind {
            FindingKind::UnmappedClient => {
                let name = finding.client_name.unwrap_or("");
                if name.is_empty() {
                    // A reference with no name gives nothing to match on in
                    // a run (`reckon map suggest` also uses domains).
                    return Annotation::default();
                }
                let matcher = self.matcher.get_or_init(|| {
                    ClientMatcher::new(&self.choices.clients, &[], &self.choices.rejected_clients)
                });
                let external = ExternalClient {
                    source: source.to_string(),
                    id: key.to_string(),
                    name: name.to_string(),
                    domains: Vec::new(),
                    psa_client_id: None,
                };
                Annotation {
                    sku_name: None,
                    suggestions: matcher
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
                let cache_key = (source.to_string(), key.to_string());
                if let Ok(cache) = self.sku_annotations.lock()
                    && let Some(known) = cache.get(&cache_key)
                {
                    return known.clone();
                }
                let sku_name = if MICROSOFT_SOURCES.contains(&source) {
                    reckon_sources::profiles::m365::sku_display_name(key)
                } else {
                    None
                };
                let rejected = |product: &str| {
                    self.choices
                        .rejected_products
                        .iter()
                        .any(|d| d.source == source && d.external_id == key && d.target == product)
                };
                let suggestions = self
                    .products
                    .suggest(key, sku_name.as_deref().unwrap_or(""), usize::MAX)
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
                let annotation = Annotation {
                    sku_name,
                    suggestions,
                };
                if let Ok(mut cache) = self.sku_annotations.lock() {
                    cache.insert(cache_key, annotation.clone());
                }
                annotation
            }
            _ => Annotation::default(),
        }
    }
}
