//! The printable HTML report: its totals agree with `run.totals()`, every
//! client with findings gets its own page, text from the data is escaped,
//! and an empty run still gives a whole document.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeSet;

use reckon_report::model::{EvidenceRow, ReportFinding, ReportRun};
use reckon_report::write_html;
use rust_decimal::Decimal;

fn html_of(run: &ReportRun) -> String {
    let mut out = Vec::new();
    write_html(run, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Escapes text the way the report must, to look for data in it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The document's sections, each as its own text.
fn sections(html: &str) -> Vec<&str> {
    html.split("<section ").skip(1).collect()
}

/// Every opened element is closed, in order (void elements aside): the
/// document is whole, whatever the data.
fn assert_balanced(html: &str) {
    const VOID: [&str; 4] = ["meta", "br", "col", "!DOCTYPE"];
    let mut open: Vec<&str> = Vec::new();
    for tag in html.split('<').skip(1) {
        let end = tag.find(['>', ' ']).unwrap();
        let name = &tag[..end];
        if let Some(closed) = name.strip_prefix('/') {
            assert_eq!(open.pop(), Some(closed), "unbalanced </{closed}>");
        } else if !VOID.contains(&name) {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "left open: {open:?}");
}

#[test]
fn the_demo_cover_shows_the_run_totals() {
    let run = support::demo_run();
    let html = html_of(&run);
    let cover = sections(&html)[0];
    assert!(cover.starts_with(r#"class="page cover""#));
    for total in [
        "$231.00",
        "$171.50",
        "$2,772.00",
        "$2,058.00",
        "$59.50",
        "$714.00",
    ] {
        assert!(cover.contains(total), "cover lacks {total}");
    }
    assert!(cover.contains("Billing reconciliation report"));
    assert!(cover.contains("2026-10-31T00:00:00Z"));
    assert!(cover.contains("2026-11-01T09:00:00Z"));
    assert!(cover.contains("<td>7</td>"), "run id");
    // Counts by kind and by state, from run.totals().
    assert!(cover.contains("<td>Underbilled</td><td class=\"num\">5</td>"));
    assert!(cover.contains("<td>Acknowledged</td><td class=\"num\">1</td>"));
    assert!(cover.contains("<td>Open</td><td class=\"num\">24</td>"));
    assert!(cover.contains("Top clients by money at stake"));
    assert!(cover.contains("<svg"));
    // Self-contained: nothing to fetch, nothing to run.
    for outside in ["<script", "<link", " src=", " href=", "@import", "url(http"] {
        assert!(!html.contains(outside), "{outside}");
    }
    assert_balanced(&html);
}

#[test]
fn every_client_with_findings_has_its_own_page_in_order_of_money() {
    let run = support::demo_run();
    let html = html_of(&run);
    let clients: BTreeSet<&str> = run
        .findings
        .iter()
        .filter(|f| !f.is_mapping_issue())
        .map(|f| f.client_id.as_str())
        .collect();
    let pages = sections(&html);
    let client_pages: Vec<&str> = pages
        .iter()
        .copied()
        .filter(|s| s.starts_with(r#"class="page client""#))
        .collect();
    assert_eq!(client_pages.len(), clients.len());
    assert_eq!(
        pages.len(),
        1 + clients.len() + 1,
        "cover, clients, mapping"
    );
    assert!(pages.last().unwrap().starts_with(r#"class="page mapping""#));
    // Every section but the last breaks the page after it.
    assert!(html.contains(".page:not(:last-child) { break-after: page; }"));
    // Contoso has $88.00 at stake, more than anyone, so comes first.
    assert!(client_pages[0].contains("<h2>Contoso Dental</h2>"));
    assert!(client_pages[0].contains("Client id CW-1001"));
    for client_id in &clients {
        let page_count = client_pages
            .iter()
            .filter(|page| page.contains(&format!("Client id {client_id} ")))
            .count();
        assert_eq!(page_count, 1, "{client_id}");
    }
}

#[test]
fn every_finding_shows_on_its_clients_page_with_its_product() {
    let run = support::demo_run();
    let html = html_of(&run);
    let pages = sections(&html);
    for finding in &run.findings {
        let page = if finding.is_mapping_issue() {
            *pages.last().unwrap()
        } else {
            pages
                .iter()
                .copied()
                .find(|p| p.contains(&format!("Client id {} ", finding.client_id)))
                .unwrap()
        };
        let product = if finding.is_mapping_issue() {
            &finding.key
        } else {
            &finding.product_name
        };
        assert!(
            page.contains(&escaped(product)),
            "{} {product}",
            finding.kind
        );
        assert!(
            page.contains(&escaped(&finding.explanation)),
            "{}",
            finding.explanation
        );
    }
    // The reviewer's work is shown with the finding.
    assert!(html.contains("Client confirmed 4 new hires in October"));
    assert!(html.contains("Trial seats, ends 30 Nov"));
    assert!(html.contains("<td>dana</td>"));
    assert!(html.contains("for action"));
    // Pair figures: billed, in use, difference, unit price, impact.
    let contoso = pages[1];
    for cell in ["38", "42", "+4", "$22.00", "$88.00"] {
        assert!(contoso.contains(&format!(">{cell}</td>")), "{cell}");
    }
    let northwind = pages
        .iter()
        .find(|p| p.contains("<h2>Northwind Logistics</h2>"))
        .unwrap();
    assert!(northwind.contains(">-$45.00</td>"));
    // The unmapped SKU's suggestion, best first.
    assert!(
        pages
            .last()
            .unwrap()
            .contains("Microsoft 365 Backup (per user) (BACKUP-M365)")
    );
}

#[test]
fn a_long_list_of_items_stops_at_ten() {
    let mut run = support::demo_run();
    let stale = run
        .findings
        .iter_mut()
        .find(|f| f.kind == "stale_item")
        .unwrap();
    stale.evidence = (0..13)
        .map(|n| EvidenceRow {
            item_key: format!("device-{n:02}"),
            units: Decimal::ONE,
            rows: 1,
            ..EvidenceRow::default()
        })
        .collect();
    let html = html_of(&run);
    assert!(html.contains("device-09"));
    assert!(!html.contains("device-10"));
    assert!(html.contains("and 3 more"));
}

#[test]
fn text_from_the_data_is_escaped() {
    let hostile = "<script>alert(1)</script> & Co";
    let mut run = support::demo_run();
    for finding in run.findings.iter_mut().filter(|f| f.client_id == "CW-1001") {
        finding.client_name = hostile.to_string();
        finding.note = format!("\"{hostile}\"");
    }
    run.findings[1].product_name = hostile.to_string();
    run.currency = "<b>".to_string();
    let html = html_of(&run);
    assert!(!html.contains("<script"));
    assert!(!html.contains("<b>"));
    assert!(html.contains("<h2>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</h2>"));
    assert!(html.contains("&quot;&lt;script&gt;"));
    assert_balanced(&html);
}

#[test]
fn an_empty_run_is_a_whole_document_that_says_so() {
    let html = html_of(&ReportRun::default());
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    assert!(html.ends_with("</body></html>"));
    assert!(html.contains("No findings: billing matches usage everywhere."));
    assert_eq!(sections(&html).len(), 1);
    assert!(html.contains("<td>not stored</td>"));
    assert_balanced(&html);
}

#[test]
fn a_statement_is_for_one_client_without_a_ranking() {
    let run = support::demo_run().for_client("Alder & Finch LLP").unwrap();
    let html = html_of(&run);
    let pages = sections(&html);
    assert!(pages[0].contains("<h1>Statement for Alder &amp; Finch LLP</h1>"));
    assert!(!html.contains("Top clients"));
    // Its totals are its own: $44.00 overbilled a month.
    assert!(pages[0].contains("$44.00"));
    assert!(pages[0].contains("$528.00"));
    // Its page, then its unmapped SKU.
    assert_eq!(pages.len(), 3);
    assert!(pages[2].contains("Microsoft_365_Copilot"));
}

#[test]
fn money_uses_the_runs_currency() {
    let mut run = support::demo_run();
    run.currency = "EUR".to_string();
    assert!(html_of(&run).contains("€2,772.00"));
    run.currency = "CHF".to_string();
    assert!(html_of(&run).contains("CHF 2,772.00"));
    run.findings = vec![ReportFinding {
        kind: "overbilled".to_string(),
        client_id: "C1".to_string(),
        client_name: "Big".to_string(),
        impact: Decimal::new(-123456789, 2),
        money_at_stake: Decimal::new(123456789, 2),
        ..ReportFinding::default()
    }];
    assert!(html_of(&run).contains(">-CHF 1,234,567.89</td>"));
}

#[test]
fn extreme_values_do_not_break_the_report() {
    let run = ReportRun {
        currency: "USD".to_string(),
        findings: vec![
            ReportFinding {
                kind: "underbilled".to_string(),
                client_id: "C1".to_string(),
                impact: Decimal::MAX,
                money_at_stake: Decimal::MAX,
                billed: Some(Decimal::MIN),
                actual: Some(Decimal::MAX),
                ..ReportFinding::default()
            },
            ReportFinding {
                kind: "something_new".to_string(),
                client_id: "C1".to_string(),
                money_at_stake: Decimal::MAX,
                state: "snoozed".to_string(),
                ..ReportFinding::default()
            },
        ],
        ..ReportRun::default()
    };
    let html = html_of(&run);
    assert!(html.contains("$79,228,162,514,264,337,593,543,950,335.00"));
    assert!(html.contains("<td>something_new</td>"));
    assert!(html.contains("<td>snoozed</td>"));
    assert_balanced(&html);
}

#[test]
fn the_demo_report_snapshot() {
    let html = html_of(&support::demo_run());
    // One tag a line, for a readable diff; the document itself is unchanged.
    insta::assert_snapshot!(html.replace("><", ">\n<"));
}

/// Writes the demo report for a look in a browser or a PDF printer (not
/// a test; run by hand): `RECKON_HTML_CHECK_DIR=DIR cargo test -p
/// reckon-report --test html -- --ignored`.
#[test]
#[ignore = "writes files for a visual check"]
fn write_the_demo_report_for_a_visual_check() {
    let dir = std::path::PathBuf::from(
        std::env::var_os("RECKON_HTML_CHECK_DIR").expect("RECKON_HTML_CHECK_DIR names a folder"),
    );
    std::fs::create_dir_all(&dir).unwrap();
    let run = support::demo_run();
    std::fs::write(dir.join("demo.html"), html_of(&run)).unwrap();
    let statement = run.for_client("Contoso Dental").unwrap();
    std::fs::write(dir.join("statement.html"), html_of(&statement)).unwrap();
    std::fs::write(dir.join("empty.html"), html_of(&ReportRun::default())).unwrap();
    // Long tables, to see rows kept whole and headers repeated across pages.
    let mut long = run.clone();
    let template = long.findings[0].clone();
    for n in 0..45 {
        let mut finding = template.clone();
        finding.product_name = format!("Product number {n} with a fairly long name");
        finding.note =
            "a note long enough to wrap over two or three lines of its narrow column".repeat(n % 3);
        long.findings.push(finding);
    }
    std::fs::write(dir.join("long.html"), html_of(&long)).unwrap();
}
