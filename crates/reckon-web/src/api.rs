//! The JSON API: what the pages show and do, for scripts (bearer tokens
//! scoped by role) and for the pages' own scripts (session cookie plus the
//! `X-CSRF-Token` header on writes). Money and quantities are strings, as
//! in every reckon output.

use axum::Json;
use axum::extract::{Path, Query, State};
use reckon_report::model::{ReportFinding, money_text};
use reckon_store::{FindingRow, RunRecord, RunStore};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Reviewer, Signed, Via};
use crate::error::{WebError, WebResult};
use crate::listing::ListParams;
use crate::review::{ReviewRequest, apply, parse_state};
use crate::runs::{choose_run, locate_finding};
use crate::state::{AppState, today};

fn run_json(run: &RunRecord) -> Value {
    json!({
        "id": run.id,
        "period": run.period,
        "as_of": run.as_of,
        "created_at": run.created_at,
        "created_by": run.created_by,
        "finding_count": run.finding_count,
        "pairs": run.pairs,
        "underbilled_per_month": run.underbilled,
        "overbilled_per_month": run.overbilled,
    })
}

fn finding_json(run: &RunRecord, row: &FindingRow, detail: &ReportFinding) -> Value {
    let review = row.review.as_ref();
    json!({
        "id": row.short_id,
        "run": run.id,
        "period": run.period,
        "kind": row.finding.kind,
        "client_id": row.finding.client_id,
        "client_name": detail.client_name,
        "product_id": row.finding.product_id,
        "product_name": detail.product_name,
        "source": row.finding.source,
        "key": row.finding.item_key,
        "billed": row.finding.billed,
        "actual": row.finding.actual,
        "impact": row.finding.impact,
        "money_at_stake": row.finding.money_at_stake,
        "cause": row.finding.cause,
        "priority": row.finding.priority,
        "state": row.state.as_str(),
        "reason": review.map(|r| r.reason.as_str()).unwrap_or(""),
        "until": review.map(|r| r.expires_on.as_str()).unwrap_or(""),
        "assignee": review.map(|r| r.assignee.as_str()).unwrap_or(""),
        "for_action": review.is_some_and(|r| r.for_action),
    })
}

fn detail_of(row: &FindingRow) -> WebResult<ReportFinding> {
    ReportFinding::from_json(&row.finding.detail)
        .map_err(|e| WebError::Internal(format!("finding {}: {e}", row.short_id)))
}

/// `GET /api/me`.
pub async fn me(Signed(principal, _): Signed) -> Json<Value> {
    let (via, csrf) = match &principal.via {
        Via::Session { csrf, .. } => ("session", Some(csrf.clone())),
        Via::Token => ("token", None),
    };
    Json(json!({
        "name": principal.name,
        "role": principal.role.as_str(),
        "via": via,
        "csrf_token": csrf,
    }))
}

/// `GET /api/runs`: every run, oldest first.
pub async fn runs(State(state): State<AppState>, _: Signed) -> WebResult<Json<Value>> {
    let runs = state.store().runs(None).await?;
    Ok(Json(
        json!({ "runs": runs.iter().map(run_json).collect::<Vec<_>>() }),
    ))
}

/// `GET /api/findings`: the page's filters, sorted and paged.
pub async fn findings(
    State(state): State<AppState>,
    _: Signed,
    Query(params): Query<ListParams>,
) -> WebResult<Json<Value>> {
    let Some(run) = choose_run(&state, params.run, Some(&params.period)).await? else {
        return Ok(Json(json!({
            "run": null, "total": 0, "page": 1, "per_page": params.per_page(), "findings": []
        })));
    };
    let query = params.query(&run, &today())?;
    let page = state.store().finding_page(&query).await?;
    let mut findings = Vec::with_capacity(page.rows.len());
    for row in &page.rows {
        findings.push(finding_json(&run, row, &detail_of(row)?));
    }
    Ok(Json(json!({
        "run": run_json(&run),
        "total": page.total,
        "page": params.page(),
        "per_page": params.per_page(),
        "findings": findings,
    })))
}

#[derive(Debug, Deserialize, Default)]
pub struct RunParam {
    run: Option<i64>,
}

async fn finding_document(state: &AppState, run: &RunRecord, row: &FindingRow) -> WebResult<Value> {
    let detail = detail_of(row)?;
    let mut value = finding_json(run, row, &detail);
    let notes = state.store().notes(&row.finding.fingerprint).await?;
    let history = state.store().finding_runs(&row.finding.fingerprint).await?;
    let extra = json!({
        "explanation": detail.explanation,
        "count": detail.count,
        "unit_price": detail.unit_price.map(money_text),
        "evidence": detail.evidence.iter().map(|item| json!({
            "item": item.item_key,
            "state": item.state,
            "status": item.status,
            "last_seen": item.last_seen,
            "source": item.source,
            "sku": item.sku,
            "sku_name": item.sku_name,
            "basis": item.basis,
            "units": item.units.normalize().to_string(),
            "rows": item.rows,
        })).collect::<Vec<_>>(),
        "billing_lines": detail.billing_lines.iter().map(|line| json!({
            "line_id": line.line_id,
            "quantity": line.quantity.normalize().to_string(),
            "unit_price": money_text(line.unit_price),
        })).collect::<Vec<_>>(),
        "suggestions": detail.suggestions.iter().map(|s| json!({
            "id": s.id, "name": s.name, "score": s.score, "reason": s.reason,
        })).collect::<Vec<_>>(),
        "notes": notes.iter().map(|n| json!({"at": n.at, "author": n.author, "body": n.body})).collect::<Vec<_>>(),
        "history": history,
    });
    if let (Value::Object(target), Value::Object(source)) = (&mut value, extra) {
        target.extend(source);
    }
    Ok(value)
}

/// `GET /api/findings/{id}`: one finding with its evidence, notes and
/// history.
pub async fn finding(
    State(state): State<AppState>,
    _: Signed,
    Path(id): Path<String>,
    Query(params): Query<RunParam>,
) -> WebResult<Json<Value>> {
    let (run, row) = locate_finding(&state, &id, params.run).await?;
    Ok(Json(finding_document(&state, &run, &row).await?))
}

/// The body of `POST /api/findings/{id}/review`; absent fields keep their
/// value.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    run: Option<i64>,
    state: Option<String>,
    reason: Option<String>,
    until: Option<String>,
    assignee: Option<String>,
    for_action: Option<bool>,
    note: Option<String>,
}

/// `POST /api/findings/{id}/review`: reviewers and admins.
pub async fn review(
    State(state): State<AppState>,
    Signed(principal, _): Signed<Reviewer>,
    Path(id): Path<String>,
    Json(body): Json<ReviewBody>,
) -> WebResult<Json<Value>> {
    let (run, row) = locate_finding(&state, &id, body.run).await?;
    let request = ReviewRequest {
        state: match &body.state {
            Some(text) => Some(parse_state(text)?),
            None => None,
        },
        reason: body.reason,
        until: body.until,
        assignee: body.assignee,
        for_action: body.for_action,
        note: body.note,
    };
    apply(&state, &run, &row, &request, &principal.name).await?;
    let (run, row) = locate_finding(&state, &id, Some(run.id)).await?;
    Ok(Json(finding_document(&state, &run, &row).await?))
}
