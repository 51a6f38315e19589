//! Runs: every stored run, starting a run of a period, and a run's page
//! with its comparison with the previous run and its downloads.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{Markup, html};
use reckon_store::diff::{RunDiff, compare};
use reckon_store::{RunRecord, RunStore, Store, StoredFinding, short_id};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::auth::{Principal, Reviewer, Signed, SignedForm};
use crate::downloads::{ExportQuery, FORMATS, export};
use crate::error::{WebError, WebResult};
use crate::format::{decimal, label, money};
use crate::pages::layout::{Nav, PeriodChoice, page as layout};
use crate::state::AppState;

/// A run against the one before it (by id, as `reckon diff` compares).
pub struct Comparison {
    pub previous: Option<RunRecord>,
    pub diff: RunDiff,
}

pub async fn compare_with_previous(state: &AppState, run: &RunRecord) -> WebResult<Comparison> {
    let runs = state.store().runs(None).await?;
    let Some(previous) = runs.iter().rfind(|r| r.id < run.id).cloned() else {
        return Ok(Comparison {
            previous: None,
            diff: RunDiff {
                new: state.store().run_findings(run.id).await?,
                ..RunDiff::default()
            },
        });
    };
    let diff = compare(
        &state.store().run_findings(previous.id).await?,
        &state.store().run_findings(run.id).await?,
    );
    Ok(Comparison {
        previous: Some(previous),
        diff,
    })
}

fn finding_brief(finding: &StoredFinding) -> Value {
    json!({
        "id": short_id(&finding.fingerprint),
        "kind": finding.kind,
        "client_id": finding.client_id,
        "product_id": finding.product_id,
        "source": finding.source,
        "key": finding.item_key,
        "impact": finding.impact,
        "money_at_stake": finding.money_at_stake,
    })
}

/// The comparison as the API gives it.
pub fn comparison_json(comparison: &Comparison) -> Value {
    let diff = &comparison.diff;
    json!({
        "previous_run": comparison.previous.as_ref().map(|r| r.id),
        "new": diff.new.iter().map(finding_brief).collect::<Vec<_>>(),
        "recurring": diff.recurred.len(),
        "changed": diff.changed.iter().map(|c| {
            let mut value = finding_brief(&c.after);
            if let Value::Object(map) = &mut value {
                map.insert("impact_before".to_string(), json!(c.before.impact));
                map.insert("billed_before".to_string(), json!(c.before.billed));
                map.insert("actual_before".to_string(), json!(c.before.actual));
                map.insert("billed".to_string(), json!(c.after.billed));
                map.insert("actual".to_string(), json!(c.after.actual));
                map.insert("impact_change".to_string(), json!(impact_change(&c.before, &c.after).to_string()));
            }
            value
        }).collect::<Vec<_>>(),
        "disappeared": diff.disappeared.iter().map(finding_brief).collect::<Vec<_>>(),
    })
}

/// How much a finding's monthly impact moved.
fn impact_change(before: &StoredFinding, after: &StoredFinding) -> Decimal {
    decimal(&after.impact) - decimal(&before.impact)
}

fn periods_choice(runs: &[RunRecord]) -> PeriodChoice {
    PeriodChoice {
        periods: crate::runs::periods(runs),
        selected: runs.last().map(|r| r.period.clone()).unwrap_or_default(),
        action: "/",
    }
}

/// `GET /runs`.
pub async fn list(
    State(state): State<AppState>,
    Signed(principal, _): Signed,
) -> WebResult<Markup> {
    let runs = state.store().runs(None).await?;
    let periods = state.store().periods().await?;
    let content = html! {
        h1 { "Runs" }
        p.sub { "Every stored run, newest first. A run reconciles a period's latest imports and never changes afterwards." }
        @if principal.may(reckon_store::Role::Reviewer) {
            (start_form(&principal, &periods))
        }
        div.panel {
            @if runs.is_empty() {
                p.empty { "No run is stored yet." }
            } @else {
                table {
                    thead { tr {
                        th { "Run" } th { "Period" } th { "As of" } th { "By" } th { "When" }
                        th.num { "Findings" } th.num { "Underbilled / month" } th.num { "Overbilled / month" }
                    } }
                    tbody {
                        @for run in runs.iter().rev() {
                            tr {
                                td { a href=(format!("/runs/{}", run.id)) { "Run " (run.id) } }
                                td { (run.period) }
                                td { (day(&run.as_of)) }
                                td { (run.created_by) }
                                td { (when(&run.created_at)) }
                                td.num { (run.finding_count) }
                                td.num.under { (money(decimal(&run.underbilled))) }
                                td.num { (money(decimal(&run.overbilled))) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(
        "Runs",
        &principal,
        Nav::Runs,
        &periods_choice(&runs),
        content,
    ))
}

fn day(text: &str) -> &str {
    text.get(..10).unwrap_or(text)
}

/// An RFC 3339 instant in UTC as people read it: `2026-11-01 09:00:00 UTC`.
pub(crate) fn when(text: &str) -> String {
    match text.strip_suffix('Z') {
        Some(utc) => format!("{} UTC", utc.replacen('T', " ", 1)),
        None => text.to_string(),
    }
}

fn start_form(principal: &Principal, periods: &[String]) -> Markup {
    html! {
        div.panel {
            h2 { "Start a run" }
            @if periods.is_empty() {
                p.empty { "Nothing is imported yet: " a href="/imports" { "import a period's exports" } " first." }
            } @else {
                form.filters method="post" action="/runs" {
                    input type="hidden" name="csrf" value=(principal.csrf());
                    label for="run-period" { "Period" }
                    select id="run-period" name="period" {
                        @for (index, period) in periods.iter().enumerate().rev() {
                            option value=(period) selected[index + 1 == periods.len()] { (period) }
                        }
                    }
                    button type="submit" { "Run" }
                }
                p.sub { "Reconciles the period's latest import of each feed, as " code { "reckon run --period" } " does, and stores the run." }
            }
        }
    }
}

/// `POST /runs`: start a run (reviewer or admin).
pub async fn start(State(state): State<AppState>, form: SignedForm<Reviewer>) -> WebResult<Markup> {
    let period = form.fields.text("period");
    let started = start_run(
        &state,
        (!period.is_empty()).then_some(period.as_str()),
        &form.principal.name,
    )
    .await?;
    let run = state.store().run(started.run_id).await?;
    run_page(&state, &form.principal, &run, &started.warnings).await
}

/// Runs a period through the actions (the store audits the new run).
pub async fn start_run(
    state: &AppState,
    period: Option<&str>,
    actor: &str,
) -> WebResult<crate::actions::RunStarted> {
    let started = state.actions()?.run_period(period, actor).await?;
    tracing::info!(run.id = started.run_id, period = %started.period, "run started from the web");
    Ok(started)
}

/// `GET /runs/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Signed(principal, _): Signed,
    Path(id): Path<i64>,
) -> WebResult<Markup> {
    let run = state.store().run(id).await?;
    run_page(&state, &principal, &run, &[]).await
}

async fn run_page(
    state: &AppState,
    principal: &Principal,
    run: &RunRecord,
    warnings: &[String],
) -> WebResult<Markup> {
    let runs = state.store().runs(None).await?;
    let comparison = compare_with_previous(state, run).await?;
    let diff = &comparison.diff;
    let title = format!("Run {}", run.id);
    let content = html! {
        h1 { (title) " · " (run.period) }
        p.sub { "As of " (day(&run.as_of)) " · by " (run.created_by) " at " (when(&run.created_at)) " · " a href=(format!("/findings?run={}", run.id)) { "its findings" } }
        @for warning in warnings {
            div.flash.error { "Warning: " (warning) }
        }
        div.cards {
            div.card { div.label { "Findings" } div.value { (run.finding_count) } }
            div.card { div.label { "Underbilled / month" } div.value.under { (money(decimal(&run.underbilled))) } }
            div.card { div.label { "Overbilled / month" } div.value { (money(decimal(&run.overbilled))) } }
        }
        div.panel {
            h2 { "Downloads" }
            p {
                @for (format, name) in FORMATS.iter().take(5) {
                    a.button.secondary href=(format!("/runs/{}/export?format={format}", run.id)) download { (name) } " "
                }
            }
            form.filters method="get" action=(format!("/runs/{}/export", run.id)) {
                input type="hidden" name="format" value="adjustments";
                label for="psa" { "PSA adjustments" }
                select id="psa" name="psa" {
                    option value="" { "The lines' PSA" }
                    @for name in reckon_report::adjustments::PsaShape::NAMES {
                        option value=(name) { (name) }
                    }
                }
                label { input type="checkbox" name="all" value="true"; " all pair findings, not only those marked for action" }
                button.secondary type="submit" { "Download" }
            }
        }
        div.panel {
            @match &comparison.previous {
                None => {
                    h2 { "Comparison" }
                    p.empty { "No earlier run to compare with." }
                }
                Some(previous) => {
                    h2 { "Against run " a href=(format!("/runs/{}", previous.id)) { (previous.id) } " (" (previous.period) ")" }
                    p.sub { (diff.new.len()) " new · " (diff.recurred.len()) " recurring · " (diff.changed.len()) " changed · " (diff.disappeared.len()) " disappeared" }
                    @if !diff.changed.is_empty() {
                        h2 { "Changed" }
                        table {
                            thead { tr { th { "Finding" } th { "Kind" } th { "Client" } th { "Product / item" } th.num { "Impact before" } th.num { "Impact now" } th.num { "Change" } } }
                            tbody {
                                @for changed in &diff.changed {
                                    tr {
                                        td.mono { a href=(format!("/findings/{}?run={}", short_id(&changed.after.fingerprint), run.id)) { (short_id(&changed.after.fingerprint)) } }
                                        td { (label(&changed.after.kind)) }
                                        td { (changed.after.client_id) }
                                        td { (item_of(&changed.after)) }
                                        td.num { (money(decimal(&changed.before.impact))) }
                                        td.num { (money(decimal(&changed.after.impact))) }
                                        td.num { (money(impact_change(&changed.before, &changed.after))) }
                                    }
                                }
                            }
                        }
                    }
                    (finding_table("New", &diff.new, Some(run.id)))
                    (finding_table("Disappeared", &diff.disappeared, Some(previous.id)))
                }
            }
        }
    };
    Ok(layout(
        &title,
        principal,
        Nav::Runs,
        &periods_choice(&runs),
        content,
    ))
}

fn item_of(finding: &StoredFinding) -> String {
    match (finding.product_id.as_str(), finding.item_key.as_str()) {
        (product, "") => product.to_string(),
        ("", item) => item.to_string(),
        (product, item) => format!("{product} / {item}"),
    }
}

/// How many findings of a group the page lists.
const LISTED: usize = 50;

fn finding_table(title: &str, findings: &[StoredFinding], run: Option<i64>) -> Markup {
    html! {
        @if !findings.is_empty() {
            h2 { (title) " (" (findings.len()) ")" }
            table {
                thead { tr { th { "Finding" } th { "Kind" } th { "Client" } th { "Product / item" } th.num { "Impact" } } }
                tbody {
                    @for finding in findings.iter().take(LISTED) {
                        tr {
                            td.mono {
                                @let id = short_id(&finding.fingerprint);
                                @match run {
                                    Some(run) => a href=(format!("/findings/{id}?run={run}")) { (id) },
                                    None => (id),
                                }
                            }
                            td { (label(&finding.kind)) }
                            td { (finding.client_id) }
                            td { (item_of(finding)) }
                            td.num { (money(decimal(&finding.impact))) }
                        }
                    }
                }
            }
            @if findings.len() > LISTED {
                p.sub { "The first " (LISTED) " are listed; the API lists all." }
            }
        }
    }
}

/// `GET /runs/{id}/export`: a download.
pub async fn download(
    State(state): State<AppState>,
    _: Signed,
    Path(id): Path<i64>,
    Query(query): Query<ExportQuery>,
) -> WebResult<Response> {
    state.store().run(id).await.map_err(WebError::from)?;
    export(&state, id, &query).await
}
