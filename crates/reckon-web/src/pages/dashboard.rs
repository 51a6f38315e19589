//! The dashboard: a period's latest run in money and counts, the clients
//! with the most at stake, and under/over billing across past runs.

use axum::extract::{Query, State};
use maud::{Markup, html};
use reckon_store::{RunRecord, RunStore};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

use crate::auth::Signed;
use crate::error::WebResult;
use crate::format::{cents, decimal, label, money};
use crate::pages::layout::{Nav, PeriodChoice, page as layout};
use crate::pages::query_string;
use crate::runs::{fixed_totals, periods};
use crate::state::{AppState, today};

#[derive(Debug, Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    period: String,
}

pub async fn page(
    State(state): State<AppState>,
    Signed(principal, _): Signed,
    Query(query): Query<DashboardQuery>,
) -> WebResult<Markup> {
    let runs = state.store().runs(None).await?;
    let periods = periods(&runs);
    let selected = if query.period.is_empty() {
        runs.last().map(|r| r.period.clone()).unwrap_or_default()
    } else {
        query.period.clone()
    };
    let choice = PeriodChoice {
        periods,
        selected: selected.clone(),
        action: "/",
    };
    let Some(run) = runs.iter().rfind(|r| r.period == selected).cloned() else {
        let content = html! {
            h1 { "Dashboard" }
            div.panel.empty {
                @if runs.is_empty() {
                    p { "No run is stored yet." }
                    p { "Import a period's exports with " code { "reckon import" } " and run " code { "reckon run" } ", or try " code { "reckon serve --demo" } "." }
                } @else {
                    p { "No run of " (selected) "." }
                }
            }
        };
        return Ok(layout(
            "Dashboard",
            &principal,
            Nav::Dashboard,
            &choice,
            content,
        ));
    };
    let fixed = fixed_totals(&state, run.id).await?;
    let by_state = state
        .store()
        .run_state_counts(run.id, run.finding_count, &today())
        .await?;
    let under = decimal(&run.underbilled);
    let over = decimal(&run.overbilled);
    let open = by_state
        .iter()
        .find(|(s, _)| *s == reckon_store::ReviewState::Open)
        .map_or(0, |(_, n)| *n);
    let most = fixed
        .top_clients
        .iter()
        .map(|(c, _)| c.at_stake_cents)
        .max()
        .unwrap_or(0)
        .max(1);
    let link = |pairs: &[(&str, String)]| format!("/findings{}", query_string(pairs));
    let run_id = run.id.to_string();
    let content = html! {
        h1 { "Dashboard" }
        p.sub { "Period " (run.period) " · run " (run.id) " as of " (run.as_of.get(..10).unwrap_or(&run.as_of)) " · " (run.finding_count) " findings" }
        div.cards {
            div.card {
                div.label { "Underbilled per month" }
                div.value.under { (money(under)) }
                div.note { (money(under * Decimal::from(12))) " per year" }
            }
            div.card {
                div.label { "Overbilled per month" }
                div.value.over { (money(over)) }
                div.note { (money(over * Decimal::from(12))) " per year" }
            }
            div.card {
                div.label { "Open findings" }
                div.value { (open) }
                div.note {
                    "of " (run.finding_count) " in this run"
                    @if open > 0 { " · " a href=(link(&[("run", run_id.clone()), ("state", "open".to_string())])) { "review them" } }
                }
            }
            div.card {
                div.label { "Billing pairs compared" }
                div.value { (run.pairs) }
                div.note { "client and product pairs" }
            }
        }
        div.grid2 {
            div.panel {
                h2 { "Findings by kind" }
                table {
                    thead { tr { th { "Kind" } th.num { "Findings" } } }
                    tbody {
                        @for (kind, count) in &fixed.by_kind {
                            tr {
                                td { a href=(link(&[("run", run_id.clone()), ("kind", kind.clone())])) { (label(kind)) } }
                                td.num { (count) }
                            }
                        }
                    }
                }
            }
            div.panel {
                h2 { "Findings by review state" }
                table {
                    thead { tr { th { "State" } th.num { "Findings" } } }
                    tbody {
                        @for (review_state, count) in &by_state {
                            tr {
                                td { a href=(link(&[("run", run_id.clone()), ("state", review_state.as_str().to_string())])) {
                                    span class=(format!("badge {}", review_state.as_str())) { (label(review_state.as_str())) }
                                } }
                                td.num { (count) }
                            }
                        }
                    }
                }
            }
        }
        div.panel {
            h2 { "Clients with the most money at stake" }
            @if fixed.top_clients.is_empty() {
                p.empty { "No findings in this run." }
            } @else {
                table {
                    thead { tr {
                        th { "Client" } th.num { "Findings" } th.num { "Underbilled / month" }
                        th.num { "Overbilled / month" } th.num { "At stake" } th {}
                    } }
                    tbody {
                        @for (client, name) in &fixed.top_clients {
                            tr {
                                td {
                                    a href=(link(&[("run", run_id.clone()), ("client", client.client_id.clone())])) {
                                        @if !name.is_empty() { (name) } @else if client.client_id.is_empty() { "(unmapped)" } @else { (client.client_id) }
                                    }
                                    @if !name.is_empty() { " " span.mono { (client.client_id) } }
                                }
                                td.num { (client.findings) }
                                td class=(if client.underbilled_cents > 0 { "num under" } else { "num" }) { (cents(client.underbilled_cents)) }
                                td class=(if client.overbilled_cents > 0 { "num over" } else { "num" }) { (cents(client.overbilled_cents)) }
                                td.num { (cents(client.at_stake_cents)) }
                                td { div.bar { i style=(format!("width:{}%", client.at_stake_cents.saturating_mul(100) / most)) {} } }
                            }
                        }
                    }
                }
            }
        }
        div.panel {
            h2 { "Under- and overbilling across runs" }
            (chart(&runs))
        }
    };
    Ok(layout(
        "Dashboard",
        &principal,
        Nav::Dashboard,
        &choice,
        content,
    ))
}

/// Grouped bars per run (the last 12, every period): underbilled and
/// overbilled per month. Coordinates are drawn from the decimals; the
/// amounts shown are exact.
fn chart(runs: &[RunRecord]) -> Markup {
    let shown: Vec<&RunRecord> = runs.iter().rev().take(12).rev().collect();
    if shown.is_empty() {
        return html! { p.empty { "No runs yet." } };
    }
    let (width, height, left, bottom, top) = (760.0_f64, 220.0_f64, 64.0_f64, 36.0_f64, 12.0_f64);
    let largest = shown
        .iter()
        .flat_map(|r| [decimal(&r.underbilled), decimal(&r.overbilled)])
        .max()
        .unwrap_or_default();
    // Four gridlines, each a round amount.
    let max = nice_ceiling(largest / Decimal::from(4)) * Decimal::from(4);
    let scale = |value: Decimal| {
        (value / max).to_f64().unwrap_or(0.0).clamp(0.0, 1.0) * (height - bottom - top)
    };
    let slot = (width - left) / shown.len() as f64;
    let bar = (slot * 0.32).min(28.0);
    html! {
        div.legend {
            span { i style="background:#b4231b" {} "Underbilled per month" }
            span { i style="background:#1b7a4b" {} "Overbilled per month" }
        }
        svg.chart viewBox=(format!("0 0 {width} {height}")) width="100%" role="img" aria-label="Under- and overbilling per run" {
            @for step in 0..=4 {
                @let y = height - bottom - (height - bottom - top) * f64::from(step) / 4.0;
                line x1=(left) x2=(width) y1=(y) y2=(y) stroke="#e3e8ef" {}
                text x=(left - 8.0) y=(y + 4.0) text-anchor="end" {
                    (axis_label(max * Decimal::from(step) / Decimal::from(4)))
                }
            }
            @for (index, run) in shown.iter().enumerate() {
                @let x = left + slot * index as f64 + slot / 2.0;
                @let under = decimal(&run.underbilled);
                @let over = decimal(&run.overbilled);
                rect x=(x - bar - 1.0) y=(height - bottom - scale(under)) width=(bar) height=(scale(under)) fill="#b4231b" rx="2" {
                    title { "Run " (run.id) " (" (run.period) "): underbilled " (money(under)) " per month" }
                }
                rect x=(x + 1.0) y=(height - bottom - scale(over)) width=(bar) height=(scale(over)) fill="#1b7a4b" rx="2" {
                    title { "Run " (run.id) " (" (run.period) "): overbilled " (money(over)) " per month" }
                }
                text x=(x) y=(height - bottom + 16.0) text-anchor="middle" { (run.period) }
                text x=(x) y=(height - bottom + 30.0) text-anchor="middle" { "run " (run.id) }
            }
        }
    }
}

/// The amount rounded up to 1, 2 or 5 times a power of ten (at least 1).
fn nice_ceiling(amount: Decimal) -> Decimal {
    let mut step = Decimal::ONE;
    loop {
        for factor in [1, 2, 5] {
            let candidate = step * Decimal::from(factor);
            if candidate >= amount {
                return candidate;
            }
        }
        step *= Decimal::from(10);
        if step > Decimal::from(1_000_000_000_000_i64) {
            return amount.max(Decimal::ONE);
        }
    }
}

/// A gridline's amount, without cents when it is whole.
fn axis_label(amount: Decimal) -> String {
    let text = money(amount);
    text.strip_suffix(".00").map(str::to_string).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_ceiling(Decimal::new(27500, 2)), Decimal::from(500));
        assert_eq!(nice_ceiling(Decimal::new(17150, 2)), Decimal::from(200));
        assert_eq!(nice_ceiling(Decimal::ZERO), Decimal::ONE);
        assert_eq!(nice_ceiling(Decimal::from(1000)), Decimal::from(1000));
        assert_eq!(axis_label(Decimal::from(1250)), "1,250");
        assert_eq!(axis_label(Decimal::new(125, 1)), "12.50");
    }
}
