//! The XLSX workbook, read back with calamine: what a spreadsheet program
//! (or a script) finds in each sheet.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};
use reckon_report::model::{ReportRun, SuggestionRow};
use reckon_report::write_xlsx;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

struct Book(Xlsx<Cursor<Vec<u8>>>);

impl Book {
    fn of(run: &ReportRun) -> Book {
        let bytes = write_xlsx(run).unwrap();
        Book(Xlsx::new(Cursor::new(bytes)).unwrap())
    }

    fn names(&self) -> Vec<String> {
        self.0.sheet_names()
    }

    fn values(&mut self, sheet: &str) -> Range<Data> {
        self.0.worksheet_range(sheet).unwrap()
    }

    fn formulas(&mut self, sheet: &str) -> Range<String> {
        self.0.worksheet_formula(sheet).unwrap()
    }
}

/// Row `row` (0-based, absolute) as cells, `width` wide.
fn row(range: &Range<Data>, row: u32, width: u32) -> Vec<Data> {
    (0..width)
        .map(|col| range.get_value((row, col)).cloned().unwrap_or(Data::Empty))
        .collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(text) => text.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, found {other:?}"),
    }
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(value) => *value,
        Data::Int(value) => *value as f64,
        other => panic!("expected a number, found {other:?}"),
    }
}

fn cents(cell: &Data) -> Decimal {
    Decimal::from_f64(number(cell)).unwrap().round_dp(2)
}

/// The absolute row whose first cell reads `label`, searching from `from`.
fn find_row(range: &Range<Data>, label: &str, from: u32) -> u32 {
    let (_, (last_row, _)) = (range.start().unwrap(), range.end().unwrap());
    (from..=last_row)
        .find(|&r| range.get_value((r, 0)) == Some(&Data::String(label.to_string())))
        .unwrap_or_else(|| panic!("no row labelled {label}"))
}

fn formula_at(formulas: &Range<String>, position: (u32, u32)) -> String {
    formulas.get_value(position).cloned().unwrap_or_default()
}

fn data_rows(range: &Range<Data>) -> u32 {
    range.end().map_or(0, |(last, _)| last)
}

#[test]
fn the_workbook_has_its_four_sheets_with_headers() {
    let mut book = Book::of(&support::demo_run());
    assert_eq!(
        book.names(),
        ["Summary", "Findings", "Evidence", "Mapping issues"]
    );
    let findings = book.values("Findings");
    let header: Vec<String> = row(&findings, 0, 22).iter().map(text).collect();
    assert_eq!(
        header,
        [
            "ID",
            "Kind",
            "Client ID",
            "Client",
            "Product ID",
            "Product",
            "Source",
            "Key",
            "Billed",
            "Actual",
            "Difference",
            "Unit price",
            "Monthly impact",
            "Annual impact",
            "Money at stake",
            "Cause",
            "Priority",
            "Review state",
            "Assignee",
            "Marked for action",
            "Note",
            "Explanation",
        ]
    );
    let evidence = book.values("Evidence");
    let header: Vec<String> = row(&evidence, 0, 16).iter().map(text).collect();
    assert_eq!(
        header,
        [
            "Finding ID",
            "Kind",
            "Client",
            "Product",
            "Side",
            "Source",
            "SKU",
            "SKU name",
            "State",
            "Status",
            "Basis",
            "Item",
            "Last seen (UTC)",
            "Units",
            "Rows",
            "Unit price",
        ]
    );
    let mapping = book.values("Mapping issues");
    let header: Vec<String> = row(&mapping, 0, 12).iter().map(text).collect();
    assert_eq!(
        header,
        [
            "ID",
            "Kind",
            "Source",
            "External reference",
            "External name",
            "Rows",
            "Money at stake",
            "Suggested ID",
            "Suggested name",
            "Score",
            "Reason",
            "Other suggestions",
        ]
    );
}

#[test]
fn a_finding_row_keeps_its_values_and_types() {
    let run = support::demo_run();
    let mut book = Book::of(&run);
    let findings = book.values("Findings");
    assert_eq!(data_rows(&findings), 26);

    let first = row(&findings, 1, 22);
    assert_eq!(text(&first[0]), "f000");
    assert_eq!(text(&first[1]), "underbilled");
    assert_eq!(text(&first[2]), "CW-1001");
    assert_eq!(text(&first[3]), "Contoso Dental");
    assert_eq!(text(&first[4]), "M365-BP");
    assert_eq!(first[8], Data::Float(38.0), "billed is a number");
    assert_eq!(first[9], Data::Float(42.0));
    assert_eq!(first[10], Data::Float(4.0));
    assert_eq!(first[11], Data::Float(22.0));
    assert_eq!(first[12], Data::Float(88.0));
    assert_eq!(first[13], Data::Float(1056.0));
    assert_eq!(first[14], Data::Float(88.0));
    assert_eq!(text(&first[15]), "billing_issue");
    assert_eq!(text(&first[16]), "high");
    assert_eq!(text(&first[17]), "acknowledged");
    assert_eq!(text(&first[18]), "dana");
    assert_eq!(text(&first[19]), "Yes");
    assert_eq!(text(&first[20]), "Client confirmed 4 new hires in October");
    assert!(text(&first[21]).starts_with("42 in use, 38 billed"));

    // An overbilled finding: a negative impact stays negative.
    let second = row(&findings, 2, 22);
    assert_eq!(text(&second[17]), "ignored");
    assert_eq!(second[12], Data::Float(-45.0));
    assert_eq!(second[14], Data::Float(45.0));
    assert_eq!(second[19], Data::Empty, "not marked: blank");

    // An item finding has no billed or actual quantity: blank, not zero.
    let item_row = (1..=26)
        .find(|&r| text(&row(&findings, r, 2)[1]) == "cross_client_item")
        .unwrap();
    let item = row(&findings, item_row, 22);
    assert_eq!(item[8], Data::Empty);
    assert_eq!(item[11], Data::Empty);
    assert_eq!(text(&item[7]), "5dmf4p4");
}

#[test]
fn the_summary_caches_the_exact_totals_behind_its_formulas() {
    let run = support::demo_run();
    let totals = run.totals();
    let mut book = Book::of(&run);
    let summary = book.values("Summary");
    let formulas = book.formulas("Summary");
    assert_eq!(text(&row(&summary, 0, 1)[0]), "reckon reconciliation");

    let period = find_row(&summary, "Period", 0);
    assert_eq!(text(&row(&summary, period, 2)[1]), "2026-10");
    let as_of = find_row(&summary, "As of", 0);
    assert!(matches!(row(&summary, as_of, 2)[1], Data::DateTime(_)));
    let run_id = find_row(&summary, "Run ID", 0);
    assert_eq!(text(&row(&summary, run_id, 2)[1]), "7");
    let currency = find_row(&summary, "Currency", 0);
    assert_eq!(text(&row(&summary, currency, 2)[1]), "USD");

    let under = find_row(&summary, "Underbilled (revenue not billed)", 0);
    let over = find_row(&summary, "Overbilled (billed, not in use)", 0);
    let net = find_row(&summary, "Net (underbilled - overbilled)", 0);
    let under_cells = row(&summary, under, 3);
    let over_cells = row(&summary, over, 3);
    let net_cells = row(&summary, net, 3);
    assert_eq!(cents(&under_cells[1]), totals.underbilled_per_month);
    assert_eq!(cents(&under_cells[1]), Decimal::new(23100, 2));
    assert_eq!(cents(&over_cells[1]), totals.overbilled_per_month);
    assert_eq!(cents(&over_cells[1]), Decimal::new(17150, 2));
    assert_eq!(cents(&under_cells[2]), totals.underbilled_per_year());
    assert_eq!(cents(&over_cells[2]), totals.overbilled_per_year());
    assert_eq!(cents(&net_cells[1]), Decimal::new(5950, 2));
    assert_eq!(cents(&net_cells[2]), Decimal::new(71400, 2));

    assert_eq!(
        formula_at(&formulas, (under, 1)),
        "SUMIF(Findings!M:M,\">0\")"
    );
    assert_eq!(
        formula_at(&formulas, (over, 1)),
        "-(SUMIF(Findings!M:M,\"<0\"))"
    );
    assert_eq!(
        formula_at(&formulas, (under, 2)),
        format!("B{}*12", under + 1)
    );
    assert_eq!(
        formula_at(&formulas, (net, 1)),
        format!("B{}-B{}", under + 1, over + 1)
    );

    let by_kind = find_row(&summary, "Findings by kind", 0);
    for (kind, count) in &totals.by_kind {
        let at = find_row(&summary, kind, by_kind);
        assert_eq!(number(&row(&summary, at, 2)[1]), *count as f64, "{kind}");
        assert_eq!(
            formula_at(&formulas, (at, 1)),
            format!("COUNTIF(Findings!B:B,\"{kind}\")")
        );
    }
    let all = find_row(&summary, "All findings", by_kind);
    assert_eq!(number(&row(&summary, all, 2)[1]), 26.0);

    let by_state = find_row(&summary, "Findings by review state", 0);
    for (state, count) in &totals.by_state {
        let at = find_row(&summary, state, by_state);
        assert_eq!(number(&row(&summary, at, 2)[1]), *count as f64, "{state}");
        assert_eq!(
            formula_at(&formulas, (at, 1)),
            format!("COUNTIF(Findings!R:R,\"{state}\")")
        );
    }
}

#[test]
fn the_summary_lists_clients_by_money_at_stake() {
    let run = support::demo_run();
    let totals = run.totals();
    let mut book = Book::of(&run);
    let summary = book.values("Summary");
    let header = find_row(&summary, "Client ID", 0);
    assert_eq!(
        row(&summary, header, 7)
            .iter()
            .map(text)
            .collect::<Vec<_>>(),
        [
            "Client ID",
            "Client",
            "Findings",
            "Underbilled / month",
            "Overbilled / month",
            "Net / month",
            "Money at stake",
        ]
    );
    let clients: Vec<Vec<Data>> = (header + 1..=data_rows(&summary))
        .map(|r| row(&summary, r, 7))
        .collect();
    assert_eq!(clients.len(), totals.per_client.len());
    let at_stake: Vec<Decimal> = clients.iter().map(|c| cents(&c[6])).collect();
    assert!(at_stake.windows(2).all(|pair| pair[0] >= pair[1]));
    // Every client's money agrees with run.totals().
    let mut under_sum = Decimal::ZERO;
    for cells in &clients {
        let client = totals
            .per_client
            .iter()
            .find(|c| c.client_id == text(&cells[0]) && c.client_name == text(&cells[1]))
            .unwrap();
        assert_eq!(number(&cells[2]), client.findings as f64);
        assert_eq!(cents(&cells[3]), client.underbilled);
        assert_eq!(cents(&cells[4]), client.overbilled);
        assert_eq!(cents(&cells[5]), client.underbilled - client.overbilled);
        under_sum += cents(&cells[3]);
    }
    assert_eq!(under_sum, totals.underbilled_per_month);
}

#[test]
fn evidence_has_a_row_per_item_and_per_billing_line() {
    let run = support::demo_run();
    let mut book = Book::of(&run);
    let evidence = book.values("Evidence");
    let items: usize = run.findings.iter().map(|f| f.evidence.len()).sum();
    let lines: usize = run.findings.iter().map(|f| f.billing_lines.len()).sum();
    let rows: Vec<Vec<Data>> = (1..=data_rows(&evidence))
        .map(|r| row(&evidence, r, 16))
        .collect();
    let usage: Vec<&Vec<Data>> = rows.iter().filter(|r| text(&r[4]) == "usage").collect();
    let billing: Vec<&Vec<Data>> = rows.iter().filter(|r| text(&r[4]) == "billing").collect();
    assert_eq!(usage.len(), items);
    assert_eq!(billing.len(), lines);
    assert_eq!(rows.len(), items + lines);

    let source_rows: u64 = run
        .findings
        .iter()
        .flat_map(|f| &f.evidence)
        .map(|e| e.rows)
        .sum();
    let sheet_rows: f64 = usage.iter().map(|r| number(&r[14])).sum();
    assert_eq!(sheet_rows, source_rows as f64);

    // The first item of the first finding, as typed cells.
    let first = usage[0];
    assert_eq!(text(&first[0]), "f000");
    assert_eq!(text(&first[2]), "Contoso Dental");
    assert_eq!(text(&first[5]), "m365");
    assert_eq!(text(&first[6]), "SPB");
    assert_eq!(text(&first[8]), "counted");
    assert_eq!(text(&first[11]), "aaron.clark@contosodental.com");
    match &first[12] {
        Data::DateTime(time) => {
            assert!(time.is_datetime());
            // 2026-10-23T12:10:39Z as an Excel serial number.
            assert!((time.as_f64() - 46318.507396).abs() < 1e-5, "{time:?}");
        }
        other => panic!("last seen should be a date cell: {other:?}"),
    }
    assert_eq!(first[13], Data::Float(1.0));

    // The PSA line behind the first finding.
    let line = billing.iter().find(|r| text(&r[0]) == "f000").unwrap();
    assert_eq!(text(&line[11]), run.findings[0].billing_lines[0].line_id);
    assert_eq!(line[13], Data::Float(38.0));
    assert_eq!(line[15], Data::Float(22.0));
}

#[test]
fn mapping_issues_list_unmapped_references_with_suggestions() {
    let mut run = support::demo_run();
    let copilot = run
        .findings
        .iter_mut()
        .find(|f| f.key == "Microsoft_365_Copilot")
        .unwrap();
    copilot.suggestions.push(SuggestionRow {
        id: "M365-COP".to_string(),
        name: "Copilot".to_string(),
        score: 40,
        reason: "shares a word".to_string(),
    });
    let mut book = Book::of(&run);
    let mapping = book.values("Mapping issues");
    assert_eq!(data_rows(&mapping), 3);
    let rows: Vec<Vec<Data>> = (1..=3).map(|r| row(&mapping, r, 12)).collect();

    let client = rows
        .iter()
        .find(|r| text(&r[1]) == "unmapped_client")
        .unwrap();
    assert_eq!(text(&client[2]), "m365");
    assert_eq!(text(&client[3]), "49b4b937-1204-4b14-932c-312c056e7e52");
    assert_eq!(text(&client[4]), "Pembury Tax Services Ltd");
    assert_eq!(client[5], Data::Float(6.0));
    assert_eq!(client[6], Data::Float(75.0));
    assert_eq!(client[7], Data::Empty, "no suggestion");

    let sku = rows
        .iter()
        .find(|r| text(&r[3]) == "Microsoft_365_Copilot")
        .unwrap();
    assert_eq!(text(&sku[4]), "Microsoft Copilot for Microsoft 365");
    assert_eq!(text(&sku[7]), "BACKUP-M365");
    assert_eq!(text(&sku[8]), "Microsoft 365 Backup (per user)");
    assert_eq!(sku[9], Data::Float(52.0));
    assert!(text(&sku[10]).contains("58%"));
    assert_eq!(text(&sku[11]), "M365-COP Copilot (score 40)");
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    let hostile = "=cmd|' /C calc'!A0";
    let mut run = support::demo_run();
    run.findings[0].client_name = hostile.to_string();
    run.findings[0].note = "+1+1".to_string();
    run.findings[0].evidence[0].item_key = "@SUM(A1:A9)".to_string();
    let mut book = Book::of(&run);

    let findings = book.values("Findings");
    let first = row(&findings, 1, 22);
    assert_eq!(first[3], Data::String(hostile.to_string()));
    assert_eq!(first[20], Data::String("+1+1".to_string()));
    let formulas = book.formulas("Findings");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "the Findings sheet has no formula"
    );

    let evidence = book.values("Evidence");
    assert_eq!(
        row(&evidence, 1, 12)[11],
        Data::String("@SUM(A1:A9)".into())
    );
    assert!(
        book.formulas("Evidence")
            .used_cells()
            .all(|(_, _, f)| f.is_empty())
    );

    let summary = book.values("Summary");
    assert!(find_row(&summary, "CW-1001", 0) > 0);
    let contoso = find_row(&summary, "CW-1001", 0);
    assert_eq!(
        row(&summary, contoso, 2)[1],
        Data::String(hostile.to_string())
    );
}

#[test]
fn an_empty_run_still_makes_a_valid_workbook() {
    let mut book = Book::of(&ReportRun::default());
    assert_eq!(
        book.names(),
        ["Summary", "Findings", "Evidence", "Mapping issues"]
    );
    let summary = book.values("Summary");
    let under = find_row(&summary, "Underbilled (revenue not billed)", 0);
    assert_eq!(number(&row(&summary, under, 2)[1]), 0.0);
    let run_id = find_row(&summary, "Run ID", 0);
    assert_eq!(text(&row(&summary, run_id, 2)[1]), "not stored");
    for sheet in ["Findings", "Evidence", "Mapping issues"] {
        let range = book.values(sheet);
        assert_eq!(data_rows(&range), 0, "{sheet} has only its header");
        assert!(!text(&row(&range, 0, 1)[0]).is_empty());
    }
}

#[test]
fn the_same_run_makes_the_same_bytes() {
    let run = support::demo_run();
    assert_eq!(write_xlsx(&run).unwrap(), write_xlsx(&run).unwrap());
}

/// Writes the demo workbook for a person to open (or LibreOffice to render):
/// `RECKON_XLSX_OUT=demo.xlsx cargo test -p reckon-report --test xlsx -- --ignored`.
#[test]
#[ignore = "writes a file for a visual check"]
fn write_the_demo_workbook_for_a_look() {
    let path = std::env::var("RECKON_XLSX_OUT").unwrap_or_else(|_| "demo.xlsx".to_string());
    std::fs::write(path, write_xlsx(&support::demo_run()).unwrap()).unwrap();
}
