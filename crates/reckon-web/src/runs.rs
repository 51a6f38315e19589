//! Which run a page or API call is about, and a run's totals.

use std::sync::Arc;

use reckon_report::model::ReportFinding;
use reckon_store::{FindingQuery, RunRecord, RunStore};

use crate::error::{WebError, WebResult};
use crate::state::{AppState, FixedTotals};

/// The run asked for (`run`), else the latest of `period`, else the latest
/// of all; `None` when nothing is stored yet.
pub async fn choose_run(
    state: &AppState,
    run: Option<i64>,
    period: Option<&str>,
) -> WebResult<Option<RunRecord>> {
    if let Some(id) = run {
        return match state.store().run(id).await {
            Ok(run) => Ok(Some(run)),
            Err(reckon_store::StoreError::NotFound(_)) => Err(WebError::NotFound),
            Err(other) => Err(other.into()),
        };
    }
    let period = period.filter(|p| !p.is_empty());
    let runs = state.store().runs(period).await?;
    if runs.is_empty() && period.is_some() {
        return Err(WebError::NotFound);
    }
    Ok(runs.into_iter().next_back())
}

/// The periods that have runs, newest first.
pub fn periods(runs: &[RunRecord]) -> Vec<String> {
    let mut periods: Vec<String> = runs.iter().map(|r| r.period.clone()).collect();
    periods.sort();
    periods.dedup();
    periods.reverse();
    periods
}

/// A client's name from one of its findings (empty when none gives it).
pub async fn client_name(state: &AppState, run: i64, client_id: &str) -> WebResult<String> {
    let page = state
        .store()
        .finding_page(&FindingQuery {
            run,
            client: Some(client_id.to_string()),
            limit: 1,
            ..FindingQuery::default()
        })
        .await?;
    Ok(page
        .rows
        .first()
        .and_then(|row| ReportFinding::from_json(&row.finding.detail).ok())
        .map(|f| f.client_name)
        .unwrap_or_default())
}

/// Counts by kind and the top clients of a run, worked out once.
pub async fn fixed_totals(state: &AppState, run: i64) -> WebResult<Arc<FixedTotals>> {
    if let Some(totals) = state.cached_totals(run) {
        return Ok(totals);
    }
    let totals = state.store().run_totals(run, "", 8).await?;
    let mut top_clients = Vec::with_capacity(totals.top_clients.len());
    for client in totals.top_clients {
        let name = if client.client_id.is_empty() {
            String::new()
        } else {
            client_name(state, run, &client.client_id).await?
        };
        top_clients.push((client, name));
    }
    let fixed = Arc::new(FixedTotals {
        by_kind: totals.by_kind,
        top_clients,
    });
    state.keep_totals(run, Arc::clone(&fixed));
    Ok(fixed)
}

/// A finding by short id: in `run` when given, else in the latest run that
/// has it.
pub async fn locate_finding(
    state: &AppState,
    short_id: &str,
    run: Option<i64>,
) -> WebResult<(RunRecord, reckon_store::FindingRow)> {
    let short_id = short_id.trim().to_ascii_lowercase();
    if short_id.len() != 10 || !short_id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(WebError::NotFound);
    }
    let run_id = match run {
        Some(run) => run,
        None => {
            let fingerprint = state
                .store()
                .fingerprint_of(&short_id)
                .await?
                .ok_or(WebError::NotFound)?;
            *state
                .store()
                .finding_runs(&fingerprint)
                .await?
                .last()
                .ok_or(WebError::NotFound)?
        }
    };
    let run = choose_run(state, Some(run_id), None)
        .await?
        .ok_or(WebError::NotFound)?;
    let row = state
        .store()
        .finding_by_short_id(run.id, &short_id, &crate::state::today())
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((run, row))
}
