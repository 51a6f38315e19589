//! The month-end workflow end to end: init, import two months of the demo
//! data, run both, review findings in the first, and see the review state,
//! the history and the diff in the second; then close the first month.

use std::path::Path;
use std::process::{Command, Output};

fn reckon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reckon"))
        .args(args)
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

/// The id of the first listed finding of this kind and product.
fn id_of(listing: &str, kind: &str, product: &str) -> String {
    listing
        .lines()
        .find(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            words.get(1) == Some(&kind) && words.get(3) == Some(&product)
        })
        .and_then(|line| line.split_whitespace().next())
        .unwrap_or_else(|| panic!("no {kind} {product} in:\n{listing}"))
        .to_string()
}

#[test]
fn two_months_reviewed_compared_and_closed() {
    let work = tempfile::tempdir().expect("temp dir");
    let demo = work.path().join("demo");
    ok(&reckon(&["demo", "--out", &path(&demo)]));
    let october = demo.join("data");
    // November: the same tools a month later, and Contoso's Business
    // Premium line raised from 38 to 40 (still 2 short).
    let november = work.path().join("november");
    std::fs::create_dir(&november).expect("mkdir");
    for entry in std::fs::read_dir(&october).expect("demo data") {
        let file = entry.expect("entry").path();
        let name = file.file_name().expect("name").to_owned();
        let text = std::fs::read_to_string(&file).expect("read");
        let text = match name.to_str() {
            Some("usage.csv") => text.replace("2026-10-", "2026-11-"),
            Some("billing.csv") => text.replacen(",M365-BP,38,", ",M365-BP,40,", 1),
            _ => text,
        };
        std::fs::write(november.join(name), text).expect("write");
    }
    let ws = work.path().join("ws");
    let ws_path = path(&ws);
    ok(&reckon(&["init", &ws_path]));
    let import_dir = |dir: &Path, period: &str| {
        let files: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| path(&e.expect("entry").path()))
            .collect();
        let mut args: Vec<&str> = vec!["import", "--workspace", &ws_path, "--period", period];
        args.extend(files.iter().map(String::as_str));
        ok(&reckon(&args));
    };
    import_dir(&october, "2026-10");
    let first = ok(&reckon(&[
        "run",
        "--workspace",
        &ws_path,
        "--period",
        "2026-10",
    ]));
    assert!(first.contains("Stored run 1 of 2026-10"), "{first}");

    let listing = ok(&reckon(&["findings", "--workspace", &ws_path]));
    let bp = id_of(&listing, "underbilled", "M365-BP");
    let backup = id_of(&listing, "overbilled", "BACKUP-DEV");
    ok(&reckon(&[
        "review",
        &bp,
        "--state",
        "acknowledged",
        "--assignee",
        "bob",
        "--note",
        "Client confirmed 42 seats; agreement to be raised",
        "--workspace",
        &ws_path,
    ]));
    ok(&reckon(&[
        "review",
        &backup,
        "--state",
        "resolved",
        "--reason",
        "agreement lowered",
        "--workspace",
        &ws_path,
    ]));
    let refused = reckon(&["review", &bp, "--state", "ignored", "--workspace", &ws_path]);
    assert_eq!(refused.status.code(), Some(2), "ignoring needs a reason");

    import_dir(&november, "2026-11");
    let second = ok(&reckon(&["run", "--workspace", &ws_path]));
    assert!(second.contains("Stored run 2 of 2026-11"), "{second}");

    let listing = ok(&reckon(&["findings", "--workspace", &ws_path]));
    let bp_line = listing
        .lines()
        .find(|l| l.starts_with(&bp))
        .expect("Business Premium again");
    assert!(
        bp_line.contains("acknowledged"),
        "state carried over: {bp_line}"
    );
    assert!(bp_line.contains("2 runs since run 1"), "age: {bp_line}");
    assert!(bp_line.contains("(bob)"), "assignee: {bp_line}");
    let backup_line = listing
        .lines()
        .find(|l| l.starts_with(&backup))
        .expect("backup again");
    assert!(
        backup_line.contains(" open "),
        "resolved but back, so reopened: {backup_line}"
    );

    let shown = ok(&reckon(&["show", &bp, "--workspace", &ws_path]));
    assert!(shown.contains("history: found in runs 1, 2"), "{shown}");
    assert!(shown.contains("Client confirmed 42 seats"), "{shown}");
    let shown = ok(&reckon(&["show", &backup, "--workspace", &ws_path]));
    assert!(shown.contains("Reopened"), "{shown}");

    let diff = ok(&reckon(&["diff", "--workspace", &ws_path]));
    assert!(
        diff.starts_with("Run 2 (2026-11) against run 1 (2026-10)"),
        "{diff}"
    );
    assert!(
        diff.lines()
            .any(|l| l.starts_with(&format!("  changed   {bp}")) && l.contains("impact 44.00")),
        "Business Premium changed from 88.00 to 44.00:\n{diff}"
    );

    ok(&reckon(&[
        "close",
        "--period",
        "2026-10",
        "--workspace",
        &ws_path,
    ]));
    let locked = reckon(&[
        "review",
        &bp,
        "--run",
        "1",
        "--state",
        "resolved",
        "--workspace",
        &ws_path,
    ]);
    assert_eq!(
        locked.status.code(),
        Some(2),
        "a closed period's reviews are locked"
    );
    let rerun = reckon(&["run", "--workspace", &ws_path, "--period", "2026-10"]);
    assert_eq!(
        rerun.status.code(),
        Some(2),
        "a closed period takes no new run"
    );
    ok(&reckon(&[
        "reopen",
        "--period",
        "2026-10",
        "--workspace",
        &ws_path,
    ]));

    let audit = ok(&reckon(&["audit", "--workspace", &ws_path]));
    for expected in [
        "finding",
        "review",
        "note",
        "period 2026-10 state: open -> closed, final run 1",
        "period 2026-10 state: closed -> open",
    ] {
        assert!(
            audit.contains(expected),
            "audit lacks {expected:?}:\n{audit}"
        );
    }
}
