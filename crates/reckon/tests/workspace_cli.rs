//! A workspace end to end: `reckon init`, `import` (canonical files and a
//! vendor export), `imports`, `audit`, and `run` from the stored snapshots,
//! which must give exactly what the stateless run gives.

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

#[test]
fn imports_are_snapshots_and_a_workspace_run_matches_the_stateless_one() {
    let work = tempfile::tempdir().expect("temp dir");
    let demo = work.path().join("demo");
    ok(&reckon(&["demo", "--out", &path(&demo)]));
    let data = demo.join("data");
    let ws = work.path().join("ws");
    let init = ok(&reckon(&["init", &path(&ws)]));
    assert!(init.contains("Created a reckon workspace"), "{init}");
    assert_eq!(
        reckon(&["init", &path(&ws)]).status.code(),
        Some(2),
        "init twice"
    );

    let files: Vec<String> = [
        "billing.csv",
        "usage.csv",
        "client_map.csv",
        "product_map.csv",
        "products.csv",
        "clients.csv",
    ]
    .iter()
    .map(|name| path(&data.join(name)))
    .collect();
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    let ws_path = path(&ws);
    args.extend(["--workspace", &ws_path]);
    let imported = ok(&reckon(&args));
    assert!(
        imported.contains("for 2026-10"),
        "the period comes from the data:\n{imported}"
    );
    assert!(imported.contains("9 snapshots stored"), "{imported}");

    // The same file again is recognised and not counted twice.
    let again = ok(&reckon(&["import", &files[1], "--workspace", &ws_path]));
    assert!(again.contains("already imported"), "{again}");
    assert!(again.contains("0 snapshots stored"), "{again}");

    // A bad file stores nothing, not even the good file beside it.
    let bad = work.path().join("billing.csv");
    std::fs::write(
        &bad,
        "line_id,client_id,client_name,product_id,quantity,unit_price\nL1,C1,A,P,many,1\n",
    )
    .expect("write");
    let refused = reckon(&[
        "import",
        &files[4],
        &path(&bad),
        "--workspace",
        &ws_path,
        "--period",
        "2026-11",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("quantity"));
    let listed = ok(&reckon(&["imports", "--workspace", &ws_path]));
    assert!(
        !listed
            .lines()
            .any(|line| line.split_whitespace().nth(1) == Some("2026-11")),
        "a failed import left something:\n{listed}"
    );

    let audit = ok(&reckon(&[
        "audit",
        "--workspace",
        &ws_path,
        "--entity",
        "import",
    ]));
    assert_eq!(audit.lines().count(), 9, "{audit}");
    assert!(
        audit.lines().all(|line| line.contains(" ann import ")),
        "{audit}"
    );

    let stored_out = work.path().join("stored");
    ok(&reckon(&[
        "run",
        "--workspace",
        &ws_path,
        "--out",
        &path(&stored_out),
    ]));
    let files_out = work.path().join("files");
    ok(&reckon(&[
        "run",
        "--data",
        &path(&data),
        "--as-of",
        "2026-10-31",
        "--out",
        &path(&files_out),
    ]));
    for name in ["recon.csv", "exceptions.csv"] {
        assert_eq!(
            std::fs::read_to_string(stored_out.join(name)).expect("stored run"),
            std::fs::read_to_string(files_out.join(name)).expect("file run"),
            "{name} differs between the workspace run and the stateless run"
        );
    }
}

#[test]
fn a_vendor_export_is_converted_on_import() {
    let work = tempfile::tempdir().expect("temp dir");
    let ws = work.path().join("ws");
    ok(&reckon(&["init", &path(&ws)]));
    let agents = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/convert_e2e/edr/agents.json");
    let imported = ok(&reckon(&[
        "import",
        &path(&agents),
        "--workspace",
        &path(&ws),
    ]));
    assert!(
        imported.contains("usage sentinelone from agents.json for 2026-11"),
        "{imported}"
    );
    let bad_period = reckon(&[
        "import",
        &path(&agents),
        "--workspace",
        &path(&ws),
        "--period",
        "November",
    ]);
    assert_eq!(bad_period.status.code(), Some(2));
}

#[test]
fn every_mapping_change_an_import_makes_is_audited() {
    let work = tempfile::tempdir().expect("temp dir");
    let ws = work.path().join("ws");
    ok(&reckon(&["init", &path(&ws)]));
    let map = work.path().join("client_map.csv");
    std::fs::write(
        &map,
        "source,external_client_id,client_id\nm365,t-1,C1\nm365,t-2,C2\nninjaone,org-3,C3\n",
    )
    .expect("write");
    let ws_path = path(&ws);
    ok(&reckon(&[
        "import",
        &path(&map),
        "--workspace",
        &ws_path,
        "--period",
        "2026-10",
    ]));
    // A month later: t-2 moved to C4, org-3 gone, org-5 new.
    std::fs::write(
        &map,
        "source,external_client_id,client_id\nm365,t-1,C1\nm365,t-2,C4\nninjaone,org-5,C5\n",
    )
    .expect("write");
    ok(&reckon(&[
        "import",
        &path(&map),
        "--workspace",
        &ws_path,
        "--period",
        "2026-11",
    ]));
    let audit = ok(&reckon(&[
        "audit",
        "--workspace",
        &ws_path,
        "--entity",
        "mapping",
    ]));
    let november: Vec<&str> = audit.lines().skip(3).collect();
    for expected in [
        "client_map m365 t-2 target: C2 -> C4",
        "client_map ninjaone org-5 target: (none) -> C5",
        "client_map ninjaone org-3 target: C3 -> (none)",
    ] {
        assert!(
            november.iter().any(|line| line.contains(expected)),
            "missing {expected:?} in:\n{audit}"
        );
    }
    assert_eq!(november.len(), 3, "t-1 did not change:\n{audit}");
}

/// A process killed in the middle of an import leaves the workspace as it
/// was before the import, or with the whole import: never a part of it.
#[test]
fn an_import_killed_midway_leaves_all_or_nothing() {
    let work = tempfile::tempdir().expect("temp dir");
    let ws = work.path().join("ws");
    let ws_path = path(&ws);
    ok(&reckon(&["init", &ws_path]));
    // Four feeds of 50,000 rows each: an import of some size.
    let usage = work.path().join("usage.csv");
    let mut text = String::from("source,client_ref,sku,item_id,status,last_seen\n");
    for feed in ["m365", "rmm", "edr", "backup"] {
        for n in 0..50_000 {
            text.push_str(&format!(
                "{feed},ref-{},SKU,item-{n}@example.com,active,2026-11-2{}T08:00:00Z\n",
                n % 300,
                n % 9
            ));
        }
    }
    std::fs::write(&usage, text).expect("write");
    for delay_ms in [150u64, 300, 600, 1_000] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_reckon"))
            .args([
                "import",
                &path(&usage),
                "--workspace",
                &ws_path,
                "--period",
                "2026-11",
            ])
            .env("RECKON_USER", "ann")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let listed = ok(&reckon(&["imports", "--workspace", &ws_path]));
        let feeds = listed.lines().skip(1).count();
        assert!(
            feeds == 0 || feeds == 4,
            "a killed import left {feeds} of 4 feeds:\n{listed}"
        );
        let audit = ok(&reckon(&[
            "audit",
            "--workspace",
            &ws_path,
            "--entity",
            "import",
        ]));
        assert_eq!(
            audit.lines().count(),
            feeds,
            "imports and their audit disagree"
        );
        if feeds == 4 {
            break;
        }
    }
}
