//! End-to-end runs of the real `reckon` binary: the demo, a round trip of the
//! demo's files through `reckon run`, the shape of `findings.json`, and how
//! bad input is reported (exit code 2, one line naming file, row and column,
//! and no partial output).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DEMO_AS_OF: &str = "2026-10-31";
const DATA_FILES: [&str; 6] = [
    "billing.csv",
    "usage.csv",
    "client_map.csv",
    "product_map.csv",
    "products.csv",
    "clients.csv",
];
const RESULT_FILES: [&str; 3] = ["recon.csv", "exceptions.csv", "findings.json"];

fn reckon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reckon"))
        .args(args)
        .env_remove("RECKON_LOG")
        .output()
        .expect("the reckon binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Panics with the command's output unless it exited 0.
fn assert_success(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed with {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Runs `reckon demo --out ROOT/demo` and returns ROOT/demo.
fn write_demo(root: &Path) -> PathBuf {
    let dir = root.join("demo");
    let output = reckon(&["demo", "--out", path_str(&dir)]);
    assert_success(&output, "reckon demo --out");
    dir
}

fn run_on(data: &Path, out: &Path) -> Output {
    reckon(&[
        "run",
        "--data",
        path_str(data),
        "--as-of",
        DEMO_AS_OF,
        "--out",
        path_str(out),
    ])
}

/// A minimal CSV reader for the files reckon writes (quotes, doubled quotes;
/// no line breaks inside fields).
fn csv_rows(content: &str) -> Vec<Vec<String>> {
    content
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let mut fields = Vec::new();
            let mut field = String::new();
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, quoted) {
                    ('"', true) if chars.peek() == Some(&'"') => {
                        field.push('"');
                        chars.next();
                    }
                    ('"', _) => quoted = !quoted,
                    (',', false) => fields.push(std::mem::take(&mut field)),
                    _ => field.push(c),
                }
            }
            fields.push(field);
            fields
        })
        .collect()
}

/// Rows as header-name → value maps.
fn csv_records(path: &Path) -> Vec<BTreeMap<String, String>> {
    let content = fs::read_to_string(path).expect("output CSV is readable");
    let mut rows = csv_rows(&content).into_iter();
    let header = rows.next().expect("a header line");
    rows.map(|row| {
        assert_eq!(row.len(), header.len(), "{}: ragged row", path.display());
        header.iter().cloned().zip(row).collect()
    })
    .collect()
}

/// Every regular file under `dir` (recursively); empty when it is absent.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

// ---------------------------------------------------------------------------
// The demo

#[test]
fn demo_prints_the_classic_cases() {
    let output = reckon(&["demo"]);
    assert_success(&output, "reckon demo");
    let stdout = text(&output.stdout);

    let line = |needle: &str| -> String {
        stdout
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{stdout}"))
            .trim()
            .to_string()
    };
    let contoso = line("Contoso Dental / Microsoft 365 Business Premium:");
    assert!(
        contoso.starts_with("+88.00 "),
        "Contoso line should start with +88.00: {contoso}"
    );
    assert!(contoso.contains(" underbilled "), "{contoso}");
    assert!(contoso.contains("billed 38, in use 42"), "{contoso}");

    let northwind = line("Northwind Logistics / Endpoint Backup (per device):");
    assert!(
        northwind.starts_with("-45.00 "),
        "Northwind line should start with -45.00: {northwind}"
    );
    assert!(northwind.contains(" overbilled "), "{northwind}");
    assert!(northwind.contains("billed 12, in use 9"), "{northwind}");

    assert!(
        stdout.contains("66 client/product pairs, 52 match, 14 do not"),
        "{stdout}"
    );
}

#[test]
fn demo_out_round_trips_through_run() {
    let root = tempfile::tempdir().expect("temp dir");
    let demo = write_demo(root.path());

    for name in DATA_FILES {
        let path = demo.join("data").join(name);
        assert!(
            path.is_file(),
            "reckon demo --out should write {}",
            path.display()
        );
    }
    for name in RESULT_FILES {
        let path = demo.join("results").join(name);
        assert!(
            path.is_file(),
            "reckon demo --out should write {}",
            path.display()
        );
    }
    let mut written: Vec<String> = files_under(&demo)
        .iter()
        .map(|p| {
            p.strip_prefix(&demo)
                .expect("under demo")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    written.sort();
    let mut expected: Vec<String> = DATA_FILES
        .iter()
        .map(|n| format!("data/{n}"))
        .chain(RESULT_FILES.iter().map(|n| format!("results/{n}")))
        .collect();
    expected.sort();
    assert_eq!(written, expected, "exactly the demo's files, no leftovers");

    let again = demo.join("again");
    let output = run_on(&demo.join("data"), &again);
    assert_success(&output, "reckon run on the demo's data");
    for name in RESULT_FILES {
        let first = fs::read(demo.join("results").join(name)).expect("demo result");
        let second = fs::read(again.join(name)).expect("run result");
        assert!(
            first == second,
            "{name} from `reckon run` differs from `reckon demo --out`"
        );
    }
}

#[test]
fn findings_json_agrees_with_the_csv_files() {
    let root = tempfile::tempdir().expect("temp dir");
    let results = write_demo(root.path()).join("results");

    let json: serde_json::Value = serde_json::from_slice(
        &fs::read(results.join("findings.json")).expect("findings.json is readable"),
    )
    .expect("findings.json is JSON");
    let findings = json["findings"]
        .as_array()
        .expect("findings.json has a findings array");

    let recon = csv_records(&results.join("recon.csv"));
    let exceptions = csv_records(&results.join("exceptions.csv"));
    let mismatched: Vec<&BTreeMap<String, String>> =
        recon.iter().filter(|r| r["status"] != "match").collect();

    // Counts.
    assert_eq!(
        findings.len(),
        mismatched.len() + exceptions.len(),
        "one finding per non-match recon.csv row and per exceptions.csv row"
    );
    assert_eq!(json["finding_count"].as_u64(), Some(findings.len() as u64));
    assert_eq!(
        findings.len(),
        26,
        "the demo has 14 mismatched pairs and 12 exceptions"
    );

    // Kinds: the same multiset as the CSV statuses and kinds.
    let mut csv_kinds: Vec<&str> = mismatched
        .iter()
        .map(|r| r["status"].as_str())
        .chain(exceptions.iter().map(|r| r["kind"].as_str()))
        .collect();
    csv_kinds.sort_unstable();
    let mut json_kinds: Vec<&str> = findings
        .iter()
        .map(|f| f["kind"].as_str().expect("every finding has a string kind"))
        .collect();
    json_kinds.sort_unstable();
    assert_eq!(json_kinds, csv_kinds);

    // Each pair finding is a recon.csv row, each item finding an exceptions.csv row.
    let field = |f: &serde_json::Value, name: &str| f[name].as_str().unwrap_or("").to_string();
    let mut json_pairs = Vec::new();
    let mut json_items = Vec::new();
    for f in findings {
        let kind = field(f, "kind");
        if [
            "underbilled",
            "overbilled",
            "billed_no_usage",
            "usage_not_billed",
        ]
        .contains(&kind.as_str())
        {
            json_pairs.push([
                kind,
                field(f, "client_id"),
                field(f, "product_id"),
                field(f, "billed"),
                field(f, "actual"),
                field(f, "unit_price"),
                field(f, "impact"),
            ]);
        } else {
            json_items.push([
                kind,
                field(f, "client_id"),
                field(f, "product_id"),
                field(f, "source"),
                field(f, "key"),
                f["count"]
                    .as_u64()
                    .expect("item findings have a count")
                    .to_string(),
            ]);
        }
    }
    let csv_pairs: Vec<[String; 7]> = mismatched
        .iter()
        .map(|r| {
            [
                r["status"].clone(),
                r["client_id"].clone(),
                r["product_id"].clone(),
                r["billed_qty"].clone(),
                r["actual_qty"].clone(),
                r["unit_price"].clone(),
                r["impact"].clone(),
            ]
        })
        .collect();
    let csv_items: Vec<[String; 6]> = exceptions
        .iter()
        .map(|r| {
            [
                r["kind"].clone(),
                r["client_id"].clone(),
                r["product_id"].clone(),
                r["source"].clone(),
                r["key"].clone(),
                r["count"].clone(),
            ]
        })
        .collect();
    json_pairs.sort();
    json_items.sort();
    let (mut csv_pairs, mut csv_items) = (csv_pairs, csv_items);
    csv_pairs.sort();
    csv_items.sort();
    assert_eq!(json_pairs, csv_pairs);
    assert_eq!(json_items, csv_items);

    // Every finding names a cause and a priority from the documented sets.
    for f in findings {
        let cause = field(f, "cause");
        assert!(
            [
                "billing_issue",
                "setup_cleanup",
                "stale_data",
                "mapping_rule"
            ]
            .contains(&cause.as_str()),
            "unknown cause in {f}"
        );
        let priority = field(f, "priority");
        assert!(
            ["high", "medium", "low"].contains(&priority.as_str()),
            "unknown priority in {f}"
        );
        assert!(!field(f, "explanation").is_empty(), "no explanation in {f}");
    }
}

// ---------------------------------------------------------------------------
// Bad input: exit code 2, one line on stderr, no output files.

/// A copy of the demo data to break, and an output directory that must stay
/// empty.
struct Broken {
    _root: tempfile::TempDir,
    data: PathBuf,
    out: PathBuf,
}

fn demo_copy() -> Broken {
    let root = tempfile::tempdir().expect("temp dir");
    let data = write_demo(root.path()).join("data");
    let out = root.path().join("out");
    Broken {
        _root: root,
        data,
        out,
    }
}

impl Broken {
    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.data.join(name)).expect("demo file is readable")
    }

    fn write(&self, name: &str, content: &str) {
        fs::write(self.data.join(name), content).expect("demo file is writable");
    }

    /// Runs `reckon run`, asserts exit code 2, one stderr line, and nothing
    /// written; returns the stderr line.
    fn run_expecting_user_error(&self) -> String {
        let output = run_on(&self.data, &self.out);
        let stderr = text(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "bad input should exit 2\n--- stdout\n{}\n--- stderr\n{stderr}",
            text(&output.stdout)
        );
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "stderr should be exactly one line, got:\n{stderr}"
        );
        let leftovers = files_under(&self.out);
        assert!(
            leftovers.is_empty(),
            "a failed run must leave no output files, found {leftovers:?}"
        );
        lines[0].to_string()
    }
}

/// Index of `column` in the header of a comma-separated file.
fn column_index(content: &str, column: &str) -> usize {
    let header = content.lines().next().expect("a header line");
    header
        .split(',')
        .position(|c| c == column)
        .unwrap_or_else(|| panic!("no column {column} in {header}"))
}

/// Replaces field `column` of spreadsheet row `row` (header = 1).
fn replace_field(content: &str, row: usize, column: usize, value: &str) -> (String, String) {
    let mut lines: Vec<String> = content.lines().map(str::to_string).collect();
    let mut fields: Vec<String> = lines[row - 1].split(',').map(str::to_string).collect();
    let old = std::mem::replace(&mut fields[column], value.to_string());
    lines[row - 1] = fields.join(",");
    (lines.join("\n") + "\n", old)
}

#[test]
fn missing_usage_file() {
    let broken = demo_copy();
    fs::remove_file(broken.data.join("usage.csv")).expect("remove usage.csv");
    let line = broken.run_expecting_user_error();
    assert!(
        line.starts_with("error: usage.csv: "),
        "should name usage.csv first: {line}"
    );
    assert!(
        line.contains("not found"),
        "should say it is missing: {line}"
    );
}

#[test]
fn billing_without_quantity_column() {
    let broken = demo_copy();
    let billing = broken.read("billing.csv");
    let column = column_index(&billing, "quantity");
    let without: String = billing
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            fields.remove(column);
            fields.join(",") + "\n"
        })
        .collect();
    broken.write("billing.csv", &without);

    let line = broken.run_expecting_user_error();
    assert!(
        line.starts_with("error: billing.csv, row 1, column \"quantity\": "),
        "should name billing.csv, the header row and the missing column: {line}"
    );
}

#[test]
fn billing_with_non_numeric_quantity() {
    let broken = demo_copy();
    let billing = broken.read("billing.csv");
    let column = column_index(&billing, "quantity");
    // Spreadsheet row 17: the 16th billing line.
    let (bad, old) = replace_field(&billing, 17, column, "twelve");
    assert!(old.parse::<f64>().is_ok(), "row 17 had a number: {old}");
    broken.write("billing.csv", &bad);

    let line = broken.run_expecting_user_error();
    assert!(
        line.starts_with("error: billing.csv, row 17, column \"quantity\": "),
        "should name billing.csv, row 17 and column quantity: {line}"
    );
    assert!(
        line.contains("\"twelve\""),
        "should quote the bad value: {line}"
    );
}

#[test]
fn usage_with_bad_last_seen_date() {
    let broken = demo_copy();
    let usage = broken.read("usage.csv");
    let column = column_index(&usage, "last_seen");
    // Spreadsheet row 321, well past the first buffer of rows.
    let (bad, old) = replace_field(&usage, 321, column, "2026-02-30T10:00:00Z");
    assert!(old.starts_with("20"), "row 321 had a date: {old}");
    broken.write("usage.csv", &bad);

    let line = broken.run_expecting_user_error();
    assert!(
        line.starts_with("error: usage.csv, row 321, column \"last_seen\": "),
        "should name usage.csv, row 321 and column last_seen: {line}"
    );
    assert!(
        line.contains("2026-02-30T10:00:00Z"),
        "should show the bad value: {line}"
    );
}

#[test]
fn client_map_with_conflicting_mappings() {
    let broken = demo_copy();
    let map = broken.read("client_map.csv");
    let mut lines: Vec<String> = map.lines().map(str::to_string).collect();
    // Row 2's (source, external_client_id), mapped to another client at row 11.
    let first: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    let other_client = lines
        .iter()
        .skip(2)
        .map(|l| l.rsplit(',').next().expect("a client_id").to_string())
        .find(|c| *c != first[2])
        .expect("the demo maps more than one client");
    let conflicting = format!("{},{},{}", first[0], first[1], other_client);
    lines.insert(10, conflicting);
    broken.write("client_map.csv", &(lines.join("\n") + "\n"));

    let line = broken.run_expecting_user_error();
    assert!(
        line.starts_with("error: client_map.csv, row 11, column \"client_id\": "),
        "should name client_map.csv, row 11 and column client_id: {line}"
    );
    for fact in [&first[1], &first[2], &other_client, "row 2"] {
        assert!(line.contains(fact), "should mention {fact}: {line}");
    }
}

#[test]
fn bom_crlf_and_quoted_fields_still_run() {
    let root = tempfile::tempdir().expect("temp dir");
    let demo = write_demo(root.path());
    let data = demo.join("data");
    // Every field quoted, CRLF line ends, a UTF-8 byte order mark.
    for name in ["billing.csv", "usage.csv", "client_map.csv"] {
        let content = fs::read_to_string(data.join(name)).expect("demo file");
        let mut messy = String::from("\u{feff}");
        for line in content.lines() {
            let quoted: Vec<String> = line.split(',').map(|f| format!("\"{f}\"")).collect();
            messy.push_str(&quoted.join(","));
            messy.push_str("\r\n");
        }
        fs::write(data.join(name), messy).expect("write messy file");
    }
    let again = root.path().join("again");
    let output = run_on(&data, &again);
    assert_success(&output, "reckon run on BOM + CRLF + quoted files");
    for name in RESULT_FILES {
        let first = fs::read(demo.join("results").join(name)).expect("demo result");
        let second = fs::read(again.join(name)).expect("run result");
        assert!(
            first == second,
            "{name} differs after quoting, CRLF and a BOM in the input"
        );
    }
}

/// A usage file large enough to be read on several threads, with a quoted
/// field holding a line break (so a cut between threads could fall inside
/// it) and a bad value near the end: the threaded reader must give the same
/// results as one thread, and name the right row.
#[test]
fn large_usage_reads_the_same_on_any_number_of_threads() {
    let root = tempfile::tempdir().expect("temporary directory");
    let data = write_demo(root.path()).join("data");
    let demo_usage = fs::read_to_string(data.join("usage.csv")).expect("usage.csv");
    let mut lines = demo_usage.lines();
    let header = lines.next().expect("header");
    let body: Vec<&str> = lines.collect();
    let mut usage = String::from(header);
    usage.push('\n');
    // Repeat the demo's rows (duplicates fold, so the numbers stay
    // meaningful) until the file passes the threaded reader's 8 MiB mark.
    let mut copies = 0;
    while usage.len() < 9 << 20 {
        for line in &body {
            usage.push_str(line);
            usage.push('\n');
        }
        copies += 1;
        if copies == 100 {
            // A quoted client name with a line break inside, mid-file.
            let first = body[0];
            let fields: Vec<&str> = first.split(',').collect();
            usage.push_str(&fields[..6].join(","));
            usage.push_str(",\"Contoso\nDental, main office\"\n");
        }
    }
    fs::write(data.join("usage.csv"), &usage).expect("write usage.csv");

    let mut results = Vec::new();
    for threads in ["1", "2", "3"] {
        let out = root.path().join(format!("out{threads}"));
        let output = reckon(&[
            "run",
            "--data",
            path_str(&data),
            "--as-of",
            DEMO_AS_OF,
            "--out",
            path_str(&out),
            "--threads",
            threads,
        ]);
        assert_success(&output, "reckon run --threads");
        results.push(
            RESULT_FILES
                .map(|name| fs::read(out.join(name)).expect("result file"))
                .to_vec(),
        );
    }
    assert_eq!(results[0], results[1], "1 and 2 threads differ");
    assert_eq!(results[0], results[2], "1 and 3 threads differ");

    // A bad date on the last row is reported with its line number (the
    // quoted break counts as a line), whatever thread read it.
    let last_line = usage.lines().count();
    let last = usage.lines().last().expect("a last row").to_string();
    let broken_last = last.replace("2026-", "2026-13-");
    let broken = format!("{}{broken_last}\n", &usage[..usage.len() - last.len() - 1]);
    fs::write(data.join("usage.csv"), broken).expect("write usage.csv");
    let out = root.path().join("out_bad");
    let output = reckon(&[
        "run",
        "--data",
        path_str(&data),
        "--as-of",
        DEMO_AS_OF,
        "--out",
        path_str(&out),
        "--threads",
        "2",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: usage.csv, row {last_line}, column \"last_seen\": "
        )),
        "{stderr}"
    );
    assert!(
        files_under(&out).is_empty(),
        "partial output left in {}",
        out.display()
    );
}
