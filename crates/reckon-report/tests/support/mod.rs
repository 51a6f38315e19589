//! The demo run as a report model, for the format tests: the demo's
//! findings.json and billing.csv (`reckon demo --out DIR`), with a few
//! review states set so every format has something to show.
#![allow(dead_code, clippy::unwrap_used)]

use std::str::FromStr;

use reckon_report::model::{LineInfo, ReportRun};
use rust_decimal::Decimal;

pub fn demo_run() -> ReportRun {
    let json = include_str!("../data/demo_findings.json");
    let mut run = ReportRun::from_findings_json(json).unwrap();
    run.run_id = Some(7);
    run.period = "2026-10".to_string();
    run.currency = "USD".to_string();
    run.generated_at = "2026-11-01T09:00:00Z".to_string();
    for (index, finding) in run.findings.iter_mut().enumerate() {
        finding.id = format!("f{index:03}");
    }
    // A reviewer's work: one acknowledged and marked for action, one
    // ignored with a note, one assigned.
    run.findings[0].state = "acknowledged".to_string();
    run.findings[0].for_action = true;
    run.findings[0].assignee = "dana".to_string();
    run.findings[0].note = "Client confirmed 4 new hires in October".to_string();
    run.findings[1].state = "ignored".to_string();
    run.findings[1].note = "Trial seats, ends 30 Nov".to_string();
    run.findings[2].assignee = "lee".to_string();
    let billing = include_str!("../data/demo_billing.csv");
    for line in billing.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        run.lines.push(LineInfo {
            line_id: cells[0].to_string(),
            client_id: cells[1].to_string(),
            client_name: cells[2].to_string(),
            product_id: cells[3].to_string(),
            quantity: Decimal::from_str(cells[4]).unwrap(),
            unit_price: Decimal::from_str(cells[5]).unwrap(),
            agreement: "Managed Services".to_string(),
            agreement_id: format!("A-{}", cells[1]),
            ..LineInfo::default()
        });
    }
    run
}
