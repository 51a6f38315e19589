//! Suggests PSA products for a SKU seen in a feed.

use std::fmt;

use super::product_terms::{editions, product_words};
use super::similarity::token_dice;
use super::suggest::MIN_SUGGESTION_SCORE;

/// The PSA product's name carries the SKU's part number itself.
const PART_NUMBER_SCORE: u8 = 97;
/// The same words once abbreviations are spelled out.
const EXACT_NAME_SCORE: u8 = 95;
/// The best a fuzzy product name can score.
const FUZZY_CEILING: f64 = 89.0;
/// Words read from the part number ("O365_BUSINESS_PREMIUM") count a little
/// less than the display name: Microsoft renames products, not part numbers,
/// so the display name is the better description of what is sold today.
const PART_NUMBER_WORDS_FACTOR: f64 = 0.9;
/// Both names state an edition and none agrees: different products.
const OTHER_EDITION_FACTOR: f64 = 0.45;
/// One name states an edition the other does not: maybe the same product.
const PARTIAL_EDITION_FACTOR: f64 = 0.85;
/// Part numbers shorter than this (and without a digit or underscore) are
/// ordinary words ("SERVER") and are not looked for in product names.
const PART_NUMBER_MIN_LEN: usize = 6;

/// A product (service) as the PSA knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsaProduct {
    pub id: String,
    pub name: String,
}

/// Why a product was suggested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductReason {
    /// The product's name carries the SKU's part number.
    PartNumber { part: String },
    /// The names agree; `similarity` is a percentage (100 once normalised).
    Name { similarity: u8, matched: String },
}

impl fmt::Display for ProductReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProductReason::PartNumber { part } => {
                write!(f, "the product name carries the part number {part}")
            }
            ProductReason::Name {
                similarity: 100,
                matched,
            } => write!(
                f,
                "the name matches \"{matched}\" once abbreviations are spelled out"
            ),
            ProductReason::Name {
                similarity,
                matched,
            } => write!(f, "the name is {similarity}% like \"{matched}\""),
        }
    }
}

/// One PSA product suggested for a SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductSuggestion {
    pub product_id: String,
    pub product_name: String,
    /// 0..=100, on the same scale as client suggestions.
    pub score: u8,
    pub reason: ProductReason,
}

/// Suggests up to `limit` PSA products for a SKU (`sku` the part number or
/// string id, `sku_name` its display name), best first: score descending,
/// then product id. For many SKUs, build a [`ProductMatcher`] once instead.
pub fn suggest_products(
    sku: &str,
    sku_name: &str,
    products: &[PsaProduct],
    limit: usize,
) -> Vec<ProductSuggestion> {
    ProductMatcher::new(products).suggest(sku, sku_name, limit)
}

/// A PSA product's name split into words once.
#[derive(Debug)]
struct PreparedProduct<'a> {
    product: &'a PsaProduct,
    /// Normalised words, abbreviations spelled out.
    words: Vec<String>,
    /// Lowercase words split only at spaces and brackets, for part codes.
    raw_words: Vec<String>,
}

/// The PSA products prepared once for many SKUs.
#[derive(Debug)]
pub struct ProductMatcher<'a> {
    products: Vec<PreparedProduct<'a>>,
}

impl<'a> ProductMatcher<'a> {
    pub fn new(products: &'a [PsaProduct]) -> Self {
        ProductMatcher {
            products: products
                .iter()
                .map(|product| PreparedProduct {
                    product,
                    words: product_words(&product.name),
                    raw_words: product
                        .name
                        .to_lowercase()
                        .split(|c: char| c.is_whitespace() || "()[]{},;|/".contains(c))
                        .filter(|word| !word.is_empty())
                        .map(str::to_owned)
                        .collect(),
                })
                .collect(),
        }
    }

    /// As [`suggest_products`].
    pub fn suggest(&self, sku: &str, sku_name: &str, limit: usize) -> Vec<ProductSuggestion> {
        let sku_words = SkuWords {
            display: product_words(sku_name),
            part_number: product_words(sku),
            part_codes: part_codes(sku),
        };
        let mut suggestions: Vec<ProductSuggestion> = self
            .products
            .iter()
            .filter_map(|product| score_product(&sku_words, product))
            .filter(|suggestion| suggestion.score >= MIN_SUGGESTION_SCORE)
            .collect();
        suggestions.sort_by(|a, b| {
            a.product_id
                .cmp(&b.product_id)
                .then_with(|| b.score.cmp(&a.score))
        });
        suggestions.dedup_by(|later, earlier| later.product_id == earlier.product_id);
        suggestions.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.product_id.cmp(&b.product_id))
        });
        suggestions.truncate(limit);
        suggestions
    }
}

#[derive(Debug)]
struct SkuWords {
    display: Vec<String>,
    part_number: Vec<String>,
    /// Lowercase forms of the part number that look like codes, to find in
    /// product names ("cfq7ttc0lchc:0002" and "cfq7ttc0lchc").
    part_codes: Vec<String>,
}

fn part_codes(sku: &str) -> Vec<String> {
    let full = sku.trim().to_lowercase();
    let mut codes = vec![full.clone()];
    if let Some((product_part, _)) = full.split_once(':') {
        codes.push(product_part.to_owned());
    }
    codes.retain(|code| looks_like_code(code));
    codes
}

fn looks_like_code(code: &str) -> bool {
    let len = code.chars().count();
    let marked = code
        .chars()
        .any(|character| character.is_ascii_digit() || character == '_');
    (len >= PART_NUMBER_MIN_LEN && marked) || len >= 2 * PART_NUMBER_MIN_LEN
}

fn score_product(sku: &SkuWords, prepared: &PreparedProduct<'_>) -> Option<ProductSuggestion> {
    let product = prepared.product;
    let (score, reason) = match part_number_in_name(sku, &prepared.raw_words) {
        Some(part) => (PART_NUMBER_SCORE, ProductReason::PartNumber { part }),
        None => name_score(sku, &prepared.words, &product.name)?,
    };
    Some(ProductSuggestion {
        product_id: product.id.clone(),
        product_name: product.name.clone(),
        score,
        reason,
    })
}

/// A part code that appears as a whole word of the product name (split only
/// at spaces and brackets, so underscores and colons stay inside it).
fn part_number_in_name(sku: &SkuWords, name_words: &[String]) -> Option<String> {
    sku.part_codes
        .iter()
        .find(|code| name_words.iter().any(|word| word == *code))
        .map(|code| code.to_uppercase())
}

fn name_score(
    sku: &SkuWords,
    product: &[String],
    product_name: &str,
) -> Option<(u8, ProductReason)> {
    if product.is_empty() {
        return None;
    }
    let by_display = words_similarity(&sku.display, product);
    let by_part_number = words_similarity(&sku.part_number, product) * PART_NUMBER_WORDS_FACTOR;
    let similarity = by_display.max(by_part_number);
    let matched = product_name.to_owned();
    if similarity >= 1.0 {
        let reason = ProductReason::Name {
            similarity: 100,
            matched,
        };
        return Some((EXACT_NAME_SCORE, reason));
    }
    let score = (FUZZY_CEILING * similarity).round() as u8;
    let reason = ProductReason::Name {
        similarity: ((similarity * 100.0).round() as u8).min(99),
        matched,
    };
    (score > 0).then_some((score, reason))
}

/// 1.0 for the same words in any order; otherwise word coverage scaled down
/// when the editions disagree.
fn words_similarity(sku: &[String], product: &[String]) -> f64 {
    if sku.is_empty() {
        return 0.0;
    }
    let mut sku_sorted = sku.to_vec();
    let mut product_sorted = product.to_vec();
    sku_sorted.sort();
    product_sorted.sort();
    if sku_sorted == product_sorted {
        return 1.0;
    }
    let coverage = token_dice(sku, product).min(0.99);
    coverage * edition_factor(&editions(sku), &editions(product))
}

fn edition_factor(sku: &[&str], product: &[&str]) -> f64 {
    let one_side_only = sku.is_empty() || product.is_empty();
    let some_agree = sku.iter().any(|edition| product.contains(edition));
    if sku == product {
        1.0
    } else if one_side_only || some_agree {
        PARTIAL_EDITION_FACTOR
    } else {
        OTHER_EDITION_FACTOR
    }
}
