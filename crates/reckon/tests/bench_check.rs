//! The reference answer-key check on generated data: `bench/gen.py` writes a
//! synthetic MSP with its `expected.csv`, the real `reckon` binary reconciles
//! it, and `bench/check.py` compares the result with the answer key.
//!
//! Needs `python3` (standard library only); no network.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

fn describe(what: &str, output: &Output) -> String {
    format!(
        "{what}: {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn run(what: &str, command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e} (is python3 installed?)"));
    assert!(output.status.success(), "{}", describe(what, &output));
    output
}

/// gen.py → reckon run → check.py for one generated data set.
fn check(clients: u32, seed: u32, scale: &str, threads: Option<usize>) {
    let root = repo_root();
    let bench = root.join("bench");
    let tmp = tempfile::tempdir().expect("temp dir");
    let data = tmp.path().join("data");
    let out = tmp.path().join("out");
    let label = format!("clients {clients} seed {seed} scale {scale}");

    run(
        &format!("gen.py ({label})"),
        Command::new("python3")
            .arg(bench.join("gen.py"))
            .args(["--clients", &clients.to_string()])
            .args(["--seed", &seed.to_string()])
            .args(["--scale", scale])
            .arg("--out")
            .arg(&data),
    );

    let meta: serde_json::Value = serde_json::from_slice(
        &std::fs::read(data.join("meta.json")).expect("gen.py writes meta.json"),
    )
    .expect("meta.json is JSON");
    let as_of = meta["as_of"].as_str().expect("meta.json has as_of");
    let stale_days = meta["stale_days"]
        .as_u64()
        .expect("meta.json has stale_days")
        .to_string();

    let mut reckon = Command::new(env!("CARGO_BIN_EXE_reckon"));
    reckon
        .arg("run")
        .arg("--data")
        .arg(&data)
        .args(["--as-of", as_of, "--stale-days", &stale_days])
        .arg("--out")
        .arg(&out)
        .env_remove("RECKON_LOG");
    if let Some(threads) = threads {
        reckon.args(["--threads", &threads.to_string()]);
    }
    run(&format!("reckon run ({label})"), &mut reckon);

    let checked = run(
        &format!("check.py ({label})"),
        Command::new("python3")
            .arg(bench.join("check.py"))
            .arg("--data")
            .arg(&data)
            .arg("--out")
            .arg(&out),
    );
    let stdout = String::from_utf8_lossy(&checked.stdout);
    assert!(
        stdout.contains("OK: agrees with expected.csv"),
        "{}",
        describe(&format!("check.py ({label})"), &checked)
    );
}

#[test]
fn clients_40_seed_1_scale_1() {
    check(40, 1, "1", None);
}

#[test]
fn clients_30_seed_2_scale_0_3() {
    check(30, 2, "0.3", None);
}

#[test]
fn clients_20_seed_3_scale_3() {
    check(20, 3, "3", None);
}

/// About 10 MB of usage.csv: above the size at which `reckon run` reads
/// usage in parallel byte ranges, so this checks the merged result.
#[test]
fn clients_60_seed_4_scale_3_on_four_threads() {
    check(60, 4, "3", Some(4));
}
