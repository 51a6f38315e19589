//! Golden engine cases: each directory under `tests/cases/` holds a small
//! canonical data set, `case.json` (as_of, stale_days, description) and
//! `expected.md`, whose "## Expected output files" section has the exact,
//! hand-computed `recon.csv` and `exceptions.csv`.
//!
//! For every case the engine's two CSV files must equal those blocks byte for
//! byte (line endings aside), and a readable rendering of every finding
//! (numbers, cause, priority, explanation, evidence, billing lines) must
//! match its insta snapshot in `tests/snapshots/`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use reckon::dataset::{Dir, load_reference};
use reckon::params::parse_as_of;
use reckon::pipeline::reconcile_files;
use reckon_core::{Finding, RunParams};

/// Every case directory, one `#[test]` each.
macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        const CASES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                run_case(stringify!($name));
            }
        )*
    };
}

cases!(
    alias_skus_double_licensed,
    billed_no_usage,
    client_rules,
    count_records,
    counting_rules,
    device_in_two_clients,
    disabled_user_licensed,
    duplicate_by_case_and_space,
    empty_usage,
    ignored_skus_and_client_counting,
    many_to_many,
    messy_csv,
    mixed_sources_one_product,
    per_tb_rounding,
    product_on_two_lines,
    roll_up_sites,
    seat_drift_over,
    seat_drift_under,
    split_tenant,
    stale_device,
    tiered_sku_units,
    unmapped_client,
    unmapped_sku,
    usage_not_billed,
);

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

#[test]
fn every_case_directory_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("tests/cases is readable")
        .map(|entry| entry.expect("directory entry"))
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.to_string()).collect();
    listed.sort();
    let unlisted: Vec<&String> = on_disk.iter().filter(|d| !listed.contains(d)).collect();
    let missing: Vec<&String> = listed.iter().filter(|c| !on_disk.contains(c)).collect();
    assert!(
        unlisted.is_empty(),
        "case directories not listed in cases!(...) in tests/engine_cases.rs: {unlisted:?}"
    );
    assert!(
        missing.is_empty(),
        "cases listed in tests/engine_cases.rs with no directory under tests/cases: {missing:?}"
    );
}

fn run_case(name: &str) {
    let dir = cases_dir().join(name);
    let case: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("case.json"))
            .unwrap_or_else(|e| panic!("case {name}: cannot read case.json: {e}")),
    )
    .unwrap_or_else(|e| panic!("case {name}: case.json is not JSON: {e}"));
    let as_of = case["as_of"]
        .as_str()
        .unwrap_or_else(|| panic!("case {name}: case.json has no string \"as_of\""));
    let stale_days = case["stale_days"]
        .as_u64()
        .unwrap_or_else(|| panic!("case {name}: case.json has no integer \"stale_days\""));
    let params = RunParams {
        as_of: parse_as_of(as_of)
            .unwrap_or_else(|e| panic!("case {name}: bad as_of {as_of:?}: {e}")),
        stale_days: u32::try_from(stale_days).expect("stale_days fits in u32"),
    };

    let files = Dir(&dir);
    let reference =
        load_reference(&files).unwrap_or_else(|e| panic!("case {name}: load_reference: {e}"));
    let recon = reconcile_files(&reference, &files, Some(&dir.join("usage.csv")), &params, 1)
        .unwrap_or_else(|e| panic!("case {name}: reconcile_files: {e:#}"));

    let mut recon_csv = Vec::new();
    reckon_report::write_recon_csv(&recon, &mut recon_csv).expect("in-memory write");
    let mut exceptions_csv = Vec::new();
    reckon_report::write_exceptions_csv(&recon, &mut exceptions_csv).expect("in-memory write");

    let (expected_recon, expected_exceptions) = expected_files(name, &dir);
    assert_eq!(
        normalise(&String::from_utf8(recon_csv).expect("recon.csv is UTF-8")),
        expected_recon,
        "case {name}: recon.csv differs from expected.md"
    );
    assert_eq!(
        normalise(&String::from_utf8(exceptions_csv).expect("exceptions.csv is UTF-8")),
        expected_exceptions,
        "case {name}: exceptions.csv differs from expected.md"
    );

    // Consistency between the CSV rows and the findings.
    let findings: Vec<Finding> = recon.findings().collect();
    let mismatched = recon
        .pairs()
        .filter(|p| p.status.finding_kind().is_some())
        .count();
    assert_eq!(
        findings.len(),
        mismatched + recon.exceptions().len(),
        "case {name}: one finding per non-match pair and per exception row"
    );
    assert_eq!(findings.len(), recon.finding_count(), "case {name}");

    insta::with_settings!({
        description => case["description"].as_str().unwrap_or_default(),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, render(&recon, &findings));
    });
}

/// The two ```csv blocks of the "## Expected output files" section:
/// (recon.csv, exceptions.csv).
fn expected_files(name: &str, dir: &Path) -> (String, String) {
    let text = normalise(
        &std::fs::read_to_string(dir.join("expected.md"))
            .unwrap_or_else(|e| panic!("case {name}: cannot read expected.md: {e}")),
    );
    let section = text
        .split_once("\n## Expected output files\n")
        .unwrap_or_else(|| panic!("case {name}: expected.md has no \"## Expected output files\""))
        .1;
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some((_, after)) = rest.split_once("```csv\n") {
        let (block, tail) = after
            .split_once("```")
            .unwrap_or_else(|| panic!("case {name}: unclosed ```csv block in expected.md"));
        blocks.push(block.to_string());
        rest = tail;
    }
    assert_eq!(
        blocks.len(),
        2,
        "case {name}: expected.md should have exactly two ```csv blocks (recon.csv, exceptions.csv)"
    );
    let exceptions = blocks.pop().expect("two blocks");
    let recon = blocks.pop().expect("two blocks");
    (recon, exceptions)
}

fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// A text rendering of every finding, for review and for the snapshot.
fn render(recon: &reckon_core::Reconciliation<'_>, findings: &[Finding]) -> String {
    let mut out = String::new();
    let stats = recon.stats();
    let _ = writeln!(
        out,
        "usage_rows={} billing_lines={} pairs={} findings={}",
        stats.usage_rows,
        stats.billing_lines,
        stats.pairs,
        findings.len()
    );
    for diagnostic in recon.diagnostics() {
        let _ = writeln!(out, "diagnostic: {diagnostic}");
    }
    for (index, finding) in findings.iter().enumerate() {
        out.push('\n');
        render_finding(&mut out, index + 1, finding);
    }
    out
}

fn render_finding(out: &mut String, number: usize, f: &Finding) {
    let opt = |value: Option<String>| value.unwrap_or_else(|| "-".to_string());
    let dec = |value: Option<rust_decimal::Decimal>| opt(value.map(|d| d.normalize().to_string()));
    let _ = writeln!(out, "#{number} {}", f.kind);
    let _ = writeln!(
        out,
        "  client:  {} ({})",
        opt(f.client_id.as_ref().map(|c| c.to_string())),
        opt(f.client_name.map(str::to_string))
    );
    let _ = writeln!(
        out,
        "  product: {} ({})",
        opt(f.product_id.as_ref().map(|p| p.to_string())),
        opt(f.product_name.map(str::to_string))
    );
    let _ = writeln!(
        out,
        "  source:  {}  key: {}",
        opt(f.source.as_ref().map(|s| s.to_string())),
        opt(f.key.map(str::to_string))
    );
    let _ = writeln!(
        out,
        "  billed: {}  actual: {}  unit_price: {}  impact: {}  money_at_stake: {}  count: {}",
        dec(f.billed),
        dec(f.actual),
        opt(f.unit_price.map(|p| p.to_string())),
        f.impact,
        f.money_at_stake,
        opt(f.count.map(|c| c.to_string()))
    );
    if let (Some(in_use), Some(actual)) = (f.in_use, f.actual)
        && in_use != actual
    {
        let _ = writeln!(
            out,
            "  in use: {} (billable after client rules: {})",
            in_use.normalize(),
            actual.normalize()
        );
    }
    if let Some(basis) = f.actual_basis {
        let _ = writeln!(
            out,
            "  actual from: {} ({} from items, {} from counts)",
            basis.as_str(),
            basis.from_items.normalize(),
            basis.from_counts.normalize()
        );
    }
    let _ = writeln!(out, "  cause: {}  priority: {}", f.cause, f.priority);
    let _ = writeln!(out, "  explanation: {}", f.explanation);
    if f.evidence.items.is_empty() {
        let _ = writeln!(out, "  evidence: none");
    } else {
        let _ = writeln!(out, "  evidence:");
    }
    for item in &f.evidence.items {
        let _ = writeln!(
            out,
            "    - {} {} client={} source={} sku={}{} key={} status={} last_seen={} units={} rows={}",
            item.state.as_str(),
            if item.is_count { "count" } else { "item" },
            opt(item.client_id.as_ref().map(|c| c.to_string())),
            item.source,
            item.sku,
            item.also_listed_as
                .map(|(source, sku)| format!(" also={source}/{sku}"))
                .unwrap_or_default(),
            if item.item_key.is_empty() {
                "-"
            } else {
                item.item_key
            },
            item.status,
            opt(item.last_seen.map(|t| t.to_string())),
            item.units.normalize(),
            item.rows
        );
    }
    if !f.evidence.billing_lines.is_empty() {
        let _ = writeln!(out, "  billing lines:");
    }
    for line in &f.evidence.billing_lines {
        let _ = writeln!(
            out,
            "    - {} quantity={} unit_price={}",
            line.line_id,
            line.quantity.normalize(),
            line.unit_price
        );
    }
}
