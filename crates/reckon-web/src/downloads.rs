//! A stored run's reports as downloads: the workbook, the printable report,
//! the findings and evidence CSVs, the JSON report and the proposed PSA
//! adjustments, made from [`crate::report_data::stored_report`] as
//! `reckon export` and `reckon adjustments` make them.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use reckon_report::adjustments::{PsaShape, Selection, propose};
use reckon_report::model::ReportRun;
use serde::Deserialize;

use crate::error::{WebError, WebResult};
use crate::report_data::{ReportDataError, stored_report};
use crate::state::{AppState, now, today};

/// What to download.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct ExportQuery {
    /// xlsx, html, csv, evidence-csv, json or adjustments.
    #[serde(default)]
    pub format: String,
    /// Adjustments: generic, connectwise, autotask or halopsa (default:
    /// the PSA the billing lines came from).
    #[serde(default)]
    pub psa: String,
    /// Adjustments: every pair finding, not only those marked for action.
    #[serde(default)]
    pub all: Option<String>,
    /// Adjustments: the effective date (default: the first day of the
    /// month after the period).
    #[serde(default)]
    pub effective: String,
}

/// The formats, as the page lists them: (format, label).
pub const FORMATS: [(&str, &str); 6] = [
    ("xlsx", "Workbook (XLSX)"),
    ("html", "Printable report (HTML)"),
    ("csv", "Findings (CSV)"),
    ("evidence-csv", "Evidence (CSV)"),
    ("json", "Report (JSON)"),
    ("adjustments", "PSA adjustments"),
];

impl From<ReportDataError> for WebError {
    fn from(error: ReportDataError) -> Self {
        match error {
            ReportDataError::NoRun(_) => WebError::NotFound,
            ReportDataError::Data(detail) => WebError::Internal(detail),
            ReportDataError::Store(error) => error.into(),
        }
    }
}

fn attachment(content_type: &'static str, file_name: &str, bytes: Vec<u8>) -> WebResult<Response> {
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
            .map_err(|e| WebError::Internal(e.to_string()))?,
    );
    Ok(response)
}

fn written(result: std::io::Result<()>) -> WebResult<()> {
    result.map_err(|e| WebError::Internal(format!("cannot write the report: {e}")))
}

/// The PSA shape asked for, else the one every billing line came from.
pub fn shape_for(run: &ReportRun, requested: &str) -> WebResult<PsaShape> {
    if !requested.is_empty() {
        return PsaShape::parse(requested).ok_or_else(|| {
            WebError::BadRequest(format!(
                "psa {requested:?}: expected one of {}",
                PsaShape::NAMES.join(", ")
            ))
        });
    }
    Ok(PsaShape::of_lines(&run.lines))
}

/// `run`'s report in `query.format`, as an attachment.
pub async fn export(state: &AppState, run: i64, query: &ExportQuery) -> WebResult<Response> {
    let format = query.format.trim().to_ascii_lowercase();
    if !FORMATS.iter().any(|(name, _)| *name == format) {
        return Err(WebError::BadRequest(format!(
            "format {:?}: expected one of {}",
            query.format,
            FORMATS.map(|(name, _)| name).join(", ")
        )));
    }
    let report = stored_report(state.store(), Some(run), &today(), &now()).await?;
    let stem = format!("reckon-run-{}-{}", run, report.period);
    let mut bytes = Vec::new();
    match format.as_str() {
        "xlsx" => {
            let bytes = reckon_report::write_xlsx(&report)
                .map_err(|e| WebError::Internal(format!("cannot make the workbook: {e}")))?;
            attachment(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("{stem}.xlsx"),
                bytes,
            )
        }
        "html" => {
            written(reckon_report::write_html(&report, &mut bytes))?;
            attachment("text/html; charset=utf-8", &format!("{stem}.html"), bytes)
        }
        "csv" => {
            written(reckon_report::write_findings_csv(&report, &mut bytes))?;
            attachment(
                "text/csv; charset=utf-8",
                &format!("{stem}-findings.csv"),
                bytes,
            )
        }
        "evidence-csv" => {
            written(reckon_report::write_evidence_csv(&report, &mut bytes))?;
            attachment(
                "text/csv; charset=utf-8",
                &format!("{stem}-evidence.csv"),
                bytes,
            )
        }
        "json" => {
            written(reckon_report::write_report_json(&report, &mut bytes))?;
            attachment("application/json", &format!("{stem}.json"), bytes)
        }
        _ => {
            let shape = shape_for(&report, &query.psa)?;
            let effective = if query.effective.trim().is_empty() {
                report
                    .default_effective_date()
                    .map_err(|e| WebError::Internal(e.to_string()))?
            } else {
                let day = query.effective.trim();
                day.parse::<jiff::civil::Date>().map_err(|_| {
                    WebError::BadRequest(format!(
                        "effective {day:?}: expected a date such as 2026-12-01"
                    ))
                })?;
                day.to_string()
            };
            let all = matches!(query.all.as_deref(), Some("true" | "1" | "on" | "yes"));
            let selection = if all {
                Selection::AllPairFindings
            } else {
                Selection::MarkedForAction
            };
            let proposal = propose(&report, selection, &effective);
            written(shape.write(&proposal, &report.currency, &mut bytes))?;
            let content_type = if shape.extension() == "csv" {
                "text/csv; charset=utf-8"
            } else {
                "application/json"
            };
            attachment(
                content_type,
                &format!("{stem}-adjustments-{}.{}", shape.name(), shape.extension()),
                bytes,
            )
        }
    }
}
