//! Proposed PSA adjustments: which findings, how a pair's change spreads
//! over its lines, the money invariant, and each PSA shape.
// The fixture builders take every field positionally so a case reads as one row.
#![allow(clippy::unwrap_used, clippy::too_many_arguments)]

mod support;

use std::str::FromStr;

use reckon_report::adjustments::{
    Adjustment, GENERIC_CSV_COLUMNS, Proposal, PsaShape, Selection, propose, write_adjustments_csv,
};
use reckon_report::model::{BilledRow, LineInfo, ReportFinding, ReportRun};
use rust_decimal::Decimal;

const DATE: &str = "2026-11-01";

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// A pair finding marked for action; `lines` are (line id, quantity) at
/// the finding's price.
fn pair(
    id: &str,
    kind: &str,
    client_id: &str,
    product_id: &str,
    billed: &str,
    actual: &str,
    price: &str,
    lines: &[(&str, &str)],
) -> ReportFinding {
    let (billed, actual, price) = (dec(billed), dec(actual), dec(price));
    ReportFinding {
        id: id.to_string(),
        kind: kind.to_string(),
        client_id: client_id.to_string(),
        client_name: format!("Client {client_id}"),
        product_id: product_id.to_string(),
        product_name: format!("Product {product_id}"),
        billed: Some(billed),
        actual: Some(actual),
        diff: Some(actual - billed),
        unit_price: Some(price),
        impact: (actual - billed) * price,
        state: "open".to_string(),
        for_action: true,
        billing_lines: lines
            .iter()
            .map(|(line_id, quantity)| BilledRow {
                line_id: line_id.to_string(),
                quantity: dec(quantity),
                unit_price: price,
            })
            .collect(),
        ..ReportFinding::default()
    }
}

/// A ConnectWise addition as the run read it.
fn line(
    line_id: &str,
    client_id: &str,
    agreement: &str,
    agreement_id: &str,
    product_id: &str,
    quantity: &str,
    price: &str,
    included: &str,
) -> LineInfo {
    LineInfo {
        line_id: line_id.to_string(),
        client_id: client_id.to_string(),
        client_name: format!("Client {client_id}"),
        product_id: product_id.to_string(),
        product_name: format!("{product_id} (PSA name)"),
        quantity: dec(quantity),
        unit_price: dec(price),
        agreement: agreement.to_string(),
        agreement_id: agreement_id.to_string(),
        included: dec(included),
        profile: "connectwise".to_string(),
        ..LineInfo::default()
    }
}

/// Lines of client C1 on one agreement, one per (id, quantity).
fn lines_of(lines: &[(&str, &str)]) -> Vec<LineInfo> {
    lines
        .iter()
        .map(|(id, quantity)| line(id, "C1", "Managed", "11", "P", quantity, "10", "0"))
        .collect()
}

/// (line id, current, proposed) of each adjustment.
fn changes(proposal: &Proposal) -> Vec<(String, String, String)> {
    proposal
        .adjustments
        .iter()
        .map(|a| {
            (
                a.line_id.clone().unwrap_or_else(|| "new".to_string()),
                a.current_quantity.normalize().to_string(),
                a.proposed_quantity.normalize().to_string(),
            )
        })
        .collect()
}

/// One pair over `lines` billed at 10 each: the changed lines, and the
/// money invariant.
fn check(kind: &str, lines: &[(&str, &str)], actual: &str, expect: &[(&str, &str, &str)]) {
    let billed: Decimal = lines.iter().map(|(_, q)| dec(q)).sum();
    let finding = pair(
        "f1",
        kind,
        "C1",
        "P",
        &billed.to_string(),
        actual,
        "10",
        lines,
    );
    let run = ReportRun {
        lines: lines_of(lines),
        findings: vec![finding.clone()],
        ..ReportRun::default()
    };
    let proposal = propose(&run, Selection::MarkedForAction, DATE);
    let expect: Vec<(String, String, String)> = expect
        .iter()
        .map(|(id, current, proposed)| (id.to_string(), current.to_string(), proposed.to_string()))
        .collect();
    assert_eq!(changes(&proposal), expect, "{kind} {lines:?} -> {actual}");
    assert_eq!(
        proposal.monthly_effect(),
        finding.impact,
        "{kind} {lines:?}"
    );
}

#[test]
fn a_pair_change_spreads_over_its_lines() {
    // One line takes the whole change, up or down.
    check(
        "underbilled",
        &[("48224", "38")],
        "42",
        &[("48224", "38", "42")],
    );
    check(
        "overbilled",
        &[("48476", "12")],
        "9",
        &[("48476", "12", "9")],
    );
    // An increase goes to the largest line; ties to the smallest id.
    check(
        "underbilled",
        &[("101", "10"), ("103", "20"), ("102", "20")],
        "55",
        &[("102", "20", "25")],
    );
    // Ids compare as numbers: 9 before 10.
    check(
        "underbilled",
        &[("10", "5"), ("9", "5")],
        "12",
        &[("9", "5", "7")],
    );
    // A decrease comes off the largest first, never below zero, then the next.
    check(
        "overbilled",
        &[("101", "10"), ("102", "20"), ("103", "5")],
        "8",
        &[("101", "10", "3"), ("102", "20", "0")],
    );
    check(
        "overbilled",
        &[("101", "10"), ("102", "20")],
        "18",
        &[("102", "20", "8")],
    );
    // Fractional quantities (storage per TB) stay exact.
    check(
        "overbilled",
        &[("7", "2.5")],
        "1.75",
        &[("7", "2.5", "1.75")],
    );
    // Billed with no usage: every line to zero.
    check(
        "billed_no_usage",
        &[("201", "2"), ("202", "3")],
        "0",
        &[("201", "2", "0"), ("202", "3", "0")],
    );
}

#[test]
fn an_adjustment_names_its_line_in_the_psa() {
    let mut run = ReportRun {
        findings: vec![pair(
            "f1",
            "underbilled",
            "C1",
            "M365",
            "38",
            "42",
            "22",
            &[("48224", "38")],
        )],
        lines: vec![line(
            "48224",
            "C1",
            "Managed Services",
            "11",
            "M365",
            "38",
            "22",
            "10",
        )],
        ..ReportRun::default()
    };
    run.findings[0].client_name = String::new();
    let proposal = propose(&run, Selection::MarkedForAction, DATE);
    let adjustment = &proposal.adjustments[0];
    assert_eq!(
        adjustment,
        &Adjustment {
            client_id: "C1".to_string(),
            client_name: "Client C1".to_string(),
            agreement: "Managed Services".to_string(),
            agreement_id: "11".to_string(),
            line_id: Some("48224".to_string()),
            product_id: "M365".to_string(),
            product_name: "M365 (PSA name)".to_string(),
            current_quantity: dec("38"),
            proposed_quantity: dec("42"),
            included: dec("10"),
            unit_price: dec("22"),
            profile: "connectwise".to_string(),
            finding_ids: vec!["f1".to_string()],
            kind: "underbilled".to_string(),
            reason: "42 in use, 38 billed".to_string(),
            effective_date: DATE.to_string(),
        }
    );
    // ConnectWise counts the included 10 inside its quantity field.
    assert_eq!(adjustment.psa_quantity(), dec("52"));
    assert_eq!(adjustment.change(), dec("4"));
    assert_eq!(adjustment.monthly_effect(), dec("88"));
}

#[test]
fn usage_not_billed_adds_a_line_on_the_main_agreement() {
    let finding = pair(
        "f9",
        "usage_not_billed",
        "C1",
        "EDR-SRV",
        "0",
        "2",
        "12.00",
        &[],
    );
    let run = ReportRun {
        findings: vec![finding],
        lines: vec![
            line("1", "C1", "Backup", "30", "BK", "1", "5", "0"),
            line("2", "C1", "Managed", "20", "RMM", "1", "5", "0"),
            line("3", "C1", "Managed", "20", "EDR", "1", "5", "0"),
            line("4", "C2", "Other client's", "99", "EDR", "1", "5", "0"),
            line("5", "C2", "Other client's", "99", "RMM", "1", "5", "0"),
            line("6", "C2", "Other client's", "99", "BK", "1", "5", "0"),
        ],
        ..ReportRun::default()
    };
    let proposal = propose(&run, Selection::MarkedForAction, DATE);
    let adjustment = &proposal.adjustments[0];
    assert!(adjustment.is_new_line());
    assert_eq!(
        (
            adjustment.agreement.as_str(),
            adjustment.agreement_id.as_str()
        ),
        ("Managed", "20")
    );
    assert_eq!(adjustment.proposed_quantity, dec("2"));
    assert_eq!(adjustment.unit_price, dec("12.00"));
    assert_eq!(adjustment.monthly_effect(), dec("24"));
    assert_eq!(
        adjustment.reason,
        "2 in use, none billed; a new line at the list price"
    );

    // Equal counts: the first agreement by name.
    let mut tied = run.clone();
    tied.lines.remove(2);
    let proposal = propose(&tied, Selection::MarkedForAction, DATE);
    assert_eq!(proposal.adjustments[0].agreement, "Backup");
}

#[test]
fn usage_not_billed_without_an_agreement_asks_for_one() {
    let run = ReportRun {
        findings: vec![pair(
            "f9",
            "usage_not_billed",
            "C7",
            "EDR",
            "0",
            "3",
            "7",
            &[],
        )],
        lines: vec![line("1", "C1", "Managed", "20", "RMM", "1", "5", "0")],
        ..ReportRun::default()
    };
    let proposal = propose(&run, Selection::MarkedForAction, DATE);
    let adjustment = &proposal.adjustments[0];
    assert_eq!(adjustment.agreement, "");
    assert_eq!(adjustment.agreement_id, "");
    assert!(
        adjustment.reason.ends_with("choose an agreement"),
        "{}",
        adjustment.reason
    );
    // No request can be made for it: every PSA shape lists it as incomplete.
    for shape in [PsaShape::ConnectWise, PsaShape::Autotask, PsaShape::HaloPsa] {
        let json = written(shape, &proposal);
        let document: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            document["requests"].as_array().unwrap().len(),
            0,
            "{shape:?}"
        );
        assert_eq!(
            document["incomplete"].as_array().unwrap().len(),
            1,
            "{shape:?}"
        );
    }
}

#[test]
fn a_line_the_run_did_not_read_still_gets_its_change() {
    let run = ReportRun {
        findings: vec![pair(
            "f1",
            "overbilled",
            "C1",
            "P",
            "5",
            "4",
            "3",
            &[("777", "5")],
        )],
        ..ReportRun::default()
    };
    let proposal = propose(&run, Selection::MarkedForAction, DATE);
    let adjustment = &proposal.adjustments[0];
    assert_eq!(adjustment.line_id.as_deref(), Some("777"));
    assert_eq!(adjustment.agreement_id, "");
    assert_eq!(adjustment.product_name, "Product P");
    assert!(
        adjustment
            .reason
            .contains("line 777 is not among the run's billing lines")
    );
}

/// The finding ids each selection proposes, and the reasons it skips.
fn selected(run: &ReportRun, selection: Selection) -> (Vec<String>, Vec<(String, String)>) {
    let proposal = propose(run, selection, DATE);
    let mut proposed: Vec<String> = proposal
        .adjustments
        .iter()
        .flat_map(|a| a.finding_ids.clone())
        .collect();
    proposed.sort();
    proposed.dedup();
    let skipped = proposal
        .skipped
        .iter()
        .map(|s| (s.finding_id.clone(), s.reason.clone()))
        .collect();
    (proposed, skipped)
}

#[test]
fn only_open_work_is_proposed() {
    let mut marked = pair(
        "marked",
        "underbilled",
        "C1",
        "A",
        "1",
        "2",
        "5",
        &[("1", "1")],
    );
    marked.state = "acknowledged".to_string();
    let mut unmarked = pair(
        "unmarked",
        "overbilled",
        "C1",
        "B",
        "3",
        "2",
        "5",
        &[("2", "3")],
    );
    unmarked.for_action = false;
    let mut ignored = pair(
        "ignored",
        "underbilled",
        "C1",
        "C",
        "1",
        "2",
        "5",
        &[("3", "1")],
    );
    ignored.state = "ignored".to_string();
    let mut resolved = pair(
        "resolved",
        "overbilled",
        "C1",
        "D",
        "3",
        "2",
        "5",
        &[("4", "3")],
    );
    resolved.state = "resolved".to_string();
    resolved.for_action = false;
    let cleanup = ReportFinding {
        id: "cleanup".to_string(),
        kind: "stale_item".to_string(),
        client_id: "C1".to_string(),
        state: "open".to_string(),
        for_action: true,
        ..ReportFinding::default()
    };
    let mut unmarked_item = cleanup.clone();
    unmarked_item.id = "item".to_string();
    unmarked_item.for_action = false;
    let run = ReportRun {
        findings: vec![marked, unmarked, ignored, resolved, cleanup, unmarked_item],
        ..ReportRun::default()
    };
    let s = |id: &str, reason: &str| (id.to_string(), reason.to_string());
    assert_eq!(
        selected(&run, Selection::MarkedForAction),
        (
            vec!["marked".to_string()],
            vec![
                s("ignored", "ignored: never proposed"),
                s("cleanup", "no billing quantity to change: a setup clean-up"),
            ]
        )
    );
    assert_eq!(
        selected(&run, Selection::AllPairFindings),
        (
            vec!["marked".to_string(), "unmarked".to_string()],
            vec![
                s("ignored", "ignored: never proposed"),
                s("resolved", "resolved: nothing left to change"),
                s("cleanup", "no billing quantity to change: a setup clean-up"),
            ]
        )
    );
}

#[test]
fn adjustments_come_by_client_agreement_and_line() {
    let run = ReportRun {
        findings: vec![
            pair(
                "f1",
                "underbilled",
                "C2",
                "A",
                "1",
                "2",
                "1",
                &[("10", "1")],
            ),
            pair("f2", "usage_not_billed", "C1", "B", "0", "1", "1", &[]),
            pair("f3", "underbilled", "C1", "C", "1", "2", "1", &[("9", "1")]),
            pair(
                "f4",
                "underbilled",
                "C1",
                "D",
                "1",
                "2",
                "1",
                &[("100", "1")],
            ),
            pair(
                "f5",
                "underbilled",
                "C1",
                "E",
                "1",
                "2",
                "1",
                &[("50", "1")],
            ),
        ],
        lines: vec![
            line("10", "C2", "Managed", "1", "A", "1", "1", "0"),
            line("9", "C1", "Managed", "2", "C", "1", "1", "0"),
            line("100", "C1", "Managed", "2", "D", "1", "1", "0"),
            line("50", "C1", "Backup", "3", "E", "1", "1", "0"),
        ],
        ..ReportRun::default()
    };
    let order: Vec<String> = propose(&run, Selection::MarkedForAction, DATE)
        .adjustments
        .iter()
        .map(|a| {
            format!(
                "{}/{}/{}",
                a.client_id,
                a.agreement,
                a.line_id.as_deref().unwrap_or("new")
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            "C1/Backup/50",
            "C1/Managed/9",
            "C1/Managed/100",
            "C1/Managed/new",
            "C2/Managed/10"
        ]
    );
}

#[test]
fn the_demo_proposes_what_the_reviewer_marked() {
    let run = support::demo_run();
    let proposal = propose(&run, Selection::MarkedForAction, DATE);
    assert!(proposal.skipped.is_empty());
    assert_eq!(
        changes(&proposal),
        [("48224".to_string(), "38".to_string(), "42".to_string())]
    );
    let adjustment = &proposal.adjustments[0];
    assert_eq!(adjustment.finding_ids, ["f000"]);
    assert_eq!(adjustment.agreement_id, "A-CW-1001");
    assert_eq!(adjustment.monthly_effect(), dec("88.00"));
}

#[test]
fn the_effects_add_up_to_the_proposed_impacts() {
    let run = support::demo_run();
    let proposal = propose(&run, Selection::AllPairFindings, DATE);
    let proposed: Vec<&String> = proposal
        .adjustments
        .iter()
        .flat_map(|a| &a.finding_ids)
        .collect();
    let impacts: Decimal = run
        .findings
        .iter()
        .filter(|f| proposed.contains(&&f.id))
        .map(|f| f.impact)
        .sum();
    assert_eq!(proposal.monthly_effect(), impacts);
    // The ignored f001 is the only pair left out; both new lines are in.
    assert_eq!(proposal.skipped.len(), 1);
    assert_eq!(proposal.skipped[0].finding_id, "f001");
    assert_eq!(
        proposal
            .adjustments
            .iter()
            .filter(|a| a.is_new_line())
            .count(),
        2
    );
    let pairs = run.findings.iter().filter(|f| f.is_pair()).count();
    assert_eq!(proposal.adjustments.len(), pairs - 1);
}

#[test]
fn shapes_follow_the_profile_and_the_cli_names() {
    for (profile, shape) in [
        ("connectwise", PsaShape::ConnectWise),
        ("connectwise_csv", PsaShape::ConnectWise),
        ("autotask", PsaShape::Autotask),
        ("halopsa", PsaShape::HaloPsa),
        ("syncro", PsaShape::Generic),
        ("", PsaShape::Generic),
    ] {
        assert_eq!(PsaShape::for_profile(profile), shape, "{profile}");
    }
    for name in PsaShape::NAMES {
        assert_eq!(PsaShape::parse(name).unwrap().name(), name);
    }
    assert_eq!(PsaShape::parse(" HaloPSA "), Some(PsaShape::HaloPsa));
    assert_eq!(PsaShape::parse("kaseya"), None);
    assert_eq!(PsaShape::Generic.extension(), "csv");
    assert_eq!(PsaShape::Autotask.extension(), "json");
}

#[test]
fn the_csv_is_a_plain_table_that_no_spreadsheet_runs() {
    let mut finding = pair(
        "f1",
        "overbilled",
        "C1",
        "P",
        "3",
        "2",
        "4.50",
        &[("1", "3")],
    );
    finding.client_name = "=HYPERLINK(\"x\")".to_string();
    let run = ReportRun {
        findings: vec![finding],
        lines: vec![line(
            "1",
            "C1",
            "Managed, main",
            "11",
            "P",
            "3",
            "4.50",
            "0",
        )],
        ..ReportRun::default()
    };
    let proposal = propose(&run, Selection::MarkedForAction, DATE);
    let mut bytes = Vec::new();
    write_adjustments_csv(&proposal.adjustments, "USD", &mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], GENERIC_CSV_COLUMNS.join(","));
    assert_eq!(
        rows[1],
        "C1,\"'=HYPERLINK(\"\"x\"\")\",11,\"Managed, main\",1,P,P (PSA name),3,2,2,-1,4.50,-4.50,USD,f1,\
         overbilled,\"2 in use, 3 billed\",2026-11-01"
    );
}

fn written(shape: PsaShape, proposal: &Proposal) -> String {
    let mut bytes = Vec::new();
    shape.write(proposal, "USD", &mut bytes).unwrap();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn json_numbers_are_exact() {
    let run = ReportRun {
        findings: vec![pair(
            "f1",
            "overbilled",
            "C1",
            "STOR-TB",
            "2.5",
            "1.75",
            "0.10",
            &[("48", "2.5")],
        )],
        lines: vec![line(
            "48", "C1", "Managed", "11", "STOR-TB", "2.5", "0.10", "0.5",
        )],
        ..ReportRun::default()
    };
    let proposal = propose(&run, Selection::MarkedForAction, DATE);
    let cw = written(PsaShape::ConnectWise, &proposal);
    assert!(cw.contains("\"value\": 2.25"), "{cw}");
    assert!(cw.contains("\"monthly_effect\": -0.08"), "{cw}");
    let autotask = written(PsaShape::Autotask, &proposal);
    assert!(autotask.contains("\"unitChange\": -0.75"), "{autotask}");
    let halo = written(PsaShape::HaloPsa, &proposal);
    assert!(halo.contains("\"qty_order\": 2.25"), "{halo}");
    assert!(halo.contains("\"unit_price\": 0.1"), "{halo}");
}

/// A small ConnectWise run: a change on a line with included units, a
/// decrease over two lines, a line to end, a new line on the client's
/// agreement and one with no agreement to put it on.
fn connectwise_run() -> ReportRun {
    let mut cleanup = ReportFinding {
        id: "f6".to_string(),
        kind: "duplicate_item".to_string(),
        client_id: "250".to_string(),
        client_name: "Client 250".to_string(),
        state: "open".to_string(),
        for_action: true,
        ..ReportFinding::default()
    };
    cleanup.product_id = "RMM-WS".to_string();
    ReportRun {
        currency: "USD".to_string(),
        findings: vec![
            pair(
                "f1",
                "underbilled",
                "250",
                "M365-BP",
                "38",
                "42",
                "22.00",
                &[("48224", "38")],
            ),
            pair(
                "f2",
                "overbilled",
                "250",
                "RMM-WS",
                "30",
                "24",
                "8.00",
                &[("48264", "20"), ("48265", "10")],
            ),
            pair(
                "f3",
                "billed_no_usage",
                "301",
                "EXO-P1",
                "2",
                "0",
                "4.00",
                &[("49072", "2")],
            ),
            pair(
                "f4",
                "usage_not_billed",
                "250",
                "EDR-SRV",
                "0",
                "2",
                "12.00",
                &[],
            ),
            pair(
                "f5",
                "usage_not_billed",
                "412",
                "BACKUP-M365",
                "0",
                "14",
                "3.50",
                &[],
            ),
            cleanup,
        ],
        lines: vec![
            line(
                "48224",
                "250",
                "Managed Services",
                "1201",
                "M365-BP",
                "38",
                "22.00",
                "5",
            ),
            line(
                "48264",
                "250",
                "Managed Services",
                "1201",
                "RMM-WS",
                "20",
                "8.00",
                "0",
            ),
            line(
                "48265", "250", "Servers", "1202", "RMM-WS", "10", "8.00", "0",
            ),
            line("49072", "301", "Email", "1300", "EXO-P1", "2", "4.00", "0"),
        ],
        ..ReportRun::default()
    }
}

#[test]
fn each_psa_shape_of_a_connectwise_run() {
    let run = connectwise_run();
    let proposal = propose(&run, Selection::MarkedForAction, DATE);
    let impacts: Decimal = run.findings.iter().map(|f| f.impact).sum();
    assert_eq!(proposal.monthly_effect(), impacts);
    assert_eq!(proposal.skipped.len(), 1);
    assert_eq!(
        PsaShape::for_profile(&proposal.adjustments[0].profile),
        PsaShape::ConnectWise
    );
    let mut csv = Vec::new();
    write_adjustments_csv(&proposal.adjustments, &run.currency, &mut csv).unwrap();
    insta::assert_snapshot!("generic_csv", String::from_utf8(csv).unwrap());
    insta::assert_snapshot!("connectwise", written(PsaShape::ConnectWise, &proposal));
    insta::assert_snapshot!("autotask", written(PsaShape::Autotask, &proposal));
    insta::assert_snapshot!("halopsa", written(PsaShape::HaloPsa, &proposal));
}

/// Every field name a request body carries, dotted for nesting.
fn body_fields(document: &str) -> std::collections::BTreeSet<String> {
    fn walk(value: &serde_json::Value, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, inner) in map {
                    out.insert(format!("{prefix}{key}"));
                    walk(inner, &format!("{prefix}{key}."), out);
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(item, prefix, out);
                }
            }
            _ => {}
        }
    }
    let document: serde_json::Value = serde_json::from_str(document).unwrap();
    let mut fields = std::collections::BTreeSet::new();
    for request in document["requests"].as_array().unwrap() {
        walk(&request["body"], "", &mut fields);
    }
    fields
}

/// The names each PSA documents (../shared/FORMATS.md: ConnectWise
/// `finance/agreements/{id}/additions`; Autotask `ContractServices` and
/// `ContractServiceAdjustments`; HaloPSA recurring invoice lines as the
/// halopsa profile reads them), plus JSON Patch's own `op`, `path`, `value`.
#[test]
fn every_field_a_psa_shape_writes_is_one_the_psa_documents() {
    let proposal = propose(&connectwise_run(), Selection::AllPairFindings, DATE);
    let allowed: [(PsaShape, &[&str]); 3] = [
        (
            PsaShape::ConnectWise,
            &[
                "op",
                "path",
                "value",
                "product",
                "product.identifier",
                "quantity",
                "unitPrice",
                "billCustomer",
                "effectiveDate",
                "cancelledDate",
                "description",
                "invoiceDescription",
            ],
        ),
        (
            PsaShape::Autotask,
            &[
                "contractID",
                "contractServiceID",
                "serviceID",
                "effectiveDate",
                "unitChange",
                "adjustedUnitPrice",
                "unitPrice",
            ],
        ),
        (
            PsaShape::HaloPsa,
            &[
                "id",
                "lines",
                "lines.id",
                "lines.ihid",
                "lines.item_id",
                "lines.item_code",
                "lines.item_shortdescription",
                "lines.qty_order",
                "lines.unit_price",
            ],
        ),
    ];
    for (shape, names) in allowed {
        let fields = body_fields(&written(shape, &proposal));
        assert!(!fields.is_empty(), "{shape:?} wrote no request");
        let unknown: Vec<&String> = fields
            .iter()
            .filter(|field| !names.contains(&field.as_str()))
            .collect();
        assert!(unknown.is_empty(), "{shape:?} writes {unknown:?}");
    }
    // The ConnectWise quantity patch addresses the documented field.
    let connectwise: serde_json::Value =
        serde_json::from_str(&written(PsaShape::ConnectWise, &proposal)).unwrap();
    let patch_paths: Vec<&str> = connectwise["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "PATCH")
        .flat_map(|r| r["body"].as_array().unwrap().iter())
        .map(|op| op["path"].as_str().unwrap())
        .collect();
    assert!(!patch_paths.is_empty());
    assert!(patch_paths.iter().all(|path| *path == "/quantity"));
}
