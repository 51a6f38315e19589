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

#[test]
fn unmapped_references_are_in_the_totals_but_no_client_row() {
    let run = support::demo_run();
    let totals = run.totals();
    assert!(totals.per_client.iter().all(|c| !c.client_id.is_empty()));
    let with_client: u64 = totals.per_client.iter().map(|c| c.findings).sum();
    let without = run
        .findings
        .iter()
        .filter(|f| f.client_id.is_empty())
        .count() as u64;
    assert!(without > 0, "the demo has an unmapped client reference");
    assert_eq!(with_client + without, run.findings.len() as u64);
}

#[test]
fn a_statement_keeps_other_clients_evidence_out_and_names_can_be_ambiguous() {
    let mut run = support::demo_run();
    let cross = run
        .findings
        .iter()
        .find(|f| f.kind == "cross_client_item")
        .expect("the demo has a device under two clients")
        .clone();
    let other_clients: Vec<&str> = cross
        .evidence
        .iter()
        .map(|e| e.client_id.as_str())
        .filter(|id| !id.is_empty() && *id != cross.client_id)
        .collect();
    assert!(
        !other_clients.is_empty(),
        "its evidence names the other client"
    );
    let statement = run.for_client(&cross.client_id).expect("a statement");
    for finding in &statement.findings {
        assert!(
            finding
                .evidence
                .iter()
                .all(|e| e.client_id.is_empty() || e.client_id == cross.client_id)
        );
    }
    // Two PSA clients with one name.
    let mut twin = run.findings[0].clone();
    twin.client_id = "CW-9999".to_string();
    run.findings.push(twin);
    assert_eq!(run.clients_matching("Contoso Dental").len(), 2);
    assert_eq!(run.clients_matching("CW-9999").len(), 1);
}

#[test]
fn changes_take_effect_the_month_after_the_run() {
    let stored = support::demo_run();
    assert_eq!(stored.default_effective_date().unwrap(), "2026-11-01");
    let live = ReportRun {
        as_of: "2026-12-31T00:00:00Z".to_string(),
        ..ReportRun::default()
    };
    assert_eq!(live.default_effective_date().unwrap(), "2027-01-01");
    let broken = ReportRun {
        as_of: "soon".to_string(),
        ..ReportRun::default()
    };
    assert!(broken.default_effective_date().is_err());
}
