use std::fs::File;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use reckon_sources::convert::{
    CanonicalWriter, ConvertError, ConvertOptions, ConvertReport, convert,
};
use reckon_sources::input::{ReadOptions, open_inputs};
use reckon_sources::profiles::{Context, Registry};

use crate::cli::ConvertArgs;
use crate::custom_profiles;
use crate::error::UserError;
use crate::output::StagedFiles;
use crate::params::parse_as_of;

/// `reckon convert FILE... --out DIR`.
pub fn run(args: &ConvertArgs) -> Result<()> {
    let as_of = match &args.as_of {
        Some(text) => parse_as_of(text)?,
        None => jiff::Timestamp::now(),
    };
    let mut context = Context::for_as_of(as_of);
    context.source = args.source.clone();
    context.client_ref = args.client_ref.clone();
    context.client_name = args.client_name.clone();
    let dir = custom_profiles::profiles_dir(args.profiles_dir.as_deref());
    let custom = custom_profiles::load(dir.as_deref())?;
    // A custom profile chosen by name may say which sheet and header row
    // its files use; the command line still wins.
    let chosen = args.profile.as_deref().and_then(|name| {
        custom
            .iter()
            .find(|profile| profile.name.eq_ignore_ascii_case(name))
    });
    let read_options = ReadOptions {
        sheet: args
            .sheet
            .clone()
            .or_else(|| chosen.and_then(|profile| profile.sheet.clone())),
        header_row: args
            .header_row
            .or_else(|| chosen.and_then(|profile| profile.header_row)),
    };
    let registry = Registry::builtin().with_custom(custom);
    let mut inputs = Vec::new();
    let mut total_bytes = 0;
    for path in &args.files {
        let name = path.display().to_string();
        let file = File::open(path)
            .map_err(|error| UserError(format!("{name}: cannot be opened: {error}")))?;
        total_bytes += file.metadata().map_or(0, |m| m.len());
        inputs.extend(open_inputs(&name, Box::new(file), &read_options)?);
    }
    let options = ConvertOptions {
        profile: args.profile.clone(),
        strict: args.strict,
    };
    let staged = StagedFiles::new(&args.out)?;
    let mut writer = CanonicalWriter::new(staged.clone());
    let bar = progress_bar(total_bytes);
    let mut done_before = 0u64;
    let mut current = String::new();
    let mut last = 0u64;
    let result = convert(
        &registry,
        inputs,
        &options,
        &context,
        &mut writer,
        &mut |file, bytes| {
            if current != file {
                done_before += last;
                current = file.to_string();
            }
            last = bytes;
            bar.set_position(done_before + bytes);
        },
    );
    bar.finish_and_clear();
    let report = match result {
        Ok(report) => report,
        Err(error) => {
            staged.discard();
            return Err(match error {
                ConvertError::Input(error) => error.into(),
                ConvertError::Output(error) => {
                    anyhow::Error::new(error).context("cannot write the converted files")
                }
            });
        }
    };
    if let Err(error) = writer.finish() {
        staged.discard();
        return Err(anyhow::Error::new(error).context("cannot write the converted files"));
    }
    let written = staged.commit()?;
    print_report(&report, &context, &written, &args.out)?;
    Ok(())
}

fn progress_bar(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "converting {bar:24} {percent:>3}% {bytes}/{total_bytes}, {eta} left",
    ) {
        bar.set_style(style);
    }
    bar
}

fn print_report(
    report: &ConvertReport,
    context: &Context,
    written: &[String],
    out_dir: &Path,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Billing period {} to {} (as of {})",
        context.period_start, context.period_end, context.as_of
    )?;
    for file in &report.files {
        writeln!(out, "\n{}: {} {}", file.file, file.profile, file.part)?;
        writeln!(out, "  why: {}", file.reason)?;
        let skipped: u64 = file.skipped.values().sum();
        writeln!(
            out,
            "  rows read {}, used {}, skipped {}",
            file.rows_read, file.rows_used, skipped
        )?;
        for (reason, count) in &file.skipped {
            writeln!(out, "    {count:>6}  {reason}")?;
        }
        for problem in &file.problems {
            writeln!(out, "  unreadable: {problem}")?;
        }
        if file.unreadable > file.problems.len() as u64 {
            writeln!(
                out,
                "  ... and {} more unreadable rows (all in skipped.csv)",
                file.unreadable - file.problems.len() as u64
            )?;
        }
    }
    for note in &report.notes {
        writeln!(out, "\nnote: {note}")?;
    }
    let counts = report.written;
    writeln!(
        out,
        "\nWrote {} billing lines, {} usage items, {} usage counts, {} subscriptions; {} rows skipped (listed in skipped.csv)",
        counts.billing_lines,
        counts.usage_items,
        counts.usage_counts,
        counts.subscriptions,
        counts.skipped
    )?;
    writeln!(
        out,
        "Files in {}: {}",
        out_dir.display(),
        written.join(", ")
    )?;
    Ok(())
}
