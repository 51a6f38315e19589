//! The report model of a stored run, with today's review state and every
//! note: what `reckon export`, `reckon adjustments` and the web app's
//! downloads all write from (one function, so they agree).

use std::collections::HashMap;
use std::str::FromStr;

use reckon_report::model::{LineInfo, ReportFinding, ReportRun};
use reckon_store::{
    ImportKind, Note, Review, RunRecord, RunStore, SqlStore, Store, StoreError, effective_state,
    short_id,
};
use rust_decimal::Decimal;

/// The currency a workspace without the setting reports in.
pub use reckon_store::DEFAULT_CURRENCY;

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportDataError {
    /// The user asked for a run that does not exist, or there is none.
    #[error("{0}")]
    NoRun(String),
    /// The stored data cannot be read (a billing snapshot's number, a
    /// finding's JSON): the message names where.
    #[error("{0}")]
    Data(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A stored run (`None`: the latest) as `run_or_latest` finds it.
pub async fn run_or_latest(
    store: &SqlStore,
    run: Option<i64>,
) -> Result<RunRecord, ReportDataError> {
    match run {
        Some(id) => store.run(id).await.map_err(|error| match error {
            StoreError::NotFound(_) => ReportDataError::NoRun(format!("there is no run {id}")),
            other => other.into(),
        }),
        None => store.runs(None).await?.pop().ok_or_else(|| {
            ReportDataError::NoRun(
                "no run is stored yet: run `reckon run` in the workspace".to_string(),
            )
        }),
    }
}

/// A stored run (`None`: the latest) with the review state of `today`
/// (`YYYY-MM-DD`), generated at `generated_at`.
pub async fn stored_report(
    store: &SqlStore,
    run: Option<i64>,
    today: &str,
    generated_at: &str,
) -> Result<ReportRun, ReportDataError> {
    let run = run_or_latest(store, run).await?;
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
    let mut findings = Vec::new();
    for stored in store.run_findings(run.id).await? {
        let mut finding = ReportFinding::from_json(&stored.detail).map_err(|e| {
            ReportDataError::Data(format!(
                "run {}: finding {}: {e}",
                run.id, stored.fingerprint
            ))
        })?;
        let review = reviews.get(&stored.fingerprint);
        finding.id = short_id(&stored.fingerprint);
        finding.state = effective_state(review, today).as_str().to_string();
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
        currency: store
            .setting("currency")
            .await?
            .unwrap_or_else(|| DEFAULT_CURRENCY.to_string()),
        generated_at: generated_at.to_string(),
        findings,
        lines,
    };
    report.sort_by_money();
    Ok(report)
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

/// Billing lines with the columns adjustments need, by header name (a
/// hand-made billing.csv has only the required ones).
pub fn read_lines(content: &[u8], shown: &str) -> Result<Vec<LineInfo>, ReportDataError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(content);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ReportDataError::Data(format!("{shown}: {e}")))?
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
        let record = record.map_err(|e| ReportDataError::Data(format!("{shown}: {e}")))?;
        let row = index + 2;
        let cell = |column: usize| {
            columns[column]
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .to_string()
        };
        let number = |column: usize, name: &str| -> Result<Decimal, ReportDataError> {
            let text = cell(column);
            if text.is_empty() {
                return Ok(Decimal::ZERO);
            }
            Decimal::from_str(&text).map_err(|_| {
                ReportDataError::Data(format!(
                    "{shown}: row {row}, column {name}: {text:?} is not a number"
                ))
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
