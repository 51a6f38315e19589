//! One reconciliation from a data set: load, reconcile, and the standard
//! output files. Shared by `reckon run` and `reckon demo`.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use reckon_core::{Reconciliation, RunParams, reconcile};

use crate::dataset::{self, Files, Reference};
use crate::output::OutputSet;

/// Reads usage for `reference` and reconciles. A data set on disk is read on
/// `threads` threads; an in-memory one on one.
pub fn reconcile_files<'c>(
    reference: &'c Reference,
    files: &dyn Files,
    usage_path: Option<&Path>,
    params: &RunParams,
    threads: usize,
) -> Result<Reconciliation<'c>> {
    let started = Instant::now();
    let usage = match usage_path {
        Some(path) => dataset::load_usage_file(path, &reference.catalog, params, threads)?,
        None => dataset::load_usage(files, &reference.catalog, params)?,
    };
    tracing::info!(
        rows = usage.rows_read(),
        duration_ms = started.elapsed().as_millis() as u64,
        "read usage"
    );
    let started = Instant::now();
    let recon = reconcile(&reference.catalog, &reference.billing, usage, params);
    tracing::info!(
        pairs = recon.stats().pairs,
        findings = recon.finding_count(),
        duration_ms = started.elapsed().as_millis() as u64,
        "reconciled"
    );
    for diagnostic in recon.diagnostics() {
        tracing::warn!("{diagnostic}");
    }
    Ok(recon)
}

/// `recon.csv`, `exceptions.csv` and `findings.json`, whose unmapped
/// findings carry `annotate`'s suggestions.
pub fn standard_outputs<'a>(
    recon: &'a Reconciliation<'_>,
    annotate: &'a dyn reckon_report::Annotate,
) -> OutputSet<'a> {
    let mut outputs = OutputSet::default();
    outputs.add("recon.csv", |out: &mut dyn Write| {
        reckon_report::write_recon_csv(recon, out)
    });
    outputs.add("exceptions.csv", |out: &mut dyn Write| {
        reckon_report::write_exceptions_csv(recon, out)
    });
    outputs.add("findings.json", |out: &mut dyn Write| {
        reckon_report::write_findings_json_annotated(recon, annotate, out)
    });
    outputs
}
