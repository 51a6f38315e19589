//! One finding: its numbers, likely cause, evidence, billing lines,
//! history across runs, notes, and (for reviewers) the review form.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use reckon_report::model::ReportFinding;
use reckon_store::{ReviewState, Role, RunStore};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::auth::{Reviewer, Signed, SignedForm};
use crate::error::{WebError, WebResult};
use crate::format::{label, moment, money};
use crate::pages::layout::{Nav, PeriodChoice, page as layout};
use crate::review::{ReviewRequest, apply, parse_state};
use crate::runs::{locate_finding, periods};
use crate::state::AppState;

/// Evidence rows shown on the page; the API gives them all.
const EVIDENCE_SHOWN: usize = 500;

#[derive(Debug, Deserialize, Default)]
pub struct FindingParams {
    run: Option<i64>,
    saved: Option<u8>,
}

fn fact(name: &str, value: Option<Decimal>, as_money: bool) -> Markup {
    html! {
        @if let Some(value) = value {
            dt { (name) }
            dd { (if as_money { money(value) } else { value.normalize().to_string() }) }
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    Signed(principal, _): Signed,
    Path(id): Path<String>,
    Query(params): Query<FindingParams>,
) -> WebResult<Markup> {
    let (run, row) = locate_finding(&state, &id, params.run).await?;
    let detail = ReportFinding::from_json(&row.finding.detail)
        .map_err(|e| WebError::Internal(format!("finding {id} of run {}: {e}", run.id)))?;
    let notes = state.store().notes(&row.finding.fingerprint).await?;
    let history = state.store().finding_runs(&row.finding.fingerprint).await?;
    let all_runs = state.store().runs(None).await?;
    let choice = PeriodChoice {
        periods: periods(&all_runs),
        selected: run.period.clone(),
        action: "/findings",
    };
    let review = row.review.as_ref();
    let impact = detail.impact;
    let client = if detail.client_name.is_empty() {
        row.finding.client_id.clone()
    } else {
        detail.client_name.clone()
    };
    let product = if detail.product_name.is_empty() {
        row.finding.product_id.clone()
    } else {
        detail.product_name.clone()
    };
    let title = format!("{} · {}", label(&row.finding.kind), client);
    let content = html! {
        p.sub { a href=(format!("/findings?run={}", run.id)) { "← Findings of run " (run.id) } }
        h1 { (label(&row.finding.kind)) ": " (if client.is_empty() { "(no client)" } else { &client })
            @if !product.is_empty() { " · " (product) } }
        p.sub {
            span.mono { (row.short_id) } " · run " (run.id) " of " (run.period) " · "
            span class=(format!("badge {}", row.state.as_str())) { (label(row.state.as_str())) } " "
            span class=(format!("badge {}", row.finding.priority)) { (label(&row.finding.priority)) " priority" }
        }
        @if params.saved.is_some() { div.flash role="status" { "Saved." } }
        div.grid2 {
            div.panel {
                h2 { "Numbers" }
                dl.facts {
                    (fact("Billed", detail.billed, false))
                    (fact("Actual", detail.actual, false))
                    (fact("Difference", detail.diff, false))
                    (fact("Unit price", detail.unit_price, true))
                    dt { "Impact per month" } dd { (money(impact)) }
                    dt { "Impact per year" } dd { (money(impact * Decimal::from(12))) }
                    dt { "Money at stake" } dd { (money(detail.money_at_stake)) }
                    @if let Some(count) = detail.count { dt { "Items" } dd { (count) } }
                    dt { "Client" } dd { (client) " " span.mono { (row.finding.client_id) } }
                    @if !row.finding.product_id.is_empty() { dt { "Product" } dd { (product) " " span.mono { (row.finding.product_id) } } }
                    @if !row.finding.source.is_empty() { dt { "Source" } dd { (row.finding.source) } }
                    @if !row.finding.item_key.is_empty() { dt { "Item" } dd.mono { (row.finding.item_key) } }
                }
            }
            div.panel {
                h2 { "Likely cause: " (label(&detail.cause)) }
                p { (detail.explanation) }
                @if !detail.suggestions.is_empty() {
                    h2 { "Suggested mappings" }
                    table {
                        thead { tr { th { "Id" } th { "Name" } th.num { "Score" } th { "Why" } } }
                        tbody { @for s in &detail.suggestions { tr {
                            td.mono { (s.id) } td { (s.name) } td.num { (s.score) } td { (s.reason) }
                        } } }
                    }
                }
            }
        }
        div.grid2 {
            div.panel {
                h2 { "Review" }
                dl.facts {
                    dt { "State" } dd { span class=(format!("badge {}", row.state.as_str())) { (label(row.state.as_str())) } }
                    @if let Some(review) = review {
                        @if !review.reason.is_empty() { dt { "Reason" } dd { (review.reason) } }
                        @if !review.expires_on.is_empty() { dt { "Ignored until" } dd { (review.expires_on) } }
                        @if !review.assignee.is_empty() { dt { "Assignee" } dd { (review.assignee) } }
                        @if review.for_action { dt { "PSA change" } dd { "Marked for a change in the PSA" } }
                        dt { "Last change" } dd { (review.updated_by) ", " (moment(&review.updated_at)) }
                    } @else {
                        dt { "Last change" } dd { "Not reviewed yet" }
                    }
                }
                @if principal.may(Role::Reviewer) {
                    form method="post" action=(format!("/findings/{}/review", row.short_id)) style="margin-top:16px" {
                        input type="hidden" name="csrf" value=(principal.csrf());
                        input type="hidden" name="run" value=(run.id);
                        input type="hidden" name="review_version" value=(review_version(&row));
                        div.form-grid {
                            label { "State" select name="state" {
                                @for s in [ReviewState::Open, ReviewState::Acknowledged, ReviewState::Resolved, ReviewState::Ignored] {
                                    option value=(s.as_str()) selected[s == row.state] { (label(s.as_str())) }
                                }
                            } }
                            label { "Assignee" input name="assignee" value=(review.map(|r| r.assignee.as_str()).unwrap_or("")); }
                            label { "Reason (needed to ignore)" input name="reason" value=(review.map(|r| r.reason.as_str()).unwrap_or("")); }
                            label { "Ignore until" input type="date" name="until" value=(review.map(|r| r.expires_on.as_str()).unwrap_or("")); }
                            label.wide { span { input type="checkbox" name="for_action" value="1" checked[review.is_some_and(|r| r.for_action)]; " Mark for a change in the PSA" } }
                            label.wide { "Note" textarea name="note" placeholder="What you found or did" {} }
                        }
                        p { button type="submit" { "Save review" } }
                    }
                }
            }
            div.panel {
                h2 { "Notes" }
                @if notes.is_empty() { p.empty { "No notes yet." } }
                @for note in &notes {
                    div style="margin-bottom:10px" {
                        div.sub style="margin:0" { b { (note.author) } " · " (moment(&note.at)) }
                        div { (note.body) }
                    }
                }
                h2 style="margin-top:18px" { "History" }
                table {
                    thead { tr { th { "Run" } th { "Period" } th { "As of" } } }
                    tbody {
                        @for run_id in &history {
                            @if let Some(past) = all_runs.iter().find(|r| r.id == *run_id) {
                                tr {
                                    td { a href=(format!("/findings/{}?run={}", row.short_id, past.id)) { "Run " (past.id) } @if past.id == run.id { " (shown)" } }
                                    td { (past.period) }
                                    td { (past.as_of.get(..10).unwrap_or(&past.as_of)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        div.panel {
            h2 { "Evidence: " (detail.evidence.len()) " item" (if detail.evidence.len() == 1 { "" } else { "s" }) }
            @if detail.evidence.is_empty() {
                p.empty { "No items behind this finding." }
            } @else {
                table {
                    thead { tr {
                        th { "Item" } th { "Counted as" } th { "Status" } th { "Last seen" }
                        th { "Source" } th { "SKU" } th.num { "Units" } th.num { "Rows" }
                    } }
                    tbody {
                        @for item in detail.evidence.iter().take(EVIDENCE_SHOWN) {
                            tr {
                                td.mono { (item.item_key) }
                                td { span class=(format!("badge {}", item.state)) { (item.state) } }
                                td { (item.status) }
                                td { (item.last_seen.get(..10).unwrap_or(&item.last_seen)) }
                                td { (item.source) }
                                td { (if item.sku_name.is_empty() { &item.sku } else { &item.sku_name }) }
                                td.num { (item.units.normalize()) }
                                td.num { (item.rows) }
                            }
                        }
                    }
                }
                @if detail.evidence.len() > EVIDENCE_SHOWN {
                    p.sub { "Showing the first " (EVIDENCE_SHOWN) "; " a href=(format!("/api/findings/{}?run={}", row.short_id, run.id)) { "the API" } " lists all " (detail.evidence.len()) "." }
                }
            }
            @if !detail.billing_lines.is_empty() {
                h2 style="margin-top:18px" { "Billing lines" }
                table {
                    thead { tr { th { "Line" } th.num { "Quantity" } th.num { "Unit price" } th.num { "Line total" } } }
                    tbody {
                        @for line in &detail.billing_lines {
                            tr {
                                td.mono { (line.line_id) }
                                td.num { (line.quantity.normalize()) }
                                td.num { (money(line.unit_price)) }
                                td.num { (money(line.quantity * line.unit_price)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(&title, &principal, Nav::Findings, &choice, content))
}

/// `POST /findings/{id}/review`: the review form.
/// Who last saved the finding's review and when: the form sends it back so
/// a save made from a stale page is noticed.
fn review_version(row: &reckon_store::FindingRow) -> String {
    row.review
        .as_ref()
        .map(|r| format!("{}|{}", r.updated_at, r.updated_by))
        .unwrap_or_default()
}

pub async fn review(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm<Reviewer>,
) -> WebResult<Response> {
    let fields = &form.fields;
    let run: Option<i64> = match fields.text("run").as_str() {
        "" => None,
        text => Some(
            text.parse()
                .map_err(|_| WebError::BadRequest(format!("run {text:?} is not a number")))?,
        ),
    };
    let (run, row) = locate_finding(&state, &id, run).await?;
    // Someone else saved this review since the page was opened: their
    // change stays; the note (which never conflicts) is kept, the rest is
    // refused so it does not silently undo theirs.
    if let Some(seen) = fields.get("review_version")
        && seen != review_version(&row)
    {
        let note = fields.text("note");
        let kept = if note.trim().is_empty() {
            ""
        } else {
            let request = ReviewRequest {
                note: Some(note),
                ..ReviewRequest::default()
            };
            apply(&state, &run, &row, &request, &form.principal.name).await?;
            " Your note was saved."
        };
        let by = row
            .review
            .as_ref()
            .map(|r| format!("{} at {}", r.updated_by, r.updated_at))
            .unwrap_or_default();
        return Err(WebError::Conflict(format!(
            "This finding's review was changed by {by} after you opened the page.{kept} \
             Reload the page to see the change, then apply yours again."
        )));
    }
    let request = ReviewRequest {
        state: Some(parse_state(&fields.text("state"))?),
        reason: Some(fields.text("reason")),
        until: Some(fields.text("until")),
        assignee: Some(fields.text("assignee")),
        for_action: Some(fields.get("for_action").is_some()),
        note: Some(fields.text("note")),
    };
    apply(&state, &run, &row, &request, &form.principal.name).await?;
    Ok(Redirect::to(&format!(
        "/findings/{}?run={}&saved=1",
        row.short_id, run.id
    ))
    .into_response())
}
