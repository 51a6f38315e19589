//! The printable HTML report: one self-contained file (inline CSS and SVG,
//! no script, fonts or links) that prints to PDF on A4 or Letter. A cover
//! page with the run's totals, one page per client with findings (most money
//! at stake first), and a page of mapping issues at the end.
//!
//! Every piece of text from the data goes through maud, which escapes it;
//! nothing from the data is ever spliced in unescaped.

mod chart;
mod client_page;
mod clients;
mod cover;
mod labels;
mod mapping_page;
mod money;
mod style;

use std::io::{self, Write};

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::model::{ReportFinding, ReportRun, Totals};
use clients::ClientSection;
use money::Currency;

/// Everything the pages draw from, worked out once.
#[derive(Debug)]
struct Report<'a> {
    run: &'a ReportRun,
    /// `run.totals()`: the same numbers the XLSX and CSV print.
    totals: Totals,
    currency: Currency,
    /// The client a statement is for (`run.for_client`); no ranking then.
    statement_for: Option<&'a str>,
    sections: Vec<ClientSection<'a>>,
    mapping_issues: Vec<&'a ReportFinding>,
}

/// Writes the whole report as one HTML document.
pub fn write_html(run: &ReportRun, mut out: impl Write) -> io::Result<()> {
    let document = render(run);
    out.write_all(document.into_string().as_bytes())?;
    out.flush()
}

fn render(run: &ReportRun) -> Markup {
    let totals = run.totals();
    let sections = clients::client_sections(run, &totals);
    let report = Report {
        run,
        currency: Currency::from_code(&run.currency),
        statement_for: clients::statement_client(run),
        sections,
        mapping_issues: run
            .findings
            .iter()
            .filter(|f| f.is_mapping_issue())
            .collect(),
        totals,
    };
    let title = match report.statement_for {
        Some(client) => format!("Statement for {client}"),
        None => "Billing reconciliation report".to_string(),
    };
    let title = if run.period.trim().is_empty() {
        title
    } else {
        format!("{title}, {}", run.period)
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content="reckon";
                title { (title) }
                style { (PreEscaped(style::STYLESHEET)) }
            }
            body {
                (cover::cover_page(&report))
                @for (index, section) in report.sections.iter().enumerate() {
                    (client_page::client_page(&report, index, section))
                }
                @if !report.mapping_issues.is_empty() {
                    (mapping_page::mapping_page(&report))
                }
            }
        }
    }
}
