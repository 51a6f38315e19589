//! The cover page: what the run is, its money per month and year, its
//! findings counted by kind and review state, and (for a run over many
//! clients) which clients have the most at stake.

use maud::{Markup, html};
use rust_decimal::Decimal;

use super::Report;
use super::chart::{BarRow, ChartText, grouped_bars};
use super::labels::{KIND_ORDER, STATE_ORDER, kind_label, rank_in, state_label};

/// How many clients the cover ranks and charts.
const TOP_CLIENTS: usize = 10;

pub(super) fn cover_page(report: &Report<'_>) -> Markup {
    let run = report.run;
    html! {
        section.page.cover {
            @match report.statement_for {
                Some(client) => {
                    h1 { "Statement for " (client) }
                    p.subtitle { "Billing reconciliation: what is billed compared with what is in use" }
                }
                None => {
                    h1 { "Billing reconciliation report" }
                    p.subtitle { "What each client is billed compared with what is in use" }
                }
            }
            div.grid {
                div { (money_totals(report)) }
                div {
                    h3 { "Run" }
                    table.meta {
                        tbody {
                            tr { th { "Period" } td { (or_dash(&run.period)) } }
                            tr { th { "As of" } td { (or_dash(&run.as_of)) } }
                            tr { th { "Generated at" } td { (or_dash(&run.generated_at)) } }
                            tr { th { "Run id" } td {
                                @match run.run_id { Some(id) => (id), None => "not stored" }
                            } }
                            tr { th { "Currency" } td { (or_dash(&run.currency)) } }
                        }
                    }
                }
            }
            @if run.findings.is_empty() {
                p.empty { "No findings: billing matches usage everywhere." }
            } @else {
                div.grid {
                    div { (count_table("Findings by kind", "Kind", &report.totals.by_kind, &KIND_ORDER, kind_label)) }
                    div { (count_table("Findings by review state", "State", &report.totals.by_state, &STATE_ORDER, state_label)) }
                }
                @if report.statement_for.is_none() && !report.sections.is_empty() {
                    (top_clients(report))
                }
            }
        }
    }
}

fn money_totals(report: &Report<'_>) -> Markup {
    let totals = &report.totals;
    let money = |value: Decimal| report.currency.format(value);
    let net_per_month = totals
        .underbilled_per_month
        .saturating_sub(totals.overbilled_per_month);
    let underbilled_per_year = totals.underbilled_per_year();
    let overbilled_per_year = totals.overbilled_per_year();
    let net_per_year = underbilled_per_year.saturating_sub(overbilled_per_year);
    html! {
        h3 { "Money" }
        table.totals {
            thead { tr { th { "" } th.num { "Per month" } th.num { "Per year" } } }
            tbody {
                tr {
                    td.label.under { "Underbilled" }
                    td.num.under { (money(totals.underbilled_per_month)) }
                    td.num.under { (money(underbilled_per_year)) }
                }
                tr {
                    td.label.over { "Overbilled" }
                    td.num.over { (money(totals.overbilled_per_month)) }
                    td.num.over { (money(overbilled_per_year)) }
                }
                tr.net {
                    td.label { "Net" }
                    td.num { (money(net_per_month)) }
                    td.num { (money(net_per_year)) }
                }
            }
        }
        p.muted {
            "Underbilled: in use, not billed (revenue to recover). Overbilled: billed, not in use. "
            "Net is underbilled less overbilled; a year is twelve months."
        }
    }
}

fn count_table(
    heading: &str,
    column: &str,
    counts: &std::collections::BTreeMap<String, u64>,
    order: &[&str],
    label: fn(&str) -> &str,
) -> Markup {
    let mut rows: Vec<(&String, &u64)> = counts.iter().collect();
    rows.sort_by_key(|(code, _)| rank_in(order, code));
    let total: u64 = counts.values().sum();
    html! {
        h3 { (heading) }
        table.counts {
            thead { tr { th { (column) } th.num { "Findings" } } }
            tbody {
                @for (code, count) in rows {
                    tr { td { (label(code)) } td.num { (count) } }
                }
                tr.net { td { "Total" } td.num { (total) } }
            }
        }
    }
}

fn top_clients(report: &Report<'_>) -> Markup {
    let money = |value: Decimal| report.currency.format(value);
    let top = &report.sections[..report.sections.len().min(TOP_CLIENTS)];
    let rest = report.sections.len() - top.len();
    let rows: Vec<BarRow> = top
        .iter()
        .enumerate()
        .map(|(index, section)| BarRow {
            label: format!("{}. {}", index + 1, section.title()),
            first: section.underbilled,
            first_text: money(section.underbilled),
            second: section.overbilled,
            second_text: money(section.overbilled),
            aside: money(section.money_at_stake),
        })
        .collect();
    html! {
        h3 {
            "Top clients by money at stake"
            @if rest > 0 {
                span.muted { " · " (top.len()) " of " (report.sections.len()) ", the rest on the pages that follow" }
            }
        }
        (grouped_bars(
            "cover-chart",
            ChartText {
                caption: "Per month. At stake sums the client's findings; a stale or disabled item \
                          can also be the reason for an overbilled line, so some money counts twice.",
                series: ["Underbilled / month", "Overbilled / month"],
                aside: "At stake",
            },
            &rows,
        ))
    }
}

fn or_dash(text: &str) -> &str {
    if text.trim().is_empty() { "—" } else { text }
}
