use std::io::Write;

use anyhow::Result;
use reckon_core::RunParams;

use crate::annotations::MappingChoices;
use crate::cli::RunArgs;
use crate::dataset::{self, Dir};
use crate::error::UserError;
use crate::params::parse_as_of;
use crate::pipeline;

/// `reckon run --data DIR --as-of DATE --out OUTDIR`.
pub fn run(args: &RunArgs) -> Result<()> {
    let params = RunParams {
        as_of: parse_as_of(&args.as_of)?,
        stale_days: args.stale_days,
    };
    if !args.data.is_dir() {
        return Err(UserError(format!(
            "--data {}: not a directory (it should hold billing.csv, usage.csv, client_map.csv, product_map.csv and products.csv)",
            args.data.display()
        ))
        .into());
    }
    let files = Dir(&args.data);
    let started = std::time::Instant::now();
    let reference = dataset::load_reference(&files)?;
    tracing::info!(
        billing_lines = reference.billing.len(),
        duration_ms = started.elapsed().as_millis() as u64,
        "read reference data"
    );
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let usage_path = args.data.join(reckon_sources::canonical::USAGE);
    let recon = pipeline::reconcile_files(&reference, &files, Some(&usage_path), &params, threads)?;
    let rejected = |name: &str| -> Result<Vec<_>> {
        match std::fs::File::open(args.data.join(name)) {
            Ok(file) => Ok(if name == reckon_sources::canonical::CLIENT_MAP_REJECTED {
                reckon_sources::canonical::references::read_client_decisions(file, name)?
            } else {
                reckon_sources::canonical::references::read_product_decisions(file, name)?
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(error) => Err(error.into()),
        }
    };
    let started = std::time::Instant::now();
    let choices = MappingChoices::new(
        &reference.catalog,
        &rejected(reckon_sources::canonical::CLIENT_MAP_REJECTED)?,
        rejected(reckon_sources::canonical::PRODUCT_MAP_REJECTED)?,
    );
    let annotations = choices.annotations();
    tracing::info!(
        duration_ms = started.elapsed().as_millis() as u64,
        "prepared mapping suggestions"
    );
    pipeline::standard_outputs(&recon, &annotations).write_to(&args.out)?;

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Reconciled {} usage rows and {} billing lines as of {} (stale after {} days)",
        recon.stats().usage_rows,
        recon.stats().billing_lines,
        params.as_of,
        params.stale_days
    )?;
    let started = std::time::Instant::now();
    reckon_report::write_summary(&recon.summary(args.top), &mut out)?;
    tracing::info!(
        duration_ms = started.elapsed().as_millis() as u64,
        "printed summary"
    );
    writeln!(
        out,
        "\nWrote recon.csv, exceptions.csv and findings.json to {}",
        args.out.display()
    )?;
    // The process ends here: freeing millions of small allocations one by
    // one would only delay the exit that returns all memory at once.
    std::mem::forget(recon);
    std::mem::forget(reference);
    Ok(())
}
