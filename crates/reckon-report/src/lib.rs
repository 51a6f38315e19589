//! reckon-report: writes reconciliation results for people and programs.
//! Every writer takes `impl Write`; choosing files is the caller's job.

pub mod adjustments;
mod bench_csv;
mod csv_export;
mod findings_json;
mod html;
mod json_export;
pub mod model;
mod number;
mod summary_text;
mod xlsx;

pub use bench_csv::{write_exceptions_csv, write_recon_csv};
pub use csv_export::{EVIDENCE_COLUMNS, FINDING_COLUMNS, write_evidence_csv, write_findings_csv};
pub use findings_json::{
    Annotate, Annotation, NoAnnotations, SuggestionView, finding_json, write_findings_json,
    write_findings_json_annotated,
};
pub use html::write_html;
pub use json_export::{REPORT_SCHEMA, write_report_json};
pub use summary_text::write_summary;
pub use xlsx::{XlsxError, write_xlsx};
