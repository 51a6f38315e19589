//! Which clients get a page and in what order: every PSA client with a pair
//! or item finding, most money at stake first. Mapping issues are left to
//! their own page, since they are about the mapping, not the client.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::model::{ReportFinding, ReportRun, Totals};

/// One client's findings and money, as its page shows them.
#[derive(Debug)]
pub(super) struct ClientSection<'a> {
    pub client_id: &'a str,
    pub client_name: &'a str,
    /// From `run.totals()`, so the page agrees with the cover and the XLSX.
    pub underbilled: Decimal,
    pub overbilled: Decimal,
    /// The sum of its findings' money at stake (the engine's own measure;
    /// an item finding can be the cause of a pair finding, so it can count
    /// the same money twice and is used for ranking only).
    pub money_at_stake: Decimal,
    pub pairs: Vec<&'a ReportFinding>,
    pub items: Vec<&'a ReportFinding>,
}

impl ClientSection<'_> {
    pub fn finding_count(&self) -> usize {
        self.pairs.len() + self.items.len()
    }

    /// The client's name, or its id when the name is missing.
    pub fn title(&self) -> &str {
        match (self.client_name.trim(), self.client_id.trim()) {
            ("", "") => "Unknown client",
            ("", id) => id,
            (name, _) => name,
        }
    }
}

/// Client sections by money at stake, largest first; ties by monthly money,
/// then name and id so the order never depends on the input order.
pub(super) fn client_sections<'a>(run: &'a ReportRun, totals: &Totals) -> Vec<ClientSection<'a>> {
    let mut by_client: BTreeMap<&str, ClientSection<'a>> = BTreeMap::new();
    for finding in run.findings.iter().filter(|f| !f.is_mapping_issue()) {
        let section = by_client
            .entry(finding.client_id.as_str())
            .or_insert_with(|| {
                let client_totals = totals
                    .per_client
                    .iter()
                    .find(|c| c.client_id == finding.client_id);
                ClientSection {
                    client_id: &finding.client_id,
                    client_name: &finding.client_name,
                    underbilled: client_totals.map(|c| c.underbilled).unwrap_or_default(),
                    overbilled: client_totals.map(|c| c.overbilled).unwrap_or_default(),
                    money_at_stake: Decimal::ZERO,
                    pairs: Vec::new(),
                    items: Vec::new(),
                }
            });
        section.money_at_stake = section
            .money_at_stake
            .checked_add(finding.money_at_stake)
            .unwrap_or(section.money_at_stake);
        if finding.is_pair() {
            section.pairs.push(finding);
        } else {
            section.items.push(finding);
        }
    }
    let mut sections: Vec<ClientSection<'a>> = by_client.into_values().collect();
    for section in &mut sections {
        section.pairs.sort_by(|a, b| {
            b.impact
                .abs()
                .cmp(&a.impact.abs())
                .then_with(|| product_title(a).cmp(product_title(b)))
        });
        section.items.sort_by(|a, b| {
            b.money_at_stake
                .cmp(&a.money_at_stake)
                .then_with(|| {
                    super::labels::rank_in(&super::labels::KIND_ORDER, &a.kind)
                        .cmp(&super::labels::rank_in(&super::labels::KIND_ORDER, &b.kind))
                })
                .then_with(|| product_title(a).cmp(product_title(b)))
                .then_with(|| a.key.cmp(&b.key))
        });
    }
    sections.sort_by(ranking);
    sections
}

fn ranking(a: &ClientSection<'_>, b: &ClientSection<'_>) -> Ordering {
    let monthly = |s: &ClientSection<'_>| s.underbilled.saturating_add(s.overbilled);
    b.money_at_stake
        .cmp(&a.money_at_stake)
        .then_with(|| monthly(b).cmp(&monthly(a)))
        .then_with(|| a.client_name.cmp(b.client_name))
        .then_with(|| a.client_id.cmp(b.client_id))
}

/// The product's name, or its id, or what the source calls it.
pub(super) fn product_title(finding: &ReportFinding) -> &str {
    [
        &finding.product_name,
        &finding.product_id,
        &finding.sku_name,
        &finding.key,
    ]
    .into_iter()
    .map(|text| text.trim())
    .find(|text| !text.is_empty())
    .unwrap_or("(no product)")
}

/// The one client a statement is for: a run whose findings and lines name
/// exactly one PSA client (what `run.for_client` gives).
pub(super) fn statement_client(run: &ReportRun) -> Option<&str> {
    let mut ids = run
        .findings
        .iter()
        .map(|f| (f.client_id.as_str(), f.client_name.as_str()))
        .chain(
            run.lines
                .iter()
                .map(|l| (l.client_id.as_str(), l.client_name.as_str())),
        )
        .filter(|(id, _)| !id.trim().is_empty());
    let (first_id, first_name) = ids.next()?;
    let mut name = first_name;
    for (id, other_name) in ids {
        if id != first_id {
            return None;
        }
        if name.trim().is_empty() {
            name = other_name;
        }
    }
    Some(if name.trim().is_empty() {
        first_id
    } else {
        name
    })
}
