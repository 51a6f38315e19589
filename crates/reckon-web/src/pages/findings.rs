//! The findings of a run: filters, sort, search and pages in the URL, and
//! bulk acknowledge or ignore for reviewers.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use reckon_report::model::ReportFinding;
use reckon_store::{FindingRow, ReviewState, Role, RunStore};

use crate::auth::{Reviewer, Signed, SignedForm};
use crate::error::{WebError, WebResult};
use crate::format::{decimal, label, money, quantity};
use crate::listing::ListParams;
use crate::pages::layout::{Nav, PeriodChoice, page as layout};
use crate::pages::{local_path, query_string};
use crate::review::{ReviewRequest, apply};
use crate::runs::{choose_run, fixed_totals, periods};
use crate::state::{AppState, today};

const SORTS: [(&str, &str); 7] = [
    ("money", "Money at stake"),
    ("impact", "Impact per month"),
    ("kind", "Kind"),
    ("client", "Client"),
    ("product", "Product"),
    ("state", "Review state"),
    ("priority", "Priority"),
];

pub async fn page(
    State(state): State<AppState>,
    Signed(principal, _): Signed,
    Query(params): Query<ListParams>,
) -> WebResult<Markup> {
    let all_runs = state.store().runs(None).await?;
    let run = choose_run(&state, params.run, Some(&params.period)).await?;
    let choice = PeriodChoice {
        periods: periods(&all_runs),
        selected: run.as_ref().map(|r| r.period.clone()).unwrap_or_default(),
        action: "/findings",
    };
    let Some(run) = run else {
        let content = html! { h1 { "Findings" } div.panel.empty { p { "No run is stored yet." } } };
        return Ok(layout(
            "Findings",
            &principal,
            Nav::Findings,
            &choice,
            content,
        ));
    };
    let query = params.query(&run, &today())?;
    let page = state.store().finding_page(&query).await?;
    let kinds = fixed_totals(&state, run.id).await?;
    let pairs = params.pairs(Some(run.id));
    let here = format!(
        "/findings{}",
        query_string(&[pairs.clone(), vec![("page", params.page().to_string())]].concat())
    );
    let first = query.offset + 1;
    let last = query.offset + page.rows.len() as u64;
    let pages = page.total.div_ceil(query.limit).max(1);
    let reviewer = principal.may(Role::Reviewer);
    let sort_link = |sort: &str| {
        let same = params.sort == sort || (params.sort.is_empty() && sort == "money");
        let descending = query.descending;
        let dir = if same {
            if descending { "asc" } else { "desc" }
        } else if matches!(sort, "money" | "priority") {
            "desc"
        } else {
            "asc"
        };
        let mut with_sort: Vec<(&str, String)> = pairs
            .iter()
            .filter(|(k, _)| *k != "sort" && *k != "dir")
            .cloned()
            .collect();
        with_sort.push(("sort", sort.to_string()));
        with_sort.push(("dir", dir.to_string()));
        let arrow = if same {
            if descending { " ↓" } else { " ↑" }
        } else {
            ""
        };
        (format!("/findings{}", query_string(&with_sort)), arrow)
    };
    let page_link = |number: u64| {
        format!(
            "/findings{}",
            query_string(&[pairs.clone(), vec![("page", number.to_string())]].concat())
        )
    };
    let header = |key: &str, text: &str, numeric: bool| {
        let (href, arrow) = sort_link(key);
        html! { th class=[numeric.then_some("num")] { a href=(href) { (text) (arrow) } } }
    };
    let rows: Vec<(FindingRow, ReportFinding)> = page
        .rows
        .into_iter()
        .map(|row| {
            let detail = ReportFinding::from_json(&row.finding.detail).unwrap_or_default();
            (row, detail)
        })
        .collect();
    let table = html! {
        @if rows.is_empty() {
            div.empty { "No finding matches these filters." }
        } @else {
            table {
                thead { tr {
                    @if reviewer { th { input type="checkbox" data-select-all aria-label="Select all on this page"; } }
                    th { "ID" }
                    (header("kind", "Kind", false))
                    (header("client", "Client", false))
                    (header("product", "Product", false))
                    th { "Source · item" }
                    th.num { "Billed" }
                    th.num { "Actual" }
                    (header("impact", "Impact / month", true))
                    (header("money", "At stake", true))
                    (header("state", "State", false))
                    th { "Assignee" }
                } }
                tbody {
                    @for (row, detail) in &rows {
                        @let impact = decimal(&row.finding.impact);
                        tr {
                            @if reviewer { td { input type="checkbox" name="id" value=(row.short_id) aria-label=(format!("Select {}", row.short_id)); } }
                            td.mono { a href=(format!("/findings/{}?run={}", row.short_id, run.id)) { (row.short_id) } }
                            td { (label(&row.finding.kind)) }
                            td {
                                @if !detail.client_name.is_empty() { (detail.client_name) } @else if row.finding.client_id.is_empty() { "–" } @else { (row.finding.client_id) }
                            }
                            td {
                                @if !detail.product_name.is_empty() { (detail.product_name) } @else if row.finding.product_id.is_empty() { "–" } @else { (row.finding.product_id) }
                            }
                            td {
                                @if !row.finding.source.is_empty() { (row.finding.source) }
                                @if !row.finding.source.is_empty() && !row.finding.item_key.is_empty() { " · " }
                                @if !row.finding.item_key.is_empty() { span.mono { (row.finding.item_key) } }
                                @if row.finding.source.is_empty() && row.finding.item_key.is_empty() { "–" }
                            }
                            td.num { (quantity(&row.finding.billed)) }
                            td.num { (quantity(&row.finding.actual)) }
                            td class=(money_class(impact)) { (money(impact)) }
                            td.num { (money(decimal(&row.finding.money_at_stake))) }
                            td { span class=(format!("badge {}", row.state.as_str())) { (label(row.state.as_str())) } }
                            td { (row.review.as_ref().map(|r| r.assignee.as_str()).unwrap_or("")) }
                        }
                    }
                }
            }
        }
    };
    let content = html! {
        h1 { "Findings" }
        p.sub { "Run " (run.id) " of " (run.period) " as of " (run.as_of.get(..10).unwrap_or(&run.as_of)) " · " (page.total) " matching" }
        @if let Some(done) = params.done {
            div.flash role="status" { (done) " finding" (if done == 1 { "" } else { "s" }) " updated." }
        }
        form.filters method="get" action="/findings" {
            input type="hidden" name="run" value=(run.id);
            label { "Kind" select name="kind" {
                option value="" { "All kinds" }
                @for (kind, count) in &kinds.by_kind {
                    option value=(kind) selected[*kind == params.kind] { (label(kind)) " (" (count) ")" }
                }
            } }
            label { "State" select name="state" {
                option value="" { "Any state" }
                @for review_state in [ReviewState::Open, ReviewState::Acknowledged, ReviewState::Resolved, ReviewState::Ignored] {
                    option value=(review_state.as_str()) selected[review_state.as_str() == params.state] { (label(review_state.as_str())) }
                }
            } }
            label { "Client id" input name="client" value=(params.client) size="10"; }
            label { "Product id" input name="product" value=(params.product) size="10"; }
            label { "Source" input name="source" value=(params.source) size="8"; }
            label { "Assignee (- for none)" input name="assignee" value=(params.assignee) size="10"; }
            label { "Search" input type="search" name="q" value=(params.q) placeholder="id, client, item, text"; }
            label { "Sort" select name="sort" {
                @for (key, text) in SORTS {
                    option value=(key) selected[key == params.sort || (params.sort.is_empty() && key == "money")] { (text) }
                }
            } }
            button type="submit" { "Apply" }
            a.button.secondary href=(format!("/findings?run={}", run.id)) { "Clear" }
        }
        div.panel.wide-table {
            @if reviewer {
                form method="post" action="/findings/bulk" data-bulk {
                    input type="hidden" name="csrf" value=(principal.csrf());
                    input type="hidden" name="run" value=(run.id);
                    input type="hidden" name="back" value=(here);
                    div.bulk {
                        strong { "With the selected:" }
                        button type="submit" name="action" value="acknowledge" { "Acknowledge" }
                        span { "or ignore, because" }
                        input name="reason" placeholder="reason (needed to ignore)" size="24";
                        label { "until " input type="date" name="until"; }
                        button.secondary type="submit" name="action" value="ignore" { "Ignore" }
                    }
                    (table)
                }
            } @else {
                (table)
            }
            div.pager {
                span { @if page.total > 0 { "Showing " (first) "–" (last) " of " (page.total) } }
                span {
                    @if params.page() > 1 { a href=(page_link(params.page() - 1)) { "← Previous" } " " }
                    "Page " (params.page()) " of " (pages)
                    @if params.page() < pages { " " a href=(page_link(params.page() + 1)) { "Next →" } }
                }
            }
        }
    };
    Ok(layout(
        "Findings",
        &principal,
        Nav::Findings,
        &choice,
        content,
    ))
}

/// A money cell's classes: red when underbilled, green when overbilled.
pub fn money_class(value: rust_decimal::Decimal) -> &'static str {
    if value > rust_decimal::Decimal::ZERO {
        "num under"
    } else if value < rust_decimal::Decimal::ZERO {
        "num over"
    } else {
        "num"
    }
}

/// `POST /findings/bulk`: acknowledge or ignore the chosen findings.
pub async fn bulk(
    State(state): State<AppState>,
    form: SignedForm<Reviewer>,
) -> WebResult<Response> {
    let fields = &form.fields;
    let run_id: i64 = fields
        .text("run")
        .parse()
        .map_err(|_| WebError::BadRequest("which run?".to_string()))?;
    let run = state.store().run(run_id).await?;
    let action = fields.text("action");
    let reason = fields.text("reason");
    let until = fields.text("until");
    let request = match action.as_str() {
        "acknowledge" => ReviewRequest {
            state: Some(ReviewState::Acknowledged),
            ..ReviewRequest::default()
        },
        "ignore" => {
            if reason.is_empty() {
                return Err(WebError::BadRequest(
                    "ignoring findings needs a reason".to_string(),
                ));
            }
            ReviewRequest {
                state: Some(ReviewState::Ignored),
                reason: Some(reason),
                until: Some(until),
                ..ReviewRequest::default()
            }
        }
        other => {
            return Err(WebError::BadRequest(format!(
                "action {other:?}: expected acknowledge or ignore"
            )));
        }
    };
    let today = today();
    // Every id is found first: an unknown one changes nothing at all.
    let mut rows = Vec::new();
    for id in fields.all("id") {
        rows.push(
            state
                .store()
                .finding_by_short_id(run.id, id, &today)
                .await?
                .ok_or(WebError::NotFound)?,
        );
    }
    let mut changed = 0u64;
    for row in &rows {
        if apply(&state, &run, row, &request, &form.principal.name)
            .await?
            .review_changed
        {
            changed += 1;
        }
    }
    let back = local_path(&fields.text("back"), "/findings");
    let separator = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{separator}done={changed}")).into_response())
}
