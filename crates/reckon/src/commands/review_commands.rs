//! `reckon runs`, `findings`, `show`, `review`, `diff`, `close`, `reopen`:
//! the review workflow over stored runs.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Result;
use reckon_store::diff::compare;
use reckon_store::{
    Note, PeriodState, Review, ReviewChange, ReviewState, RunRecord, RunStore, StoredFinding,
    effective_state, short_id,
};

use crate::cli::{DiffArgs, FindingsArgs, PeriodArgs, ReviewArgs, RunsArgs, ShowArgs};
use crate::commands::run::now;
use crate::error::UserError;
use crate::workspace::{Workspace, actor, runtime};

pub(crate) use crate::workspace::open_from_args as open;

/// A stored run (`None`: the latest), as the web and the reports find it.
pub(crate) async fn run_or_latest(workspace: &Workspace, run: Option<i64>) -> Result<RunRecord> {
    reckon_web::report_data::run_or_latest(&workspace.store, run)
        .await
        .map_err(crate::report_source::report_error)
}

pub(crate) use reckon_store::clock::today;

/// `reckon runs`.
pub fn runs(args: &RunsArgs) -> Result<()> {
    let runtime = runtime()?;
    let workspace = open(&args.workspace, &runtime)?;
    let runs = runtime.block_on(workspace.store.runs(args.period.as_deref()))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "run  period   as of                 findings  under/month  over/month  by, at"
    )?;
    for run in runs {
        writeln!(
            out,
            "{:<4} {:<8} {:<21} {:>8}  {:>11}  {:>10}  {}, {}",
            run.id,
            run.period,
            run.as_of,
            run.finding_count,
            run.underbilled,
            run.overbilled,
            run.created_by,
            run.created_at
        )?;
    }
    Ok(())
}

/// Every review, by the fingerprint of its finding.
fn reviews_by_fingerprint(
    runtime: &tokio::runtime::Runtime,
    workspace: &Workspace,
) -> Result<HashMap<String, Review>> {
    Ok(runtime
        .block_on(workspace.store.reviews())?
        .into_iter()
        .map(|review| (review.fingerprint.clone(), review))
        .collect())
}

/// `--state`, when given.
fn state_arg(text: Option<&str>) -> Result<Option<ReviewState>> {
    text.map(|text| {
        ReviewState::parse(text).ok_or_else(|| {
            UserError(format!(
                "--state {text}: expected open, acknowledged, resolved or ignored"
            ))
            .into()
        })
    })
    .transpose()
}

/// `reckon findings`.
pub fn findings(args: &FindingsArgs) -> Result<()> {
    let runtime = runtime()?;
    let workspace = open(&args.workspace, &runtime)?;
    let run = runtime.block_on(run_or_latest(&workspace, args.run))?;
    let findings = runtime.block_on(workspace.store.run_findings(run.id))?;
    let reviews = reviews_by_fingerprint(&runtime, &workspace)?;
    let wanted_state = state_arg(args.state.as_deref())?;
    let histories = runtime.block_on(workspace.store.run_histories(run.id))?;
    let today = today();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Run {} of {} (as of {}): {} findings",
        run.id, run.period, run.as_of, run.finding_count
    )?;
    writeln!(
        out,
        "id          kind               client    product       key                    impact  state         age"
    )?;
    let mut shown = 0;
    for finding in &findings {
        let review = reviews.get(&finding.fingerprint);
        let state = effective_state(review, &today);
        if wanted_state.is_some_and(|wanted| wanted != state)
            || args
                .kind
                .as_deref()
                .is_some_and(|kind| kind != finding.kind)
            || args
                .client
                .as_deref()
                .is_some_and(|client| client != finding.client_id)
        {
            continue;
        }
        // Age: the runs (up to this one) that found it.
        let seen = histories
            .get(&finding.fingerprint)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let first = seen.first().copied().unwrap_or(run.id);
        let age = seen.len().max(1);
        let key = if finding.item_key.is_empty() {
            "-".to_string()
        } else {
            finding.item_key.clone()
        };
        let assignee = review
            .map(|r| r.assignee.as_str())
            .filter(|a| !a.is_empty())
            .map(|a| format!(" ({a})"))
            .unwrap_or_default();
        let action = if review.is_some_and(|r| r.for_action) {
            " [PSA change]"
        } else {
            ""
        };
        writeln!(
            out,
            "{} {:<18} {:<9} {:<13} {:<20} {:>8}  {:<13} {} run{} since run {first}{assignee}{action}",
            short_id(&finding.fingerprint),
            finding.kind,
            finding.client_id,
            if finding.product_id.is_empty() {
                "-"
            } else {
                &finding.product_id
            },
            key,
            finding.impact,
            state.as_str(),
            age,
            if age == 1 { "" } else { "s" },
        )?;
        shown += 1;
    }
    writeln!(out, "{shown} shown")?;
    Ok(())
}

/// The finding of `run` whose short id starts with `id`.
fn find<'f>(findings: &'f [StoredFinding], id: &str) -> Result<&'f StoredFinding> {
    let matching: Vec<&StoredFinding> = findings
        .iter()
        .filter(|f| short_id(&f.fingerprint).starts_with(&id.to_ascii_lowercase()))
        .collect();
    match matching.as_slice() {
        [one] => Ok(one),
        [] => Err(UserError(format!("no finding of this run has the id {id}")).into()),
        _ => Err(UserError(format!(
            "{} findings start with {id}: give more of the id",
            matching.len()
        ))
        .into()),
    }
}

/// `reckon show ID`.
pub fn show(args: &ShowArgs) -> Result<()> {
    let runtime = runtime()?;
    let workspace = open(&args.workspace, &runtime)?;
    let run = runtime.block_on(run_or_latest(&workspace, args.run))?;
    let findings = runtime.block_on(workspace.store.run_findings(run.id))?;
    let finding = find(&findings, &args.id)?;
    let review = runtime
        .block_on(workspace.store.reviews())?
        .into_iter()
        .find(|r| r.fingerprint == finding.fingerprint);
    let notes = runtime.block_on(workspace.store.notes(&finding.fingerprint))?;
    let history = runtime.block_on(workspace.store.finding_runs(&finding.fingerprint))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} {} (run {}, {})",
        short_id(&finding.fingerprint),
        finding.kind,
        run.id,
        run.period
    )?;
    writeln!(
        out,
        "  client {}  product {}  source {}  key {}",
        finding.client_id, finding.product_id, finding.source, finding.item_key
    )?;
    writeln!(
        out,
        "  billed {}  actual {}  impact {}  at stake {}",
        finding.billed, finding.actual, finding.impact, finding.money_at_stake
    )?;
    writeln!(
        out,
        "  cause {}  priority {}",
        finding.cause, finding.priority
    )?;
    writeln!(out, "  {}", finding.explanation)?;
    match &review {
        Some(review) => writeln!(
            out,
            "  review: {}{}{}{}{} (by {} at {})",
            review.state.as_str(),
            if review.reason.is_empty() {
                String::new()
            } else {
                format!(", {}", review.reason)
            },
            if review.expires_on.is_empty() {
                String::new()
            } else {
                format!(", until {}", review.expires_on)
            },
            if review.assignee.is_empty() {
                String::new()
            } else {
                format!(", assigned to {}", review.assignee)
            },
            if review.for_action {
                ", marked for a PSA change"
            } else {
                ""
            },
            review.updated_by,
            review.updated_at
        )?,
        None => writeln!(out, "  review: open (not reviewed yet)")?,
    }
    writeln!(
        out,
        "  history: found in runs {}",
        history
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    for note in notes {
        writeln!(out, "  note {} by {}: {}", note.at, note.author, note.body)?;
    }
    writeln!(out, "  evidence: {}", finding.detail)?;
    Ok(())
}

/// `reckon review ID... --state ...`.
pub fn review(args: &ReviewArgs) -> Result<()> {
    let runtime = runtime()?;
    let workspace = open(&args.workspace, &runtime)?;
    let run = runtime.block_on(run_or_latest(&workspace, args.run))?;
    let findings = runtime.block_on(workspace.store.run_findings(run.id))?;
    let reviews = reviews_by_fingerprint(&runtime, &workspace)?;
    let state = state_arg(args.state.as_deref())?;
    if let Some(until) = &args.until
        && until.parse::<jiff::civil::Date>().is_err()
    {
        return Err(UserError(format!(
            "--until {until}: expected a date such as 2027-01-31"
        ))
        .into());
    }
    let who = actor(args.workspace.user.as_deref());
    let at = now();
    let mut out = std::io::stdout().lock();
    for id in &args.ids {
        let finding = find(&findings, id)?;
        let change = ReviewChange {
            state,
            reason: args.reason.clone(),
            until: args.until.clone(),
            assignee: args.assignee.clone(),
            for_action: match (args.for_action, args.no_action) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
        };
        if change != ReviewChange::default() {
            let current = reviews.get(&finding.fingerprint);
            let review = match change.applied_to(&finding.fingerprint, current, &at, &who) {
                Some(review) => {
                    runtime
                        .block_on(workspace.store.set_review(&review, &run.period))
                        .map_err(|e| UserError(e.to_string()))?;
                    review
                }
                // Already so: nothing written.
                None => current.cloned().unwrap_or_else(|| Review {
                    fingerprint: finding.fingerprint.clone(),
                    state: ReviewState::Open,
                    reason: String::new(),
                    expires_on: String::new(),
                    assignee: String::new(),
                    for_action: false,
                    updated_at: at.clone(),
                    updated_by: who.clone(),
                }),
            };
            writeln!(
                out,
                "{} is {}{}",
                short_id(&finding.fingerprint),
                review.state.as_str(),
                if review.for_action {
                    ", marked for a PSA change"
                } else {
                    ""
                }
            )?;
        }
        if let Some(body) = &args.note {
            runtime
                .block_on(workspace.store.add_note(
                    &Note {
                        id: 0,
                        fingerprint: finding.fingerprint.clone(),
                        at: at.clone(),
                        author: who.clone(),
                        body: body.clone(),
                    },
                    &run.period,
                ))
                .map_err(|e| UserError(e.to_string()))?;
            writeln!(out, "{}: note added", short_id(&finding.fingerprint))?;
        }
    }
    Ok(())
}

/// `reckon diff [BEFORE] [AFTER]`.
pub fn diff(args: &DiffArgs) -> Result<()> {
    let runtime = runtime()?;
    let workspace = open(&args.workspace, &runtime)?;
    let runs = runtime.block_on(workspace.store.runs(None))?;
    let after = match args.after {
        Some(id) => runs.iter().find(|r| r.id == id).cloned(),
        None => runs.last().cloned(),
    }
    .ok_or_else(|| UserError("no such run to compare".to_string()))?;
    let before = match args.before {
        Some(id) => runs.iter().find(|r| r.id == id).cloned(),
        None => runs.iter().rfind(|r| r.id < after.id).cloned(),
    }
    .ok_or_else(|| {
        UserError(format!(
            "run {} has no earlier run to compare with",
            after.id
        ))
    })?;
    let diff = compare(
        &runtime.block_on(workspace.store.run_findings(before.id))?,
        &runtime.block_on(workspace.store.run_findings(after.id))?,
    );
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Run {} ({}) against run {} ({}): {} new, {} recurring, {} changed, {} gone",
        after.id,
        after.period,
        before.id,
        before.period,
        diff.new.len(),
        diff.recurred.len(),
        diff.changed.len(),
        diff.disappeared.len()
    )?;
    let line = |f: &StoredFinding| {
        format!(
            "{} {} {} {} {} impact {}",
            short_id(&f.fingerprint),
            f.kind,
            f.client_id,
            if f.product_id.is_empty() {
                "-"
            } else {
                &f.product_id
            },
            if f.item_key.is_empty() {
                "-"
            } else {
                &f.item_key
            },
            f.impact
        )
    };
    for finding in &diff.new {
        writeln!(out, "  new       {}", line(finding))?;
    }
    for changed in &diff.changed {
        writeln!(
            out,
            "  changed   {} (was billed {} actual {} impact {})",
            line(&changed.after),
            changed.before.billed,
            changed.before.actual,
            changed.before.impact
        )?;
    }
    for finding in &diff.disappeared {
        writeln!(out, "  gone      {}", line(finding))?;
    }
    for finding in &diff.recurred {
        writeln!(out, "  recurring {}", line(finding))?;
    }
    Ok(())
}

/// `reckon close --period` / `reckon reopen --period`.
pub fn close(args: &PeriodArgs, closing: bool) -> Result<()> {
    crate::importing::period_last_day(&args.period)?;
    let runtime = runtime()?;
    let workspace = open(&args.workspace, &runtime)?;
    let final_run = runtime
        .block_on(workspace.store.runs(Some(&args.period)))?
        .pop()
        .map(|run| run.id);
    if closing && final_run.is_none() {
        return Err(UserError(format!(
            "period {} has no run to close on: run `reckon run --period {}` first",
            args.period, args.period
        ))
        .into());
    }
    runtime.block_on(workspace.store.set_period_closed(&PeriodState {
        period: args.period.clone(),
        closed: closing,
        final_run: if closing { final_run } else { None },
        changed_at: now(),
        changed_by: actor(args.workspace.user.as_deref()),
    }))?;
    if closing {
        println!(
            "Closed {}: run {} is final; its review state is locked",
            args.period,
            final_run.unwrap_or_default()
        );
    } else {
        println!("Reopened {} (recorded in the audit trail)", args.period);
    }
    Ok(())
}
