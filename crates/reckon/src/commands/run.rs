use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use reckon_core::{Finding, Reconciliation, RunParams};
use reckon_store::{ImportKind, NewRun, RunStore, Store, StoredFinding};

use crate::annotations::MappingChoices;
use crate::cli::RunArgs;
use crate::dataset::{self, Dir, InMemory, Reference};
use crate::error::UserError;
use crate::importing::period_last_day;
use crate::params::parse_as_of;
use crate::pipeline;
use crate::workspace::{self, actor, runtime};

/// `reckon run --data DIR --as-of DATE --out OUTDIR`, or in a workspace
/// `reckon run [--period YYYY-MM] [--as-of DATE] [--out OUTDIR]`.
pub fn run(args: &RunArgs) -> Result<()> {
    match &args.data {
        Some(data) => run_files(args, data),
        None => run_workspace(args),
    }
}

fn run_files(args: &RunArgs, data: &Path) -> Result<()> {
    let as_of = args.as_of.as_deref().ok_or_else(|| {
        UserError("--data needs --as-of (the instant usage is judged at)".to_string())
    })?;
    let out_dir = args
        .out
        .as_deref()
        .ok_or_else(|| UserError("--data needs --out (where the results go)".to_string()))?;
    let params = RunParams {
        as_of: parse_as_of(as_of)?,
        stale_days: args.stale_days,
    };
    if !data.is_dir() {
        return Err(UserError(format!(
            "--data {}: not a directory (it should hold billing.csv, usage.csv, client_map.csv, product_map.csv and products.csv)",
            data.display()
        ))
        .into());
    }
    let files = Dir(data);
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
    let usage_path = data.join(reckon_sources::canonical::USAGE);
    let recon = pipeline::reconcile_files(&reference, &files, Some(&usage_path), &params, threads)?;
    let choices = mapping_choices(&reference, data)?;
    finish(args, &recon, &params, &choices, Some(out_dir))?;
    // The process ends here: freeing millions of small allocations one by
    // one would only delay the exit that returns all memory at once.
    std::mem::forget(recon);
    std::mem::forget(reference);
    Ok(())
}

/// The workspace's rejected suggestions, as clients and products.
async fn store_rejections(
    store: &reckon_store::SqlStore,
) -> Result<(
    Vec<reckon_sources::canonical::references::DecisionRow>,
    Vec<reckon_sources::canonical::references::DecisionRow>,
)> {
    use reckon_store::MappingStore;
    let (mut clients, mut products) = (Vec::new(), Vec::new());
    for rejection in store.rejections().await? {
        let row = reckon_sources::canonical::references::DecisionRow {
            source: rejection.source,
            external_id: rejection.external_id,
            target: rejection.suggested_id,
            external_name: String::new(),
            units: String::new(),
        };
        match rejection.kind.as_str() {
            "client" => clients.push(row),
            _ => products.push(row),
        }
    }
    Ok((clients, products))
}

/// Suggestions for unmapped references, less the ones rejected in the data
/// set (`client_map_rejected.csv`, `product_map_rejected.csv`).
pub(crate) fn mapping_choices(reference: &Reference, data: &Path) -> Result<MappingChoices> {
    let rejected = |name: &str| -> Result<Vec<_>> {
        match std::fs::File::open(data.join(name)) {
            Ok(file) => Ok(if name == reckon_sources::canonical::CLIENT_MAP_REJECTED {
                reckon_sources::canonical::references::read_client_decisions(file, name)?
            } else {
                reckon_sources::canonical::references::read_product_decisions(file, name)?
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(error) => Err(error.into()),
        }
    };
    Ok(MappingChoices::new(
        &reference.catalog,
        &rejected(reckon_sources::canonical::CLIENT_MAP_REJECTED)?,
        rejected(reckon_sources::canonical::PRODUCT_MAP_REJECTED)?,
    ))
}

/// Outputs (when asked for) and the summary.
fn finish(
    args: &RunArgs,
    recon: &Reconciliation<'_>,
    params: &RunParams,
    choices: &MappingChoices,
    out_dir: Option<&Path>,
) -> Result<()> {
    let annotations = choices.annotations();
    if let Some(out_dir) = out_dir {
        pipeline::standard_outputs(recon, &annotations).write_to(out_dir)?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Reconciled {} usage rows and {} billing lines as of {} (stale after {} days)",
        recon.stats().usage_rows,
        recon.stats().billing_lines,
        params.as_of,
        params.stale_days
    )?;
    reckon_report::write_summary(&recon.summary(args.top), &mut out)?;
    if let Some(out_dir) = out_dir {
        writeln!(
            out,
            "\nWrote recon.csv, exceptions.csv and findings.json to {}",
            out_dir.display()
        )?;
    }
    Ok(())
}

/// `reckon run` in a workspace: reconcile a period and store the run.
fn run_workspace(args: &RunArgs) -> Result<()> {
    let runtime = runtime()?;
    let dir = workspace::locate(args.workspace.workspace.as_deref())?;
    let workspace = runtime.block_on(workspace::open(
        &dir,
        args.workspace.database_url.as_deref(),
    ))?;
    let request = PeriodRunRequest {
        period: args.period.clone(),
        as_of: args.as_of.clone(),
        stale_days: args.stale_days,
        strict: args.strict,
        actor: actor(args.workspace.user.as_deref()),
    };
    let stored = runtime.block_on(run_period(
        &workspace,
        &request,
        &mut |period, latest, warnings, recon, params, choices| {
            for warning in warnings {
                eprintln!("warning: {warning}");
            }
            println!(
                "Period {period} of the workspace {}: imports {}",
                dir.display(),
                latest
                    .iter()
                    .map(|import| format!(
                        "{} ({} {})",
                        import.id,
                        import.kind.as_str(),
                        import.source
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            finish(args, recon, params, choices, args.out.as_deref())
        },
    ))?;
    println!(
        "\nStored run {} of {} with {} findings: review them with `reckon findings`, compare with `reckon diff`",
        stored.run_id, stored.period, stored.finding_count
    );
    runtime.block_on(workspace.store.close());
    Ok(())
}

/// What `run_period` is asked to do.
#[derive(Debug, Clone)]
pub struct PeriodRunRequest {
    /// `YYYY-MM` (default: the latest period imported).
    pub period: Option<String>,
    /// Default: the period's last day.
    pub as_of: Option<String>,
    pub stale_days: u32,
    /// Refuse when the imports are stale or a feed is missing.
    pub strict: bool,
    pub actor: String,
}

/// A run `run_period` stored.
#[derive(Debug, Clone)]
pub struct PeriodRunStored {
    pub run_id: i64,
    pub period: String,
    pub finding_count: usize,
}

/// Called with the reconciliation before it is stored (to print or write
/// it): the period, its imports, the warnings about them, the run.
pub type OnReconciled<'a> = dyn FnMut(
        &str,
        &[reckon_store::ImportRecord],
        &[String],
        &Reconciliation<'_>,
        &RunParams,
        &MappingChoices,
    ) -> Result<()>
    + 'a;

/// A period of the workspace: the latest import of each feed of the
/// period, with the catalogue and mappings imported at or before it,
/// reconciled and stored as a run (never changed afterwards).
pub async fn run_period(
    workspace: &workspace::Workspace,
    request: &PeriodRunRequest,
    on_reconciled: &mut OnReconciled<'_>,
) -> Result<PeriodRunStored> {
    let store = &workspace.store;
    let period = match &request.period {
        Some(period) => period.clone(),
        None => store.periods().await?.pop().ok_or_else(|| {
            UserError(format!(
                "the workspace {} has no imports yet: run `reckon import`",
                workspace.dir.display()
            ))
        })?,
    };
    let last_day = period_last_day(&period)?;
    let as_of = match &request.as_of {
        Some(text) => parse_as_of(text)?,
        None => last_day
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|zoned| zoned.timestamp())
            .map_err(|e| UserError(format!("period {period}: {e}")))?,
    };
    let params = RunParams {
        as_of,
        stale_days: request.stale_days,
    };
    let latest = store.latest_imports(&period).await?;
    if !latest.iter().any(|import| import.kind == ImportKind::Usage) {
        return Err(UserError(format!("period {period} has no usage imported")).into());
    }
    let warnings = import_warnings(
        &latest,
        &store.imports(None).await?,
        &period,
        as_of,
        store
            .setting("import_stale_days")
            .await?
            .and_then(|days| days.parse().ok())
            .unwrap_or(workspace.config.import_stale_days),
    );
    if request.strict && !warnings.is_empty() {
        return Err(UserError(format!(
            "--strict: {} warning(s) about the imports ({}); import fresh data or run without --strict",
            warnings.len(),
            warnings.join("; ")
        ))
        .into());
    }
    // The canonical files the imports make up: billing and usage snapshots
    // share one layout, so a kind's snapshots join under one header.
    let mut files: Vec<(&'static str, String)> = Vec::new();
    for (kind, name) in [
        (ImportKind::Billing, reckon_sources::canonical::BILLING),
        (ImportKind::Usage, reckon_sources::canonical::USAGE),
        (ImportKind::Products, reckon_sources::canonical::PRODUCTS),
        (ImportKind::Clients, reckon_sources::canonical::CLIENTS),
        (ImportKind::ClientMap, reckon_sources::canonical::CLIENT_MAP),
        (
            ImportKind::ProductMap,
            reckon_sources::canonical::PRODUCT_MAP,
        ),
        (
            ImportKind::MappingFile,
            reckon_sources::canonical::MAPPING_FILE,
        ),
    ] {
        let mut joined = String::new();
        for import in latest.iter().filter(|import| import.kind == kind) {
            let bytes = store.import_content(import.id).await?;
            // Snapshots stored by an older reckon may have other columns:
            // such a one is laid out anew before they are joined.
            let layout: Option<&[&str]> = match kind {
                ImportKind::Billing => Some(&reckon_sources::convert::BILLING_COLUMNS),
                ImportKind::Usage => Some(&reckon_sources::convert::USAGE_COLUMNS),
                _ => None,
            };
            let bytes = match layout {
                Some(columns) if !starts_with_header(&bytes, columns) => {
                    crate::importing::relayout(&bytes, columns, &format!("import {}", import.id))?
                }
                _ => bytes,
            };
            let text = String::from_utf8(bytes)
                .with_context(|| format!("import {} is not UTF-8 text", import.id))?;
            if joined.is_empty() || kind == ImportKind::MappingFile {
                joined.push_str(&text);
            } else {
                // The header is the first line of every snapshot.
                joined.push_str(text.split_once('\n').map_or("", |(_, rest)| rest));
            }
        }
        if !joined.is_empty() {
            files.push((name, joined));
        }
    }
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let in_memory = InMemory(&borrowed);
    let reference: Reference = dataset::load_reference(&in_memory)?;
    let recon = pipeline::reconcile_files(&reference, &in_memory, None, &params, 1)?;
    // Suggestions turned down in the workspace are never proposed again,
    // so a stored run (and every report of it) leaves them out.
    let (rejected_clients, rejected_products) = store_rejections(store).await?;
    let choices = MappingChoices::new(&reference.catalog, &rejected_clients, rejected_products);
    on_reconciled(&period, &latest, &warnings, &recon, &params, &choices)?;
    let annotations = choices.annotations();
    let findings: Vec<StoredFinding> = (0..recon.finding_count())
        .map(|index| stored_finding(&recon.finding(index), &annotations))
        .collect();
    let summary = recon.summary(0);
    let new_run = NewRun {
        period: period.clone(),
        as_of: params.as_of.to_string(),
        stale_days: params.stale_days,
        created_at: now(),
        created_by: request.actor.clone(),
        inputs: latest.iter().map(|import| import.id).collect(),
        pairs: summary.pairs,
        underbilled: summary.underbilled_per_month.to_string(),
        overbilled: summary.overbilled_per_month.to_string(),
    };
    let run_id = store.add_run(&new_run, &findings).await?;
    Ok(PeriodRunStored {
        run_id,
        period,
        finding_count: findings.len(),
    })
}

/// Whether a CSV text's first line is exactly `columns`.
fn starts_with_header(bytes: &[u8], columns: &[&str]) -> bool {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    first == columns.join(",").as_bytes()
}

/// Reasons not to trust a run's inputs: a feed whose latest import for the
/// period is older than `stale_days` at the as-of instant, and a feed that
/// the previous period had and this one lacks.
fn import_warnings(
    latest: &[reckon_store::ImportRecord],
    all: &[reckon_store::ImportRecord],
    period: &str,
    as_of: jiff::Timestamp,
    stale_days: u32,
) -> Vec<String> {
    let mut warnings = Vec::new();
    for import in latest.iter().filter(|i| !i.kind.is_reference()) {
        let Ok(imported) = import.imported_at.parse::<jiff::Timestamp>() else {
            continue;
        };
        let age_days = as_of.as_second().saturating_sub(imported.as_second()) / 86_400;
        if age_days > i64::from(stale_days) {
            warnings.push(format!(
                "the latest {} import of {} for {period} is {age_days} days old at the as-of date (import {})",
                import.kind.as_str(),
                import.source,
                import.id
            ));
        }
    }
    let previous = all
        .iter()
        .map(|i| i.period.as_str())
        .filter(|p| *p < period)
        .max();
    if let Some(previous) = previous {
        for import in all
            .iter()
            .filter(|i| i.period == previous && !i.kind.is_reference())
        {
            let present = latest
                .iter()
                .any(|l| l.kind == import.kind && l.source == import.source);
            let warning = format!(
                "{} {} was imported for {previous} but not for {period}",
                import.kind.as_str(),
                import.source
            );
            if !present && !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
    }
    warnings
}

/// A finding as a stored run keeps it.
pub fn stored_finding(
    finding: &Finding<'_>,
    annotate: &dyn reckon_report::Annotate,
) -> StoredFinding {
    let text = |value: Option<&str>| value.unwrap_or("").to_string();
    let client_id = text(finding.client_id.map(|c| c.as_str()));
    let product_id = text(finding.product_id.map(|p| p.as_str()));
    let source = text(finding.source);
    let item_key = text(finding.key);
    StoredFinding {
        fingerprint: StoredFinding::fingerprint_of(
            finding.kind.as_str(),
            &client_id,
            &product_id,
            &source,
            &item_key,
        ),
        kind: finding.kind.as_str().to_string(),
        client_id,
        product_id,
        source,
        item_key,
        billed: finding
            .billed
            .map(|d| d.normalize().to_string())
            .unwrap_or_default(),
        actual: finding
            .actual
            .map(|d| d.normalize().to_string())
            .unwrap_or_default(),
        impact: finding.impact.to_string(),
        money_at_stake: finding.money_at_stake.to_string(),
        cause: finding.cause.as_str().to_string(),
        priority: finding.priority.as_str().to_string(),
        explanation: finding.explanation.clone(),
        detail: reckon_report::finding_json(finding, annotate),
    }
}

pub use reckon_store::clock::now;
