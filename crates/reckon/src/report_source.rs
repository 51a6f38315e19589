//! The report model of a run, from wherever the run lives: a stored run of
//! the workspace (with its review state and notes), or a live reconciliation
//! of files. Both go through the findings' JSON, so every format shows the
//! numbers `reckon run` wrote.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, Result};
use reckon_core::RunParams;
use reckon_report::model::{LineInfo, ReportFinding, ReportRun};
use reckon_store::{ImportKind, Note, Review, RunStore, Store, effective_state, short_id};
use rust_decimal::Decimal;

use crate::annotations::MappingChoices;
use crate::commands::review_commands::{run_or_latest, today};
use crate::dataset::{self, Dir};
use crate::error::UserError;
use crate::pipeline;
use crate::workspace::Workspace;

/// A stored run (`None`: the latest) with today's review state.
pub async fn stored_report(workspace: &Workspace, run: Option<i64>) -> Result<ReportRun> {
    let store = &workspace.store;
    let run = run_or_latest(workspace, run).await?;
    let reviews: HashMap<String, Review> = store
        .reviews()
        .await?
        .into_iter()
        .map(|review| (review.fingerprint.clone(), review))
        .collect();
    let mut notes: HashMap<String, Vec<Note>> = HashMap::new();
    for note in store.all_notes().await? {
        notes
            .entry(note.fingerprint.clone())
            .or_default()
            .push(note);
    }
    let today = today();
    let mut findings = Vec::new();
    for stored in store.run_findings(run.id).await? {
        let mut finding = ReportFinding::from_json(&stored.detail)
            .with_context(|| format!("run {}: finding {}", run.id, stored.fingerprint))?;
        let review = reviews.get(&stored.fingerprint);
        finding.id = short_id(&stored.fingerprint);
        finding.state = effective_state(review, &today).as_str().to_string();
        if let Some(review) = review {
            finding.assignee = review.assignee.clone();
            finding.for_action = review.for_action;
        }
        finding.note = notes
            .get(&stored.fingerprint)
            .map(|notes| joined_notes(notes))
            .unwrap_or_default();
        findings.push(finding);
    }
    let mut lines = Vec::new();
    for import in store.imports(None).await? {
        if import.kind == ImportKind::Billing && run.inputs.contains(&import.id) {
            let content = store.import_content(import.id).await?;
            let shown = format!("import {} ({})", import.id, import.file_name);
            lines.extend(read_lines(&content, &shown)?);
        }
    }
    let mut report = ReportRun {
        run_id: Some(run.id),
        period: run.period.clone(),
        as_of: run.as_of.clone(),
        currency: currency(workspace).await?,
        generated_at: crate::commands::run::now(),
        findings,
        lines,
    };
    report.sort_by_money();
    Ok(report)
}

/// The workspace's currency setting, or the default.
async fn currency(workspace: &Workspace) -> Result<String> {
    Ok(workspace
        .store
        .setting("currency")
        .await?
        .unwrap_or_else(|| crate::commands::DEFAULT_CURRENCY.to_string()))
}

/// Every note, oldest first: "2026-11-02 ann: text | ...". Nothing a
/// reviewer wrote is left out of a report.
fn joined_notes(notes: &[Note]) -> String {
    notes
        .iter()
        .map(|note| {
            let day = note.at.get(..10).unwrap_or(&note.at);
            format!("{day} {}: {}", note.author, note.body)
        })
        .collect::<Vec<_>>()
        .join(" | ")
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
    let choices = MappingChoices::new(&reference.catalog, &[], Vec::new());
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

/// Billing lines with the columns adjustments need, by header name (a
/// hand-made billing.csv has only the required ones).
pub fn read_lines(content: &[u8], shown: &str) -> Result<Vec<LineInfo>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(content);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| UserError(format!("{shown}: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let at = |name: &str| header.iter().position(|h| h == name);
    let columns = [
        "line_id",
        "client_id",
        "client_name",
        "product_id",
        "product_name",
        "quantity",
        "unit_price",
        "agreement",
        "agreement_id",
        "included",
        "description",
        "profile",
    ]
    .map(at);
    let mut lines = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| UserError(format!("{shown}: {e}")))?;
        let row = index + 2;
        let cell = |column: usize| {
            columns[column]
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .to_string()
        };
        let number = |column: usize, name: &str| -> Result<Decimal> {
            let text = cell(column);
            if text.is_empty() {
                return Ok(Decimal::ZERO);
            }
            Decimal::from_str(&text).map_err(|_| {
                UserError(format!(
                    "{shown}: row {row}, column {name}: {text:?} is not a number"
                ))
                .into()
            })
        };
        lines.push(LineInfo {
            line_id: cell(0),
            client_id: cell(1),
            client_name: cell(2),
            product_id: cell(3),
            product_name: cell(4),
            quantity: number(5, "quantity")?,
            unit_price: number(6, "unit_price")?,
            agreement: cell(7),
            agreement_id: cell(8),
            included: number(9, "included")?,
            description: cell(10),
            profile: cell(11),
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_by_header_name_with_optional_columns() {
        let csv = "line_id,client_id,client_name,product_id,quantity,unit_price,agreement_id,included,profile\n\
                   50101,19321,Contoso,MS-WKS,17,45.00,1201,10.00,connectwise\n\
                   L2,C2,Northwind,BK,3,5,,,\n";
        let lines = read_lines(csv.as_bytes(), "billing.csv").unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].agreement_id, "1201");
        assert_eq!(lines[0].included, Decimal::new(1000, 2));
        assert_eq!(lines[0].profile, "connectwise");
        assert_eq!(lines[1].included, Decimal::ZERO);
        assert_eq!(lines[1].quantity, Decimal::from(3));
    }

    #[test]
    fn a_bad_number_names_file_row_and_column() {
        let csv = "line_id,client_id,product_id,quantity,unit_price\nL1,C1,P,x,1\n";
        let error = read_lines(csv.as_bytes(), "billing.csv").unwrap_err();
        assert_eq!(
            error.to_string(),
            "billing.csv: row 2, column quantity: \"x\" is not a number"
        );
    }
}
