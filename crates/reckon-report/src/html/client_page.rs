//! One page per client: its money, a chart per product, its pair findings
//! (billed against in use) with their explanations, then its item findings
//! with the items behind them.

use maud::{Markup, html};
use rust_decimal::Decimal;

use super::Report;
use super::chart::{BarRow, ChartText, grouped_bars};
use super::clients::{ClientSection, product_title};
use super::labels::{cause_label, kind_label, state_label};
use super::money::{quantity, signed_quantity};
use crate::model::{EvidenceRow, ReportFinding};

/// How many items an item finding lists before "and N more".
const LISTED_ITEMS: usize = 10;

/// How many products the chart draws (most impact first), so it stays
/// small enough to print beside its table; the table lists them all.
const CHARTED_PRODUCTS: usize = 12;

pub(super) fn client_page(
    report: &Report<'_>,
    index: usize,
    section: &ClientSection<'_>,
) -> Markup {
    let money = |value: Decimal| report.currency.format(value);
    let net = section.underbilled.saturating_sub(section.overbilled);
    html! {
        section.page.client {
            h2 { (section.title()) }
            p.subtitle {
                @if !section.client_id.trim().is_empty() { "Client id " (section.client_id) " · " }
                (section.finding_count()) @if section.finding_count() == 1 { " finding" } @else { " findings" }
            }
            table.totals {
                thead {
                    tr {
                        th.num { "Underbilled / month" }
                        th.num { "Overbilled / month" }
                        th.num { "Net / month" }
                        th.num { "Net / year" }
                        th.num { "Money at stake" }
                    }
                }
                tbody {
                    tr {
                        td.num.under { (money(section.underbilled)) }
                        td.num.over { (money(section.overbilled)) }
                        td.num { (money(net)) }
                        td.num { (money(net.saturating_mul(Decimal::from(12)))) }
                        td.num { (money(section.money_at_stake)) }
                    }
                }
            }
            @if !section.pairs.is_empty() {
                (product_chart(report, index, section))
                h3 { "Billed compared with in use" }
                (pair_table(report, &section.pairs))
            }
            @if !section.items.is_empty() {
                h3 { "Items to clean up" }
                @for finding in &section.items {
                    (item_finding(report, finding))
                }
            }
        }
    }
}

fn product_chart(report: &Report<'_>, index: usize, section: &ClientSection<'_>) -> Markup {
    let charted = &section.pairs[..section.pairs.len().min(CHARTED_PRODUCTS)];
    let caption = if charted.len() < section.pairs.len() {
        format!(
            "Quantity billed and in use, with the monthly impact: the {} products with the most \
             impact of {}; the table below lists them all",
            charted.len(),
            section.pairs.len()
        )
    } else {
        "Quantity billed and in use, per product, with the monthly impact".to_string()
    };
    let rows: Vec<BarRow> = charted
        .iter()
        .map(|finding| {
            let billed = finding.billed.unwrap_or_default();
            let actual = finding.actual.unwrap_or_default();
            BarRow {
                label: product_title(finding).to_string(),
                first: billed,
                first_text: format!("{} billed", quantity(billed)),
                second: actual,
                second_text: format!("{} in use", quantity(actual)),
                aside: report.currency.format(finding.impact),
            }
        })
        .collect();
    grouped_bars(
        &format!("client-{index}-chart"),
        ChartText {
            caption: &caption,
            series: ["Billed", "In use"],
            aside: "Monthly impact",
        },
        &rows,
    )
}

fn pair_table(report: &Report<'_>, pairs: &[&ReportFinding]) -> Markup {
    let money = |value: Decimal| report.currency.format(value);
    let optional = |value: Option<Decimal>, show: fn(Decimal) -> String| {
        value.map(show).unwrap_or_else(|| "—".to_string())
    };
    html! {
        table.pairs {
            colgroup {
                col style="width: 18%";
                col style="width: 6%";
                col style="width: 6%";
                col style="width: 5.5%";
                col style="width: 8%";
                col style="width: 9%";
                col style="width: 10%";
                col style="width: 13%";
                col style="width: 8%";
                col style="width: 16.5%";
            }
            thead {
                tr {
                    th { "Product" }
                    th.num { "Billed" }
                    th.num { "In use" }
                    th.num { "Diff." }
                    th.num { "Unit price" }
                    th.num { "Monthly impact" }
                    th { "Cause" }
                    th { "Review" }
                    th { "Assignee" }
                    th { "Note" }
                }
            }
            @for finding in pairs {
                tbody.finding {
                    tr.figures {
                        td {
                            (product_title(finding))
                            br;
                            span.muted { (kind_label(&finding.kind)) }
                        }
                        td.num { (optional(finding.billed, quantity)) }
                        td.num { (optional(finding.actual, quantity)) }
                        td.num { (optional(finding.diff, signed_quantity)) }
                        td.num { (finding.unit_price.map(money).unwrap_or_else(|| "—".to_string())) }
                        td.num.under[finding.impact > Decimal::ZERO].over[finding.impact < Decimal::ZERO] {
                            (money(finding.impact))
                        }
                        td { (cause_label(&finding.cause)) }
                        td { (review_state(finding)) }
                        td { (finding.assignee) }
                        td { (finding.note) }
                    }
                    tr.explanation {
                        td colspan="10" { (finding.explanation) }
                    }
                }
            }
        }
        p.muted { "Monthly impact: positive is revenue not billed, negative is billed but not in use." }
    }
}

/// The review state, with a mark when a reviewer wants the PSA changed.
pub(super) fn review_state(finding: &ReportFinding) -> Markup {
    html! {
        (state_label(&finding.state))
        @if finding.for_action { " " span.badge { "for action" } }
    }
}

fn item_finding(report: &Report<'_>, finding: &ReportFinding) -> Markup {
    let listed = &finding.evidence[..finding.evidence.len().min(LISTED_ITEMS)];
    let more = finding.evidence.len() - listed.len();
    html! {
        div.item-finding {
            div.head {
                span { (kind_label(&finding.kind)) ": " (product_title(finding)) }
                span { "At stake " (report.currency.format(finding.money_at_stake)) }
            }
            p { (finding.explanation) }
            p.review {
                "Cause: " (cause_label(&finding.cause))
                " · Review: " (review_state(finding))
                @if !finding.assignee.is_empty() { " · Assignee: " (finding.assignee) }
                @if !finding.note.is_empty() { " · Note: " (finding.note) }
            }
            @if !listed.is_empty() {
                (evidence_table(listed))
            }
            @if more > 0 {
                p.muted { "and " (more) " more" }
            }
        }
    }
}

fn evidence_table(items: &[EvidenceRow]) -> Markup {
    html! {
        table.items {
            thead {
                tr {
                    th { "Item" }
                    th { "Client" }
                    th { "Source / SKU" }
                    th { "State" }
                    th { "Last seen" }
                    th.num { "Units" }
                    th.num { "Rows" }
                }
            }
            tbody {
                @for item in items {
                    tr {
                        td { (item.item_key) }
                        td.nowrap { (item.client_id) }
                        td {
                            (item.source)
                            @if !item.sku_name.is_empty() || !item.sku.is_empty() { " / " }
                            @if item.sku_name.is_empty() { (item.sku) } @else { (item.sku_name) }
                        }
                        td {
                            (item.state)
                            @if !item.status.is_empty() && item.status != item.state { " (" (item.status) ")" }
                        }
                        td.nowrap { (item.last_seen) }
                        td.num { (quantity(item.units)) }
                        td.num { (item.rows) }
                    }
                }
            }
        }
    }
}
