//! Every source profile against its fixture: realistic exports and API
//! payloads in `tests/profiles/<profile>/`, each with a NOTES.md that says
//! what every row must yield and why. The snapshot holds the conversion
//! report and every canonical file it wrote.
//!
//! A fixture folder may hold `convert.toml` with what a user would pass on
//! the command line: `profile`, `client_ref`, `client_name`, `strict`.
//! `*.profile.toml` files in it are custom profiles to load.

use std::fs;
use std::path::{Path, PathBuf};

use reckon_sources::convert::{CanonicalWriter, ConvertOptions, MemoryOutput, convert};
use reckon_sources::input::{ReadOptions, open_inputs};
use reckon_sources::profiles::{Context, CustomProfile, Registry};

fn fixture_dirs(corpus: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(corpus);
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .expect("tests/profiles exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[derive(Debug, Default, serde::Deserialize)]
struct FixtureOptions {
    profile: Option<String>,
    client_ref: Option<String>,
    client_name: Option<String>,
    #[serde(default)]
    strict: bool,
    as_of: Option<String>,
    sheet: Option<String>,
    header_row: Option<usize>,
}

/// Converts a folder's files and renders the result for a snapshot.
pub fn convert_dir(dir: &Path) -> String {
    let options: FixtureOptions = match fs::read_to_string(dir.join("convert.toml")) {
        Ok(text) => toml::from_str(&text).expect("convert.toml parses"),
        Err(_) => FixtureOptions::default(),
    };
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("fixture dir")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            path.is_file()
                && !name.ends_with(".md")
                && !name.ends_with(".toml")
                && !name.ends_with(".py")
                && !name.starts_with('.')
        })
        .collect();
    files.sort();
    let custom: Vec<CustomProfile> = fs::read_dir(dir)
        .expect("fixture dir")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.to_string_lossy().ends_with(".profile.toml"))
        .map(|path| CustomProfile::parse(&fs::read_to_string(path).expect("read")).expect("valid"))
        .collect();
    let registry = Registry::builtin().with_custom(custom);
    let mut inputs = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let reader = Box::new(fs::File::open(path).expect("open"));
        let read = ReadOptions {
            sheet: options.sheet.clone(),
            header_row: options.header_row,
        };
        match open_inputs(&name, reader, &read) {
            Ok(found) => inputs.extend(found),
            Err(error) => return format!("error: {error}\n"),
        }
    }
    let as_of = options
        .as_of
        .as_deref()
        .unwrap_or("2026-11-30T00:00:00Z")
        .parse()
        .expect("as_of");
    let mut context = Context::for_as_of(as_of);
    context.client_ref = options.client_ref.clone();
    context.client_name = options.client_name.clone();
    let output = MemoryOutput::default();
    let mut writer = CanonicalWriter::new(output.clone());
    let convert_options = ConvertOptions {
        profile: options.profile.clone(),
        strict: options.strict,
    };
    let report = match convert(
        &registry,
        inputs,
        &convert_options,
        &context,
        &mut writer,
        &mut |_, _| {},
    ) {
        Ok(report) => report,
        Err(error) => return format!("error: {error}\n"),
    };
    writer.finish().expect("in memory");
    let mut text = String::new();
    for file in &report.files {
        text.push_str(&format!(
            "{} -> {} {} ({})\n  read {}, used {}",
            file.file, file.profile, file.part, file.reason, file.rows_read, file.rows_used
        ));
        for (reason, count) in &file.skipped {
            text.push_str(&format!("; {reason}: {count}"));
        }
        text.push('\n');
        for problem in &file.problems {
            text.push_str(&format!("  ! {problem}\n"));
        }
    }
    for note in &report.notes {
        text.push_str(&format!("note: {note}\n"));
    }
    for (name, content) in output.texts() {
        text.push_str(&format!("\n== {name} ==\n{content}"));
    }
    text
}

fn snapshot_corpus(corpus: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/snapshots")
            .join(corpus),
    );
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for dir in fixture_dirs(corpus) {
            let name = dir
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            insta::assert_snapshot!(name.clone(), convert_dir(&dir));
        }
    });
}

#[test]
fn every_profile_fixture() {
    snapshot_corpus("profiles");
}

/// Encodings, delimiters, titles, totals, number and date shapes,
/// workbooks, and broken files: `tests/messy/README.md`.
#[test]
fn every_messy_input() {
    snapshot_corpus("messy");
}
