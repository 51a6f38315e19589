//! The last page: findings that no mapping connects to a PSA client or
//! product, so their usage is counted nowhere until someone maps them. Each
//! shows the best suggestion the run made.

use maud::{Markup, html};

use super::Report;
use super::client_page::review_state;
use super::labels::{cause_label, kind_label};
use crate::model::{ReportFinding, SuggestionRow};

pub(super) fn mapping_page(report: &Report<'_>) -> Markup {
    html! {
        section.page.mapping {
            h2 { "Mapping issues" }
            p.subtitle {
                "Usage the run could not connect to a PSA client or product, so it is counted nowhere. "
                "Map each, then run the reconciliation again."
            }
            table.mapping-issues {
                colgroup {
                    col style="width: 10%";
                    col style="width: 7%";
                    col style="width: 20%";
                    col style="width: 14%";
                    col style="width: 6%";
                    col style="width: 9%";
                    col style="width: 24%";
                    col style="width: 10%";
                }
                thead {
                    tr {
                        th { "Issue" }
                        th { "Source" }
                        th { "Reference" }
                        th { "PSA client" }
                        th.num { "Rows" }
                        th.num { "At stake" }
                        th { "Best suggestion" }
                        th { "Review" }
                    }
                }
                @for finding in &report.mapping_issues {
                    tbody.finding {
                        tr.figures {
                            td { (kind_label(&finding.kind)) }
                            td { (finding.source) }
                            td {
                                (reference_name(finding))
                                @if !finding.key.is_empty() && finding.key != reference_name(finding) {
                                    br; span.muted { (finding.key) }
                                }
                            }
                            td {
                                @if finding.kind == "unmapped_client" || finding.client_id.is_empty() { "—" }
                                @else { (finding.client_name) br; span.muted { (finding.client_id) } }
                            }
                            td.num { (finding.count.unwrap_or(0)) }
                            td.num { (report.currency.format(finding.money_at_stake)) }
                            td { (best_suggestion(finding)) }
                            td { (review_state(finding)) }
                        }
                        tr.explanation {
                            td colspan="8" {
                                (finding.explanation)
                                @if !finding.note.is_empty() { " · Note: " (finding.note) }
                                @if !finding.assignee.is_empty() { " · Assignee: " (finding.assignee) }
                                " · Cause: " (cause_label(&finding.cause))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the source calls the unmapped thing: its client name for an
/// unmapped client, its SKU name for an unmapped SKU, else its key.
fn reference_name(finding: &ReportFinding) -> &str {
    let name = if finding.kind == "unmapped_client" {
        &finding.client_name
    } else {
        &finding.sku_name
    };
    if name.trim().is_empty() {
        &finding.key
    } else {
        name
    }
}

fn best_suggestion(finding: &ReportFinding) -> Markup {
    // The highest score wins; on a tie the engine's own order decides.
    let best: Option<&SuggestionRow> =
        finding
            .suggestions
            .iter()
            .fold(None, |best, candidate| match best {
                Some(current) if current.score >= candidate.score => Some(current),
                _ => Some(candidate),
            });
    html! {
        @match best {
            Some(suggestion) => {
                (suggestion.name)
                @if !suggestion.id.is_empty() { " (" (suggestion.id) ")" }
                " " span.badge { (suggestion.score) "%" }
                @if !suggestion.reason.is_empty() { br; span.muted { (suggestion.reason) } }
            }
            None => span.muted { "none" },
        }
    }
}
