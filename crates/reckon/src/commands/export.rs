//! `reckon export`: a run as a report for finance, in the format asked.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use reckon_core::RunParams;
use reckon_report::adjustments::{PsaShape, Selection, propose};
use reckon_report::model::{ReportRun, money_text};

use crate::cli::{AdjustmentsArgs, ExportArgs, ExportFormat, ReportInputArgs};
use crate::commands::review_commands::open;
use crate::error::UserError;
use crate::output::write_file_atomically;
use crate::params::parse_as_of;
use crate::report_source::{live_report, stored_report};
use crate::workspace::runtime;

/// The report model of the run the arguments name, cut to one client when
/// asked.
pub fn load(input: &ReportInputArgs) -> Result<ReportRun> {
    let run = match &input.data {
        Some(data) => {
            let as_of = input.as_of.as_deref().ok_or_else(|| {
                UserError("--data needs --as-of (the instant usage is judged at)".to_string())
            })?;
            let params = RunParams {
                as_of: parse_as_of(as_of)?,
                stale_days: input.stale_days,
            };
            let currency = reckon_store::setting_value("currency", &input.currency)
                .map_err(|message| UserError(format!("--currency: {message}")))?;
            live_report(data, &params, &currency)?
        }
        None => {
            let runtime = runtime()?;
            let workspace = open(&input.workspace, &runtime)?;
            let run = runtime.block_on(stored_report(&workspace, input.run))?;
            runtime.block_on(workspace.store.close());
            run
        }
    };
    if let Some(client) = &input.client {
        let matching = run.clients_matching(client);
        if matching.len() > 1 {
            let listed: Vec<String> = matching
                .iter()
                .map(|(id, name)| format!("{id} ({name})"))
                .collect();
            return Err(UserError(format!(
                "--client {client}: {} PSA clients match ({}); give the client id",
                matching.len(),
                listed.join(", ")
            ))
            .into());
        }
    }
    match &input.client {
        None => Ok(run),
        Some(client) => run.for_client(client).ok_or_else(|| {
            let names = run.client_names();
            let known = if names.is_empty() {
                "the run has no clients".to_string()
            } else {
                format!("clients: {}", names.join(", "))
            };
            UserError(format!(
                "--client {client}: no finding or billing line of this run names it ({known})"
            ))
            .into()
        }),
    }
}

fn format_of(args: &ExportArgs) -> Result<ExportFormat> {
    if let Some(format) = args.format {
        return Ok(format);
    }
    let extension = args
        .out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("xlsx") => Ok(ExportFormat::Xlsx),
        Some("html" | "htm") => Ok(ExportFormat::Html),
        Some("csv") => Ok(ExportFormat::Csv),
        Some("json") => Ok(ExportFormat::Json),
        _ => Err(UserError(format!(
            "--out {}: say which format with --format (xlsx, html, csv, evidence-csv, json)",
            args.out.display()
        ))
        .into()),
    }
}

/// `reckon export --out FILE [--format F] [--run ID | --data DIR --as-of D] [--client C]`.
pub fn export(args: &ExportArgs) -> Result<()> {
    let format = format_of(args)?;
    let run = load(&args.input)?;
    write_file_atomically(&args.out, |out| {
        match format {
            ExportFormat::Xlsx => {
                let bytes = reckon_report::write_xlsx(&run)
                    .map_err(|e| anyhow::anyhow!("cannot make the workbook: {e}"))?;
                out.write_all(&bytes)?;
            }
            ExportFormat::Html => reckon_report::write_html(&run, out)?,
            ExportFormat::Csv => reckon_report::write_findings_csv(&run, out)?,
            ExportFormat::EvidenceCsv => reckon_report::write_evidence_csv(&run, out)?,
            ExportFormat::Json => reckon_report::write_report_json(&run, out)?,
        }
        Ok(())
    })?;
    print_written(&run, &args.out)
}

/// What was written, with the totals the file holds.
fn print_written(run: &ReportRun, path: &Path) -> Result<()> {
    let totals = run.totals();
    let mut out = std::io::stdout().lock();
    let source = match run.run_id {
        Some(id) => format!("run {id} ({})", run.period),
        None => format!("a reconciliation as of {}", run.as_of),
    };
    writeln!(
        out,
        "Wrote {} from {source}: {} findings; underbilled {} {} and overbilled {} {} per month",
        path.display(),
        run.findings.len(),
        money_text(totals.underbilled_per_month),
        run.currency,
        money_text(totals.overbilled_per_month),
        run.currency,
    )?;
    Ok(())
}

/// `reckon adjustments --out FILE [--psa SHAPE] [--all] [--effective DATE] [run choice]`.
pub fn adjustments(args: &AdjustmentsArgs) -> Result<()> {
    let requested = match args.psa.as_deref() {
        Some(name) => Some(PsaShape::parse(name).ok_or_else(|| {
            UserError(format!(
                "--psa {name}: expected one of {}",
                PsaShape::NAMES.join(", ")
            ))
        })?),
        None => None,
    };
    if let Some(day) = &args.effective
        && day.parse::<jiff::civil::Date>().is_err()
    {
        return Err(UserError(format!(
            "--effective {day}: expected a date such as 2026-12-01"
        ))
        .into());
    }
    let run = load(&args.input)?;
    let shape = requested.unwrap_or_else(|| PsaShape::of_lines(&run.lines));
    let effective = match &args.effective {
        Some(day) => day.clone(),
        None => run.default_effective_date()?,
    };
    let selection = if args.all {
        Selection::AllPairFindings
    } else {
        Selection::MarkedForAction
    };
    let proposal = propose(&run, selection, &effective);
    write_file_atomically(&args.out, |out| {
        shape.write(&proposal, &run.currency, out)?;
        Ok(())
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Wrote {} ({} shape): {} line change(s) effective {effective}, monthly effect {} {}",
        args.out.display(),
        shape.name(),
        proposal.adjustments.len(),
        money_text(proposal.monthly_effect()),
        run.currency
    )?;
    if proposal.adjustments.is_empty() && !args.all {
        writeln!(
            out,
            "No finding is marked for action: mark them with `reckon review ID --for-action`, or pass --all"
        )?;
    }
    for skipped in &proposal.skipped {
        writeln!(
            out,
            "  not proposed: {} {} {}: {}",
            skipped.finding_id, skipped.kind, skipped.client_name, skipped.reason
        )?;
    }
    writeln!(out, "Nothing was sent to the PSA.")?;
    Ok(())
}
