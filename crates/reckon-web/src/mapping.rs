//! Mapping work shared by the pages and the API: the unmapped client
//! references and SKUs of a period's latest run with their ranked
//! suggestions (less the rejected ones), accepting a suggestion (a new
//! mapping snapshot, through [`MappingActions`]) and rejecting one (kept in
//! the store, never proposed again).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use reckon_report::model::{ReportFinding, SuggestionRow};
use reckon_store::{
    FindingQuery, FindingSort, MappingStore, Rejection, RunRecord, RunStore, Store,
};
use rust_decimal::Decimal;

use crate::error::{WebError, WebResult};
use crate::format::decimal;
use crate::mapping_actions::{ActionError, MappingActions, MappingKind};
use crate::state::{AppState, now, today};

/// At most this many unmapped findings of a kind are read per run.
const MAX_UNMAPPED: u64 = 20_000;
/// Rows asked for at a time (the store's most per query).
const PAGE: u64 = 1_000;

/// An unmapped client reference or SKU, over every finding about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    pub kind: MappingKind,
    pub source: String,
    /// The feed's client reference, or the SKU.
    pub external_id: String,
    /// The feed's client name, or the SKU's catalogue name.
    pub external_name: String,
    pub rows: u64,
    pub money_at_stake: Decimal,
    /// Best first, rejected ones left out.
    pub suggestions: Vec<SuggestionRow>,
}

impl From<ActionError> for WebError {
    fn from(error: ActionError) -> Self {
        match error {
            ActionError::User(message) => WebError::BadRequest(message),
            ActionError::Internal(detail) => WebError::Internal(detail),
        }
    }
}

/// The mapping actions, or 503.
pub fn actions(state: &AppState) -> WebResult<Arc<dyn MappingActions>> {
    state.mapping_actions().cloned().ok_or_else(|| {
        WebError::Unavailable(
            "mapping changes are not available on this server: use `reckon import` with a mapping file"
                .to_string(),
        )
    })
}

/// The period to work on: the one asked for, else the newest with imports.
pub async fn period_of(state: &AppState, asked: Option<&str>) -> WebResult<Option<String>> {
    if let Some(period) = asked.map(str::trim).filter(|p| !p.is_empty()) {
        check_period(period)?;
        return Ok(Some(period.to_string()));
    }
    Ok(state.store().periods().await?.pop())
}

pub fn check_period(period: &str) -> WebResult<()> {
    let ok = period.len() == 7
        && period.as_bytes()[4] == b'-'
        && period[..4].bytes().all(|b| b.is_ascii_digit())
        && period[5..]
            .parse::<u8>()
            .is_ok_and(|m| (1..=12).contains(&m));
    if ok {
        Ok(())
    } else {
        Err(WebError::BadRequest(format!(
            "period {period:?}: expected YYYY-MM, such as 2026-11"
        )))
    }
}

/// The latest run of `period`, if any.
pub async fn latest_run(state: &AppState, period: &str) -> WebResult<Option<RunRecord>> {
    Ok(state.store().runs(Some(period)).await?.pop())
}

/// The rejected (kind, source, external id, suggested id).
async fn rejected(state: &AppState) -> WebResult<HashSet<(String, String, String, String)>> {
    Ok(state
        .store()
        .rejections()
        .await?
        .into_iter()
        .map(|r| (r.kind, r.source, r.external_id, r.suggested_id))
        .collect())
}

/// The run's unmapped client references and SKUs, largest money first.
pub async fn unmapped(
    state: &AppState,
    run: &RunRecord,
) -> WebResult<(Vec<Unmapped>, Vec<Unmapped>)> {
    let rejected = rejected(state).await?;
    let mut lists = Vec::new();
    for (kind, finding_kind) in [
        (MappingKind::Client, "unmapped_client"),
        (MappingKind::Product, "unmapped_sku"),
    ] {
        // Page by page (the store gives at most 1,000 rows a query): every
        // unmapped reference, up to MAX_UNMAPPED.
        let mut rows = Vec::new();
        loop {
            let page = state
                .store()
                .finding_page(&FindingQuery {
                    run: run.id,
                    kind: Some(finding_kind.to_string()),
                    client: None,
                    product: None,
                    source: None,
                    state: None,
                    assignee: None,
                    search: None,
                    today: today(),
                    sort: FindingSort::Money,
                    descending: true,
                    offset: rows.len() as u64,
                    limit: PAGE,
                })
                .await?;
            let got = page.rows.len() as u64;
            rows.extend(page.rows);
            if got < PAGE || rows.len() as u64 >= MAX_UNMAPPED {
                break;
            }
        }
        let mut grouped: BTreeMap<(String, String), Unmapped> = BTreeMap::new();
        for row in &rows {
            let detail = ReportFinding::from_json(&row.finding.detail)
                .map_err(|e| WebError::Internal(format!("finding {}: {e}", row.short_id)))?;
            let key = (row.finding.source.clone(), row.finding.item_key.clone());
            let rows = detail
                .count
                .unwrap_or_else(|| detail.evidence.iter().map(|e| e.rows).sum());
            let name = match kind {
                MappingKind::Client => detail.client_name.clone(),
                MappingKind::Product => detail.sku_name.clone(),
            };
            let entry = grouped.entry(key.clone()).or_insert_with(|| Unmapped {
                kind,
                source: key.0.clone(),
                external_id: key.1.clone(),
                external_name: name.clone(),
                rows: 0,
                money_at_stake: Decimal::ZERO,
                suggestions: Vec::new(),
            });
            entry.rows += rows;
            entry.money_at_stake += decimal(&row.finding.money_at_stake);
            if entry.external_name.is_empty() {
                entry.external_name = name;
            }
            for suggestion in detail.suggestions {
                let turned_down = rejected.contains(&(
                    kind.as_str().to_string(),
                    key.0.clone(),
                    key.1.clone(),
                    suggestion.id.clone(),
                ));
                if !turned_down && !entry.suggestions.iter().any(|s| s.id == suggestion.id) {
                    entry.suggestions.push(suggestion);
                }
            }
        }
        let mut list: Vec<Unmapped> = grouped.into_values().collect();
        for item in &mut list {
            item.suggestions.sort_by_key(|s| std::cmp::Reverse(s.score));
        }
        list.sort_by(|a, b| {
            b.money_at_stake
                .cmp(&a.money_at_stake)
                .then(b.rows.cmp(&a.rows))
        });
        lists.push(list);
    }
    let skus = lists.pop().unwrap_or_default();
    let clients = lists.pop().unwrap_or_default();
    Ok((clients, skus))
}

/// A field that must not be empty.
pub fn required(value: &str, field: &str) -> WebResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(WebError::BadRequest(format!("{field} is missing")));
    }
    if value.chars().any(char::is_control) {
        return Err(WebError::BadRequest(format!(
            "{field}: control characters are not allowed"
        )));
    }
    Ok(value.to_string())
}

/// Remembers that `suggested_id` is not what `external_id` maps to.
pub async fn reject(
    state: &AppState,
    kind: MappingKind,
    source: &str,
    external_id: &str,
    suggested_id: &str,
    actor: &str,
) -> WebResult<()> {
    state
        .store()
        .reject_suggestion(&Rejection {
            kind: kind.as_str().to_string(),
            source: required(source, "source")?,
            external_id: required(external_id, "external_id")?,
            suggested_id: required(suggested_id, "suggested_id")?,
            rejected_by: actor.to_string(),
            rejected_at: now(),
        })
        .await?;
    tracing::info!(kind = kind.as_str(), source, "mapping suggestion rejected");
    Ok(())
}
