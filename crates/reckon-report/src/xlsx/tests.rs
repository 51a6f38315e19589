//! Tables that pass the row limit go on in numbered sheets, and the
//! Summary's formulas follow them. A tiny limit stands in for Excel's.
#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_decimal::Decimal;

use super::table::{part_count, part_name};
use super::write_workbook;
use crate::model::{EvidenceRow, ReportFinding, ReportRun};

fn run_of(findings: usize, items_each: usize) -> ReportRun {
    let findings = (0..findings)
        .map(|index| ReportFinding {
            id: format!("f{index}"),
            kind: if index % 2 == 0 {
                "underbilled"
            } else {
                "overbilled"
            }
            .to_string(),
            client_id: format!("C{index}"),
            client_name: format!("Client {index}"),
            impact: if index % 2 == 0 {
                Decimal::new(1050, 2)
            } else {
                Decimal::new(-325, 2)
            },
            state: "open".to_string(),
            evidence: (0..items_each)
                .map(|item| EvidenceRow {
                    item_key: format!("item-{index}-{item}"),
                    units: Decimal::ONE,
                    rows: 1,
                    ..EvidenceRow::default()
                })
                .collect(),
            ..ReportFinding::default()
        })
        .collect();
    ReportRun {
        currency: "CHF".to_string(),
        findings,
        ..ReportRun::default()
    }
}

#[test]
fn parts_are_named_and_counted() {
    assert_eq!(part_name("Evidence", 1), "Evidence");
    assert_eq!(part_name("Evidence", 2), "Evidence (2)");
    assert_eq!(part_count(0, 10), 1);
    assert_eq!(part_count(10, 10), 1);
    assert_eq!(part_count(11, 10), 2);
}

#[test]
fn long_tables_continue_on_numbered_sheets() {
    let run = run_of(5, 3);
    let bytes = write_workbook(&run, 4).unwrap();
    let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Summary",
            "Findings",
            "Findings (2)",
            "Evidence",
            "Evidence (2)",
            "Evidence (3)",
            "Evidence (4)",
            "Mapping issues",
        ]
    );
    let mut items = Vec::new();
    for name in ["Evidence", "Evidence (2)", "Evidence (3)", "Evidence (4)"] {
        let range = book.worksheet_range(name).unwrap();
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String("Finding ID".into())),
            "{name} repeats the header"
        );
        let last = range.end().unwrap().0;
        assert!(last <= 4, "{name} holds at most 4 rows");
        for row in 1..=last {
            if let Some(Data::String(item)) = range.get_value((row, 11)) {
                items.push(item.clone());
            }
        }
    }
    let expected: Vec<String> = run
        .findings
        .iter()
        .flat_map(|f| f.evidence.iter().map(|e| e.item_key.clone()))
        .collect();
    assert_eq!(items, expected, "every item once, in order");

    let summary = book.worksheet_range("Summary").unwrap();
    let formulas = book.worksheet_formula("Summary").unwrap();
    let under_row = (0..40)
        .find(|&r| {
            summary.get_value((r, 0))
                == Some(&Data::String("Underbilled (revenue not billed)".into()))
        })
        .unwrap();
    assert_eq!(
        formulas.get_value((under_row, 1)).unwrap(),
        "SUMIF(Findings!M:M,\">0\")+SUMIF('Findings (2)'!M:M,\">0\")"
    );
    // Three underbilled findings of 10.50 each; the cached value is exact.
    assert_eq!(summary.get_value((under_row, 1)), Some(&Data::Float(31.5)));
}
