//! CSV and JSON exports of the demo run: their totals agree with the
//! model's to the cent, and every finding and evidence row is there.
mod support;

use std::str::FromStr;

use reckon_report::{FINDING_COLUMNS, write_evidence_csv, write_findings_csv, write_report_json};
use rust_decimal::Decimal;

fn money(text: &str) -> Decimal {
    Decimal::from_str(text).expect("money")
}

#[test]
fn findings_csv_totals_agree_with_the_model() {
    let run = support::demo_run();
    let mut out = Vec::new();
    write_findings_csv(&run, &mut out).unwrap();
    let mut reader = csv::Reader::from_reader(&out[..]);
    assert_eq!(reader.headers().unwrap(), FINDING_COLUMNS.as_slice());
    let impact_at = FINDING_COLUMNS
        .iter()
        .position(|c| *c == "monthly_impact")
        .unwrap();
    let state_at = FINDING_COLUMNS.iter().position(|c| *c == "state").unwrap();
    let action_at = FINDING_COLUMNS
        .iter()
        .position(|c| *c == "for_action")
        .unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), run.findings.len());
    let impacts: Vec<Decimal> = rows.iter().map(|r| money(&r[impact_at])).collect();
    let under: Decimal = impacts.iter().filter(|d| d.is_sign_positive()).sum();
    let over: Decimal = -impacts
        .iter()
        .filter(|d| d.is_sign_negative())
        .sum::<Decimal>();
    let totals = run.totals();
    assert_eq!(under, totals.underbilled_per_month);
    assert_eq!(over, totals.overbilled_per_month);
    assert_eq!(&rows[0][state_at], "acknowledged");
    assert_eq!(&rows[0][action_at], "yes");
    assert_eq!(&rows[0][impact_at], "88.00");
}

#[test]
fn evidence_csv_has_every_item_and_billing_line() {
    let run = support::demo_run();
    let mut out = Vec::new();
    write_evidence_csv(&run, &mut out).unwrap();
    let rows = csv::Reader::from_reader(&out[..]).records().count();
    let expected: usize = run
        .findings
        .iter()
        .map(|f| f.evidence.len() + f.billing_lines.len())
        .sum();
    assert_eq!(rows, expected);
    assert!(expected > 100, "the demo's evidence is real: {expected}");
}

#[test]
fn json_report_totals_agree_with_the_csv() {
    let run = support::demo_run();
    let mut out = Vec::new();
    write_report_json(&run, &mut out).unwrap();
    let document: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(document["schema"], "reckon.report/1");
    assert_eq!(document["totals"]["underbilled_per_month"], "231.00");
    assert_eq!(document["totals"]["overbilled_per_month"], "171.50");
    assert_eq!(document["totals"]["underbilled_per_year"], "2772.00");
    assert_eq!(document["totals"]["net_per_month"], "59.50");
    let findings = document["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 26);
    let sum: Decimal = findings
        .iter()
        .map(|f| money(f["monthly_impact"].as_str().unwrap()))
        .filter(|d| d.is_sign_positive())
        .sum();
    assert_eq!(sum, money("231.00"));
    let clients_under: Decimal = document["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| money(c["underbilled_per_month"].as_str().unwrap()))
        .sum();
    assert_eq!(clients_under, money("231.00"));
    assert_eq!(findings[0]["for_action"], true);
    assert!(findings[0]["evidence"].as_array().unwrap().len() >= 42);
}

#[test]
fn an_empty_run_is_still_a_whole_document() {
    let run = reckon_report::model::ReportRun::default();
    let mut out = Vec::new();
    write_report_json(&run, &mut out).expect("written");
    let document: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    assert_eq!(document["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(document["totals"]["underbilled_per_month"], "0.00");
}
