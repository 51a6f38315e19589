//! `reckon export` end to end: a stored run with a reviewer's work and the
//! same data reconciled live give the same numbers in every format, and a
//! bad request writes nothing.

use std::path::Path;
use std::process::{Command, Output};
use std::str::FromStr;

use rust_decimal::Decimal;

fn reckon(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reckon"))
        .args(args)
        .current_dir(dir)
        .env("RECKON_USER", "ann")
        .env_remove("RECKON_WORKSPACE")
        .env_remove("RECKON_DATABASE_URL")
        .output()
        .expect("reckon runs")
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

fn money(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_else(|_| panic!("not money: {text:?}"))
}

/// (under, over) per month from a findings CSV.
fn csv_totals(file: &Path) -> (Decimal, Decimal) {
    let mut reader = csv::Reader::from_path(file).expect("csv");
    let at = reader
        .headers()
        .expect("header")
        .iter()
        .position(|h| h == "monthly_impact")
        .expect("monthly_impact column");
    let impacts: Vec<Decimal> = reader
        .records()
        .map(|r| money(&r.expect("row")[at]))
        .collect();
    (
        impacts.iter().filter(|d| d.is_sign_positive()).sum(),
        -impacts
            .iter()
            .filter(|d| d.is_sign_negative())
            .sum::<Decimal>(),
    )
}

/// The Summary sheet's cached monthly totals (under, over).
fn workbook_totals(file: &Path) -> (f64, f64) {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(file).expect("a workbook");
    let summary = book.worksheet_range("Summary").expect("a Summary sheet");
    let value_of = |label: &str| {
        summary
            .rows()
            .find(|row| row.first() == Some(&Data::String(label.to_string())))
            .and_then(|row| row.get(1).cloned())
            .unwrap_or_else(|| panic!("no {label} row"))
    };
    match (
        value_of("Underbilled (revenue not billed)"),
        value_of("Overbilled (billed, not in use)"),
    ) {
        (Data::Float(under), Data::Float(over)) => (under, over),
        other => panic!("totals are not numbers: {other:?}"),
    }
}

fn json(file: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(file).expect("read")).expect("json")
}

#[test]
fn stored_and_live_exports_agree_and_carry_the_review() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    ok(&reckon(dir, &["demo", "--out", "demo"]));
    let data = dir.join("demo/data");

    // Live, from files.
    ok(&reckon(
        dir,
        &[
            "export",
            "--data",
            &path(&data),
            "--as-of",
            "2026-10-31",
            "--out",
            "live.json",
        ],
    ));
    ok(&reckon(
        dir,
        &[
            "export",
            "--data",
            &path(&data),
            "--as-of",
            "2026-10-31",
            "--out",
            "live.csv",
        ],
    ));

    // Stored, with a reviewer's decision.
    ok(&reckon(dir, &["init", "ws"]));
    let ws = dir.join("ws");
    let mut import = vec!["import", "--period", "2026-10"];
    let files: Vec<String> = std::fs::read_dir(&data)
        .expect("demo data")
        .map(|e| path(&e.expect("entry").path()))
        .collect();
    import.extend(files.iter().map(String::as_str));
    ok(&reckon(&ws, &import));
    ok(&reckon(&ws, &["run"]));
    ok(&reckon(&ws, &["config", "currency", "gbp"]));
    let listing = ok(&reckon(&ws, &["findings", "--kind", "underbilled"]));
    let id = listing
        .lines()
        .find(|line| line.contains("M365-BP") && line.contains("CW-1001"))
        .and_then(|line| line.split_whitespace().next())
        .expect("Contoso's Business Premium finding")
        .to_string();
    ok(&reckon(
        &ws,
        &[
            "review",
            &id,
            "--state",
            "acknowledged",
            "--for-action",
            "--assignee",
            "dana",
            "--note",
            "Four hires in October",
        ],
    ));
    ok(&reckon(&ws, &["export", "--out", "stored.json"]));
    ok(&reckon(&ws, &["export", "--out", "stored.csv"]));

    let live = json(&dir.join("live.json"));
    let stored = json(&ws.join("stored.json"));
    assert_eq!(live["totals"]["underbilled_per_month"], "231.00");
    assert_eq!(live["totals"]["overbilled_per_month"], "171.50");
    assert_eq!(stored["totals"]["underbilled_per_month"], "231.00");
    assert_eq!(stored["totals"]["overbilled_per_month"], "171.50");
    assert_eq!(live["currency"], "USD");
    assert_eq!(stored["currency"], "GBP");
    assert_eq!(stored["run_id"], 1);
    assert_eq!(
        csv_totals(&dir.join("live.csv")),
        (money("231.00"), money("171.50"))
    );
    assert_eq!(
        csv_totals(&ws.join("stored.csv")),
        (money("231.00"), money("171.50"))
    );
    // The same findings in the same order, live and stored.
    let kinds = |document: &serde_json::Value| -> Vec<(String, String, String)> {
        document["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["kind"].as_str().unwrap_or("").to_string(),
                    f["client_id"].as_str().unwrap_or("").to_string(),
                    f["monthly_impact"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    assert_eq!(kinds(&live), kinds(&stored));
    let reviewed = stored["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["id"] == id.as_str())
        .expect("the reviewed finding");
    assert_eq!(reviewed["state"], "acknowledged");
    assert_eq!(reviewed["for_action"], true);
    assert_eq!(reviewed["assignee"], "dana");
    assert!(
        reviewed["note"]
            .as_str()
            .unwrap_or("")
            .ends_with("ann: Four hires in October"),
        "{}",
        reviewed["note"]
    );

    // The workbook and the printable report show the same totals.
    ok(&reckon(&ws, &["export", "--out", "stored.xlsx"]));
    let (under, over) = workbook_totals(&ws.join("stored.xlsx"));
    assert_eq!((under, over), (231.0, 171.5));
    ok(&reckon(&ws, &["export", "--out", "stored.html"]));
    let html = std::fs::read_to_string(ws.join("stored.html")).expect("html");
    assert!(
        html.contains("£231.00") && html.contains("£171.50"),
        "GBP totals in the HTML"
    );
    assert!(
        html.contains("Four hires in October"),
        "the reviewer's note is printed"
    );

    // The marked finding as a PSA change, then every pair finding.
    let proposed = ok(&reckon(
        &ws,
        &["adjustments", "--psa", "generic", "--out", "adjust.csv"],
    ));
    assert!(
        proposed.contains("Nothing was sent to the PSA"),
        "{proposed}"
    );
    let mut reader = csv::Reader::from_path(ws.join("adjust.csv")).expect("adjust.csv");
    let header = reader.headers().expect("header").clone();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 1, "only the marked finding");
    assert_eq!(&rows[0][column("line_id")], "48224");
    assert_eq!(&rows[0][column("current_quantity")], "38");
    assert_eq!(&rows[0][column("proposed_quantity")], "42");
    assert_eq!(&rows[0][column("monthly_effect")], "88.00");
    assert_eq!(&rows[0][column("finding_ids")], id.as_str());
    assert_eq!(&rows[0][column("effective_date")], "2026-11-01");
    ok(&reckon(
        &ws,
        &[
            "adjustments",
            "--all",
            "--psa",
            "generic",
            "--out",
            "all.csv",
        ],
    ));
    // By default, the shape of the PSA the lines came from (the demo's are
    // ConnectWise agreement additions).
    ok(&reckon(&ws, &["adjustments", "--out", "cw.json"]));
    let requests = json(&ws.join("cw.json"));
    assert_eq!(requests["psa"], "connectwise");
    assert_eq!(
        requests["requests"][0]["path"],
        "/finance/agreements/1201/additions/48224"
    );
    assert_eq!(requests["requests"][0]["body"][0]["value"], 42);
    let effects: Decimal = csv::Reader::from_path(ws.join("all.csv"))
        .expect("all.csv")
        .records()
        .map(|r| money(&r.expect("row")[column("monthly_effect")]))
        .sum();
    assert_eq!(effects, money("59.50"), "net of every pair finding");
    let bad_shape = reckon(
        &ws,
        &["adjustments", "--psa", "quickbooks", "--out", "q.csv"],
    );
    assert_eq!(bad_shape.status.code(), Some(2));
    assert!(!ws.join("q.csv").exists());

    // A per-client statement.
    ok(&reckon(
        &ws,
        &[
            "export",
            "--client",
            "contoso dental",
            "--out",
            "contoso.json",
        ],
    ));
    let contoso = json(&ws.join("contoso.json"));
    let clients: Vec<&str> = contoso["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["client_id"].as_str().unwrap_or(""))
        .collect();
    assert!(!clients.is_empty());
    assert!(clients.iter().all(|c| *c == "CW-1001"), "{clients:?}");
    assert_eq!(contoso["totals"]["underbilled_per_month"], "88.00");
}

#[test]
fn a_bad_request_writes_nothing() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path();
    ok(&reckon(dir, &["demo", "--out", "demo"]));
    let data = path(&dir.join("demo/data"));
    let unknown_client = reckon(
        dir,
        &[
            "export",
            "--data",
            &data,
            "--as-of",
            "2026-10-31",
            "--client",
            "Nobody Ltd",
            "--out",
            "x.csv",
        ],
    );
    assert_eq!(unknown_client.status.code(), Some(2));
    let message = String::from_utf8_lossy(&unknown_client.stderr);
    assert!(message.contains("--client Nobody Ltd"), "{message}");
    assert!(message.contains("Contoso Dental"), "{message}");
    let no_format = reckon(
        dir,
        &[
            "export",
            "--data",
            &data,
            "--as-of",
            "2026-10-31",
            "--out",
            "x.txt",
        ],
    );
    assert_eq!(no_format.status.code(), Some(2));
    let no_workspace = reckon(dir, &["export", "--out", "x.csv"]);
    assert_eq!(no_workspace.status.code(), Some(2));
    assert!(!dir.join("x.csv").exists() && !dir.join("x.txt").exists());
}
