mod support;

use reckon_report::model::ReportRun;
use rust_decimal::Decimal;

#[test]
fn the_demo_totals_match_what_the_engine_reported() {
    let run = support::demo_run();
    let totals = run.totals();
    // findings.json's own totals for the demo.
    assert_eq!(totals.underbilled_per_month, Decimal::new(23100, 2));
    assert_eq!(totals.overbilled_per_month, Decimal::new(17150, 2));
    assert_eq!(run.findings.len(), 26);
    assert_eq!(totals.by_kind["underbilled"], 5);
    let per_client: Decimal = totals.per_client.iter().map(|c| c.underbilled).sum();
    assert_eq!(per_client, totals.underbilled_per_month);
}

#[test]
fn a_client_statement_keeps_its_lines() {
    let run = support::demo_run();
    let contoso = run.for_client("contoso dental").unwrap();
    assert!(contoso.findings.iter().all(|f| f.client_id == "CW-1001"));
    assert!(!contoso.lines.is_empty());
    assert!(run.for_client("Nobody Inc").is_none());
}

#[test]
fn a_broken_document_is_an_error() {
    assert!(ReportRun::from_findings_json("{}").is_err());
    assert!(ReportRun::from_findings_json("not json").is_err());
}
