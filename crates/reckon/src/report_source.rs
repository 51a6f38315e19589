//! The report model of a run, from wherever the run lives: a stored run of
//! the workspace (with its review state and notes), or a live reconciliation
//! of files. Both go through the findings' JSON, so every format shows the
//! numbers `reckon run` wrote.

use std::path::Path;

use anyhow::{Context, Result};
use reckon_core::RunParams;
use reckon_report::model::{LineInfo, ReportFinding, ReportRun};
use reckon_web::report_data::ReportDataError;

use crate::commands::review_commands::today;
use crate::dataset::{self, Dir};
use crate::error::UserError;
use crate::pipeline;
use crate::workspace::Workspace;

/// A stored run (`None`: the latest) with today's review state: the one
/// function the web app's downloads use too.
pub async fn stored_report(workspace: &Workspace, run: Option<i64>) -> Result<ReportRun> {
    reckon_web::report_data::stored_report(
        &workspace.store,
        run,
        &today(),
        &crate::commands::run::now(),
    )
    .await
    .map_err(report_error)
}

/// A missing run or unreadable stored data is the user's to fix; a
/// database failure is not.
pub(crate) fn report_error(error: ReportDataError) -> anyhow::Error {
    match error {
        ReportDataError::NoRun(message) | ReportDataError::Data(message) => {
            UserError(message).into()
        }
        ReportDataError::Store(error) => anyhow::Error::new(error),
    }
}

/// A live reconciliation of a canonical data set, as `reckon run --data`
/// makes it.
pub fn live_report(data: &Path, params: &RunParams, currency: &str) -> Result<ReportRun> {
    if !data.is_dir() {
        return Err(UserError(format!("--data {}: not a directory", data.display())).into());
    }
    let files = Dir(data);
    let reference = dataset::load_reference(&files)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let usage_path = data.join(reckon_sources::canonical::USAGE);
    let recon = pipeline::reconcile_files(&reference, &files, Some(&usage_path), params, threads)?;
    // The same suggestions `reckon run --data` writes (rejected ones left out).
    let choices = crate::commands::run::mapping_choices(&reference, data)?;
    let annotations = choices.annotations();
    // One finding's JSON at a time: a run with a million findings never
    // holds the whole document.
    let findings = (0..recon.finding_count())
        .map(|index| {
            let json = reckon_report::finding_json(&recon.finding(index), &annotations);
            ReportFinding::from_json(&json)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut run = ReportRun {
        as_of: params.as_of.to_string(),
        findings,
        ..ReportRun::default()
    };
    let billing = data.join(reckon_sources::canonical::BILLING);
    let content =
        std::fs::read(&billing).with_context(|| format!("cannot read {}", billing.display()))?;
    run.lines = read_lines(&content, &billing.display().to_string())?;
    run.currency = currency.to_string();
    run.generated_at = crate::commands::run::now();
    run.sort_by_money();
    Ok(run)
}

/// Billing lines with the columns adjustments need, by header name.
pub fn read_lines(content: &[u8], shown: &str) -> Result<Vec<LineInfo>> {
    reckon_web::report_data::read_lines(content, shown).map_err(report_error)
}
